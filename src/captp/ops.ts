/**
 * The wire shapes of every CapTP operation and descriptor, declared as data in one place
 * (CapTP Specification; notes §6, §13, §15). Decoding, validation and encoding all come from
 * these tables.
 * @module
 */
import { SyrupRecord, SyrupSymbol, type SyrupValue } from '../syrup/types.js';

/** A descriptor naming something the recipient hosts: an export or an answer position. */
export interface TargetDesc {
  readonly kind: 'export' | 'answer';
  readonly pos: number;
}
/** A descriptor naming something the sender hosts (from the recipient's view: an import). */
export interface ImportDesc {
  readonly kind: 'import-object' | 'import-promise';
  readonly pos: number;
}

/** Raised for a message that does not match its declared shape; the session aborts with its text. */
export class WireShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireShapeError';
  }
}

/** The kinds of field a wire shape can declare. */
type FieldKind =
  | 'string'
  | 'bool'
  | 'any'
  | 'list'
  | 'pos'
  | 'pos|false'
  | 'target'
  | 'import'
  | 'import|false'
  | 'pos-list'
  | 'int-list';

/** Descriptor labels and the kind each names (notes §6.2). */
export const DESCRIPTORS = {
  'desc:export': 'export',
  'desc:answer': 'answer',
  'desc:import-object': 'import-object',
  'desc:import-promise': 'import-promise',
} as const;

/** Handoff and signature descriptors (notes §6.2, §9.1): label → field names, in wire order. */
export const SIGNED_SHAPES = {
  'desc:sig-envelope': ['signed', 'signature'],
  'desc:handoff-give': ['receiverKey', 'exporterLocation', 'session', 'gifterSide', 'giftId'],
  'desc:handoff-receive': ['receivingSession', 'receivingSide', 'handoffCount', 'signedGive'],
  'my-location': ['location'],
} as const;

/** The wire shape of one operation. */
export interface OpShape {
  /** Field names (camelCase of the spec's names) and kinds, in wire order. */
  readonly fields: ReadonlyArray<readonly [string, FieldKind]>;
  /** Trailing fields that older peers omit or newer ones dropped. */
  readonly optionalTail?: number;
  /** The current label this legacy label stands for. */
  readonly legacyOf?: string;
}

/** Every operation: label → shape. Legacy labels map onto current ones (notes §6.4, §13). */
export const OPS: Readonly<Record<string, OpShape>> = {
  'op:start-session': {
    fields: [
      ['captpVersion', 'string'],
      ['sessionPubkey', 'any'],
      ['acceptableLocation', 'any'],
      ['acceptableLocationSig', 'any'],
    ],
  },
  'op:abort': { fields: [['reason', 'any']] },
  'op:deliver': {
    fields: [
      ['to', 'target'],
      ['args', 'list'],
      ['answerPos', 'pos|false'],
      ['resolveMe', 'import|false'],
    ],
  },
  'op:deliver-only': { fields: [['to', 'target'], ['args', 'list']], legacyOf: 'op:deliver' },
  'op:listen': {
    fields: [
      ['to', 'target'],
      ['listener', 'import'],
      ['wantsPartial', 'bool'],
    ],
    optionalTail: 1,
  },
  'op:get': { fields: [['receiver', 'target'], ['fieldName', 'string'], ['newAnswerPos', 'pos']] },
  'op:index': { fields: [['receiver', 'target'], ['index', 'pos'], ['newAnswerPos', 'pos']] },
  'op:untag': { fields: [['receiver', 'target'], ['tag', 'string'], ['newAnswerPos', 'pos']] },
  'op:gc-exports': { fields: [['exportPositions', 'pos-list'], ['wireDeltas', 'int-list']] },
  'op:gc-export': { fields: [['exportPositions', 'pos-list'], ['wireDeltas', 'int-list']], legacyOf: 'op:gc-exports' },
  'op:gc-answers': { fields: [['answerPositions', 'pos-list']] },
  'op:gc-answer': { fields: [['answerPositions', 'pos-list']], legacyOf: 'op:gc-answers' },
};

/** Names of the spec versions whose op shapes differ from {@link OPS}. */
export type OpVariant = 'spec-2026-09';

/**
 * Shapes that a label takes in another version of the spec: variant → label → shape. We write
 * a variant's shape only when the session's profile selects it; we read every variant from
 * every peer, telling them apart by field count, so the field-count ranges of one label's
 * shapes (in {@link OPS} and here) must not overlap (test/crypto/spec-2026-09.test.ts checks
 * it). Pending spec changes become entries here, e.g. PR #282 as
 * `'op:deliver': { fields: [to, args, answerPos] }` (no resolve-me-desc).
 */
export const OP_VARIANTS: Readonly<Record<OpVariant, Readonly<Record<string, OpShape>>>> = {
  // ocapn/ocapn PR #288 (merged 2026-09): crypto-version after captp-version; the key and
  // signature fields hold plain ByteArrays (src/crypto/forms.ts).
  'spec-2026-09': {
    'op:start-session': {
      fields: [
        ['captpVersion', 'string'],
        ['cryptoVersion', 'string'],
        ['sessionPubkey', 'any'],
        ['acceptableLocation', 'any'],
        ['acceptableLocationSig', 'any'],
      ],
    },
  },
};

/** Whether `shape` takes `n` fields. */
function fits(shape: OpShape, n: number): boolean {
  return n <= shape.fields.length && n >= shape.fields.length - (shape.optionalTail ?? 0);
}

/** The variant whose shape of `label` takes `n` fields, if any. */
function variantFor(label: string, n: number): OpVariant | undefined {
  for (const variant of Object.keys(OP_VARIANTS) as OpVariant[]) {
    const shapes = OP_VARIANTS[variant];
    if (Object.hasOwn(shapes, label) && fits(shapes[label], n)) return variant;
  }
  return undefined;
}

/**
 * A decoded operation: its current label, the label it arrived with, the spec variant whose
 * shape it had (absent: {@link OPS}), and its named fields.
 */
export interface DecodedOp {
  readonly op: string;
  readonly wireLabel: string;
  readonly variant?: OpVariant;
  readonly [field: string]: unknown;
}

/** Largest position we accept (positions index JS tables). */
export const MAX_POSITION = Number.MAX_SAFE_INTEGER;

function toPos(v: SyrupValue, what: string): number {
  if (typeof v !== 'bigint' || v < 0n || v > BigInt(MAX_POSITION)) {
    throw new WireShapeError(`${what} must be an integer from 0 to 2^53-1`);
  }
  return Number(v);
}

const IMPORT_DESCS = ['desc:import-object', 'desc:import-promise'] as const;
const TARGET_DESCS = ['desc:export', 'desc:answer'] as const;

/**
 * `<desc:… pos>` with one of the `allowed` labels, as `{kind, pos}`. Error texts name the
 * field as `${op} ${field}`, built only when thrown (this runs for every message).
 */
function descriptor(v: SyrupValue, allowed: readonly string[], op: string, field: string): { kind: string; pos: number } {
  if (v instanceof SyrupRecord && v.fields.length === 1) {
    const name = v.labelName;
    if (name !== undefined && allowed.includes(name)) {
      const pos = v.fields[0];
      if (typeof pos === 'bigint' && pos >= 0n && pos <= MAX_POSITION_BIG) return { kind: DESCRIPTORS[name as keyof typeof DESCRIPTORS], pos: Number(pos) };
      return { kind: DESCRIPTORS[name as keyof typeof DESCRIPTORS], pos: toPos(pos, `${op} ${field} position`) };
    }
  }
  throw new WireShapeError(`${op} ${field} must be one of ${allowed.map((a) => `<${a} pos>`).join(', ')}`);
}

const MAX_POSITION_BIG = BigInt(MAX_POSITION);

/** A position (a bigint from 0 to 2^53-1) as a number; the error names `${op} ${field}`. */
function pos(v: SyrupValue, op: string, field: string): number {
  if (typeof v === 'bigint' && v >= 0n && v <= MAX_POSITION_BIG) return Number(v);
  return toPos(v, `${op} ${field}`);
}

function positions(v: SyrupValue, op: string, field: string, what: string): number[] {
  if (typeof v === 'bigint') return [pos(v, op, field)]; // pre-Dec-2025 scalar form
  if (!Array.isArray(v)) throw new WireShapeError(`${op} ${field} must be a List of ${what}`);
  const out: number[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = pos(v[i], op, field);
  return out;
}

function decodeField(kind: FieldKind, v: SyrupValue, op: string, field: string): unknown {
  switch (kind) {
    case 'any':
      return v;
    case 'string':
      if (typeof v !== 'string') throw new WireShapeError(`${op} ${field} must be a String`);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw new WireShapeError(`${op} ${field} must be a Boolean`);
      return v;
    case 'list':
      if (!Array.isArray(v)) throw new WireShapeError(`${op} ${field} must be a List`);
      return v;
    case 'pos':
      return pos(v, op, field);
    case 'pos|false':
      return v === false ? false : pos(v, op, field);
    case 'target':
      return descriptor(v, TARGET_DESCS, op, field) as TargetDesc;
    case 'import':
      return descriptor(v, IMPORT_DESCS, op, field) as ImportDesc;
    case 'import|false':
      return v === false ? false : (descriptor(v, IMPORT_DESCS, op, field) as ImportDesc);
    case 'pos-list':
      return positions(v, op, field, 'positions');
    case 'int-list':
      return positions(v, op, field, 'integers');
  }
}

/** Decode and validate one message against {@link OPS}. Throws {@link WireShapeError}. */
export function decodeOp(message: SyrupValue): DecodedOp {
  if (!(message instanceof SyrupRecord)) throw new WireShapeError('a CapTP message must be a record');
  const label = message.labelName;
  if (label === undefined) throw new WireShapeError('a CapTP message label must be a Symbol');
  const n = message.fields.length;
  const base = Object.hasOwn(OPS, label) ? OPS[label] : undefined;
  const variant = base !== undefined && fits(base, n) ? undefined : variantFor(label, n);
  const shape = variant === undefined ? base : OP_VARIANTS[variant][label];
  if (!shape) throw new WireShapeError(`unknown operation <${label}>`);
  const max = shape.fields.length;
  const min = max - (shape.optionalTail ?? 0);
  if (n < min || n > max) {
    throw new WireShapeError(`<${label}> takes ${min === max ? max : `${min} or ${max}`} fields, got ${n}`);
  }
  const out: Record<string, unknown> = { op: shape.legacyOf ?? label, wireLabel: label };
  if (variant !== undefined) out.variant = variant;
  for (let i = 0; i < n; i++) {
    const [name, kind] = shape.fields[i];
    out[name] = decodeField(kind, message.fields[i], label, name);
  }
  if (label === 'op:deliver-only') {
    out.answerPos = false;
    out.resolveMe = false;
  }
  if ((out.op === 'op:gc-exports') && (out.exportPositions as number[]).length !== (out.wireDeltas as number[]).length) {
    throw new WireShapeError(`<${label}> position and delta lists differ in length`);
  }
  return out as DecodedOp;
}

const symbols = new Map<string, SyrupSymbol>();
/** An interned label symbol. */
export function label(name: string): SyrupSymbol {
  let s = symbols.get(name);
  if (!s) symbols.set(name, (s = new SyrupSymbol(name)));
  return s;
}

const DESC_LABELS: Readonly<Record<TargetDesc['kind'] | ImportDesc['kind'], SyrupSymbol>> = {
  export: label('desc:export'),
  answer: label('desc:answer'),
  'import-object': label('desc:import-object'),
  'import-promise': label('desc:import-promise'),
};

/** `<desc:… pos>` for a descriptor kind. */
export function encodeDesc(kind: TargetDesc['kind'] | ImportDesc['kind'], pos: number): SyrupRecord {
  return new SyrupRecord(DESC_LABELS[kind], [BigInt(pos)]);
}

const DELIVER = label('op:deliver');

/** `<op:deliver to args answer-pos resolve-me>`: {@link encodeOp} of op:deliver without the field lookups (the hot path of every call). */
export function encodeDeliver(to: SyrupRecord, args: SyrupValue, answerPos: bigint | false, resolveMe: SyrupRecord | false): SyrupRecord {
  return new SyrupRecord(DELIVER, [to, args, answerPos, resolveMe]);
}

/** Field names of `shape`'s first `count` fields, computed once per shape and count. */
const namesCache = new WeakMap<OpShape, Array<readonly string[] | undefined>>();
function fieldNames(shape: OpShape, count: number): readonly string[] {
  let byCount = namesCache.get(shape);
  if (byCount === undefined) namesCache.set(shape, (byCount = []));
  return (byCount[count] ??= shape.fields.slice(0, count).map(([name]) => name));
}

/**
 * Build an operation record from its label and fields in the declared order: the shape of
 * `variant` where it declares `op`, else the {@link OPS} one.
 * @throws TypeError for an unknown op or a missing field.
 */
export function encodeOp(op: string, fields: Readonly<Record<string, SyrupValue>>, fieldCount?: number, variant?: OpVariant): SyrupRecord {
  const variantShapes = variant === undefined ? undefined : OP_VARIANTS[variant];
  const shape = variantShapes && Object.hasOwn(variantShapes, op) ? variantShapes[op] : Object.hasOwn(OPS, op) ? OPS[op] : undefined;
  if (!shape) throw new TypeError(`unknown operation ${op}`);
  const names = fieldNames(shape, Math.min(fieldCount ?? shape.fields.length, shape.fields.length));
  const values: SyrupValue[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const v = fields[names[i]];
    if (v === undefined) throw new TypeError(`${op}: missing field ${names[i]}`);
    values[i] = v;
  }
  return new SyrupRecord(label(op), values);
}
