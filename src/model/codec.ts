/**
 * Conversion between JS passables and Syrup values (OCapN Model.md; notes §2, §13, §15).
 * References are delegated to {@link RefHooks}, supplied by the CapTP layer.
 * @module
 */
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from '../syrup/types.js';
import {
  OcapnPeer,
  OcapnSturdyRef,
  peerLocatorFromSyrup,
  peerLocatorToSyrup,
  sturdyRefFromSyrup,
  sturdyRefToSyrup,
} from '../locator/index.js';
import { RemoteError, Tagged, isPromise, isRemotable, isStruct } from './passable.js';

/** Raised when a value from the wire is not a valid OCapN value (the session aborts). */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

// The locator value classes live with the locators (src/locator/values.ts), so that the URI
// parsers can return them; they are re-exported here, where they always were.
export { OcapnSturdyRef, OcapnPeer };

/**
 * A signed envelope `<desc:sig-envelope signed signature>` carried as a value (third-party
 * handoffs, notes §6.2, §9). `signed` is the record that was signed; `signature` its sig-val list.
 */
export class SigEnvelope {
  constructor(readonly signed: SyrupRecord, readonly signature: SyrupValue) {
    Object.freeze(this);
  }
  /** The envelope as a Syrup record. */
  toSyrup(): SyrupRecord {
    return new SyrupRecord(label('desc:sig-envelope'), [this.signed, this.signature]);
  }
}

/**
 * How an Error is written (docs/value-model.md "Errors"):
 * - `'string'`: a String `"Name: message"` (`"Name [code]: message"` when the error has a
 *   primitive `code`), which every implementation accepts as a break reason;
 * - `'desc:error'`: `<desc:error "message">` (Endo, the suite);
 * - `'rich'`: `<desc:error "message" {"name": "Name", …own data fields}>` (ocapn-ts);
 * - `'mystery'`: Goblins' `<exn:fail:mystery>`, which carries nothing.
 * A stack is never written.
 */
export type ErrorForm = 'string' | 'desc:error' | 'rich' | 'mystery';

/** The CapTP layer's part of the value codec: references in and out. */
export interface RefHooks {
  /** Is `v` a reference the session already knows (a remote presence, an answer promise)? */
  isKnownRef(v: object): boolean;
  /** Encode a reference (known, remotable, function or promise) as a descriptor. */
  encodeRef(v: object): SyrupValue;
  /** Decode a descriptor record; return `undefined` if the label is not a reference descriptor. */
  decodeRef(record: SyrupRecord): { value: unknown } | undefined;
}

/** How Struct keys are ordered on the wire: canonical Syrup, or JS string order (Endo; notes §15.1). */
export type StructOrder = 'canonical' | 'js';

/** What to write for the float -0: keep it (the Model), or write 0.0 (Endo rejects -0; notes §15.1). */
export type NegativeZero = 'keep' | 'zero';

/** Options of {@link toSyrup}. */
export interface ToSyrupOptions {
  errorForm?: ErrorForm | undefined;
  /**
   * Order of Struct keys, including locator hints: `'canonical'` (default) or `'js'` (JS string
   * order of the keys, which Endo's decoder requires).
   */
  structOrder?: StructOrder | undefined;
  /** `'keep'` (default) writes -0 as -0.0; `'zero'` writes it as 0.0 (for Endo). */
  negativeZero?: NegativeZero | undefined;
  /** Deepest nesting accepted from the API user (cycles hit this). Default 256. */
  maxDepth?: number | undefined;
}

const label = (name: string) => new SyrupSymbol(name);
const VOID = new SyrupRecord(label('void'), []);
const NULL = new SyrupRecord(label('null'), []);

/** Convert a passable to a Syrup value. Throws TypeError for values OCapN cannot carry. */
export function toSyrup(value: unknown, hooks: RefHooks, options: ToSyrupOptions = {}): SyrupValue {
  const errorForm = options.errorForm ?? 'desc:error';
  const maxDepth = options.maxDepth ?? 256;
  const structOrder = options.structOrder ?? 'canonical';
  const plainZero = options.negativeZero === 'zero';
  const walk = (v: unknown, depth: number): SyrupValue => {
    if (depth > maxDepth) throw new TypeError(`value nests deeper than ${maxDepth} levels (a cycle?)`);
    switch (typeof v) {
      case 'undefined':
        return VOID;
      case 'boolean':
      case 'bigint':
      case 'string':
        if (typeof v === 'string' && !v.isWellFormed()) throw new TypeError('string is not well-formed UTF-16 (lone surrogate)');
        return v;
      case 'number':
        // -0 + 0 is +0; every other number is unchanged.
        return plainZero ? v + 0 : v;
      case 'symbol':
        throw new TypeError(`a JS symbol cannot be passed (${String(v)}); use selector(name) for an OCapN Symbol`);
      case 'function':
        return hooks.encodeRef(v);
      case 'object':
        break;
    }
    if (v === null) return NULL;
    const o = v as object;
    if (hooks.isKnownRef(o)) return hooks.encodeRef(o);
    if (Array.isArray(o)) return o.map((item) => walk(item, depth + 1));
    if (o instanceof Uint8Array) return o;
    if (o instanceof SyrupSymbol) return o;
    if (o instanceof Tagged) return new SyrupRecord(label('desc:tagged'), [label(o.tag), walk(o.payload, depth + 1)]);
    if (o instanceof Error) return encodeError(o, errorForm, (v) => walk(v, depth + 1));
    if (o instanceof SigEnvelope) return o.toSyrup();
    if (o instanceof OcapnSturdyRef) return withHintsOrder(sturdyRefToSyrup(o), structOrder);
    if (o instanceof OcapnPeer) return withHintsOrder(peerLocatorToSyrup(o), structOrder);
    // Before the remotable test: a typed array or buffer is a class instance, and would
    // otherwise be exported as an object reference.
    if (ArrayBuffer.isView(o) || (o as object) instanceof ArrayBuffer) {
      throw new TypeError(`${(o as object).constructor.name} cannot be passed; use a Uint8Array for a ByteArray`);
    }
    if (isPromise(o) || isRemotable(o)) return hooks.encodeRef(o);
    if (isStruct(o)) {
      const entries: [SyrupValue, SyrupValue][] = [];
      for (const key of Object.keys(o)) entries.push([key, walk((o as Record<string, unknown>)[key], depth + 1)]);
      return new SyrupDict(entries, structOrder);
    }
    throw new TypeError(`cannot pass ${Object.prototype.toString.call(o)}`);
  };
  return walk(value, 0);
}

/**
 * A locator record (`<ocapn-peer …>`, or `<ocapn-sturdyref <ocapn-peer …> swiss>`) whose hints
 * dictionary is written in `order`.
 */
function withHintsOrder(r: SyrupRecord, order: StructOrder): SyrupRecord {
  if (order === 'canonical') return r;
  const f = r.fields;
  if (f[0] instanceof SyrupRecord) return new SyrupRecord(r.label, [withHintsOrder(f[0], order), ...f.slice(1)]);
  const hints = f[2];
  if (!(hints instanceof SyrupDict)) return r;
  return new SyrupRecord(r.label, [f[0], f[1], new SyrupDict(hints.entries, order)]);
}

function makeStruct(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Convert a Syrup value from the wire to a passable. Throws {@link ModelError} for non-OCapN input. */
export function fromSyrup(value: SyrupValue, hooks: RefHooks): unknown {
  const walk = (v: SyrupValue): unknown => {
    if (typeof v !== 'object') return v;
    if (v instanceof Uint8Array || v instanceof SyrupSymbol) return v;
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof SyrupDict) {
      const entries: [string, unknown][] = [];
      for (const [k, item] of v.entries) {
        if (typeof k !== 'string') throw new ModelError('Struct keys must be Strings');
        entries.push([k, walk(item)]);
      }
      return makeStruct(entries);
    }
    if (v instanceof SyrupSet) throw new ModelError('Sets are not OCapN values');
    if (v instanceof SyrupRecord) return decodeRecord(v, hooks, walk);
    throw new ModelError('unexpected Syrup value');
  };
  return walk(value);
}

function decodeRecord(r: SyrupRecord, hooks: RefHooks, walk: (v: SyrupValue) => unknown): unknown {
  const name = r.labelName;
  if (name === undefined) throw new ModelError('record labels must be Symbols');
  const n = r.fields.length;
  const arity = (k: number) => {
    if (n !== k) throw new ModelError(`<${name}> takes ${k} field(s), got ${n}`);
  };
  switch (name) {
    case 'void':
      arity(0);
      return undefined;
    case 'null':
      arity(0);
      return null;
    case 'desc:tagged':
    case 'desc:tag': {
      arity(2);
      const tag = r.fields[0];
      const tagName = tag instanceof SyrupSymbol ? tag.name : typeof tag === 'string' ? tag : undefined;
      if (tagName === undefined) throw new ModelError(`<${name}> tag must be a Symbol or String`);
      return new Tagged(tagName, walk(r.fields[1]));
    }
    case 'desc:error':
      return decodeError(r, walk);
    case 'ocapn-sturdyref':
      try {
        const s = sturdyRefFromSyrup(r);
        return new OcapnSturdyRef(s.peer, s.swiss);
      } catch (e) {
        throw new ModelError(`bad sturdyref: ${(e as Error).message}`);
      }
    case 'ocapn-peer':
    case 'ocapn-node':
      try {
        const p = peerLocatorFromSyrup(r);
        return new OcapnPeer(p.transport, p.designator, p.hints);
      } catch (e) {
        throw new ModelError(`bad peer locator: ${(e as Error).message}`);
      }
  }
  if (name.startsWith('exn:')) return decodeExn(r);
  const ref = hooks.decodeRef(r);
  if (ref) return ref.value;
  throw new ModelError(`unknown record <${name}> in a value`);
}

// --- Errors (docs/value-model.md "Errors"; PR #289) -------------------------------------

/** Own properties of an Error that are never copied as data fields. */
const ERROR_RESERVED = new Set(['name', 'message', 'stack', 'cause', 'errors', 'label']);

/** A plain data value (no references, no errors): what may travel as an error's own field. */
function isPlainData(v: unknown, depth = 0): boolean {
  if (depth > 16) return false;
  switch (typeof v) {
    case 'undefined':
    case 'boolean':
    case 'bigint':
      return true;
    case 'number':
      return true;
    case 'string':
      return v.isWellFormed();
    case 'object':
      if (v === null || v instanceof Uint8Array || v instanceof SyrupSymbol) return true;
      if (Array.isArray(v)) return v.every((x) => isPlainData(x, depth + 1));
      if (v instanceof Error || v instanceof Tagged || isPromise(v) || isRemotable(v) || !isStruct(v)) return false;
      return Object.keys(v).every((k) => isPlainData((v as Record<string, unknown>)[k], depth + 1));
    default:
      return false;
  }
}

/** An error's own enumerable data fields (`code`, `errno`…), stack and references left out. */
function errorFields(e: Error): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const key of Object.keys(e)) {
    if (ERROR_RESERVED.has(key)) continue;
    const v = (e as unknown as Record<string, unknown>)[key];
    if (isPlainData(v)) out.push([key, v]);
  }
  return out;
}

/** An error's name as a String (its own or its class's); `Error` when it has none usable. */
function errorName(e: Error): string {
  let name: unknown;
  try {
    name = e.name;
  } catch {
    name = undefined;
  }
  return typeof name === 'string' && /^[A-Za-z_$][\w$]{0,99}$/.test(name) ? name : 'Error';
}

function errorMessage(e: Error): string {
  let m: unknown;
  try {
    m = e.message;
  } catch {
    m = undefined;
  }
  return typeof m === 'string' ? m.toWellFormed() : '';
}

/** Codes written in the String form: a primitive without `]` (a safe integer or a short String). */
function codeText(e: Error): string | undefined {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'number' && Number.isSafeInteger(code)) return String(code);
  if (typeof code === 'string' && code.length > 0 && code.length <= 100 && !/[\]\n]/.test(code)) return code;
  return undefined;
}

/**
 * The String form of an error: `"Name: message"`, or `"Name [code]: message"` (Node's own
 * way of printing an error with a code). {@link errorFromString} reads it back.
 */
export function errorToString(e: Error): string {
  const code = codeText(e);
  return `${errorName(e)}${code === undefined ? '' : ` [${code}]`}: ${errorMessage(e)}`;
}

const ERROR_STRING = /^([A-Za-z_$][\w$]{0,99}) ?(?:\[([^\]\n]{1,100})\])?: ([\s\S]*)$/;

/**
 * Turn a String break reason of the form `"Name: message"` / `"Name [code]: message"` back into
 * a {@link RemoteError}, when `Name` ends in `Error` or `Exception` (so that an ordinary
 * String such as `"note: x"` stays a String). @returns `undefined` for any other String.
 */
export function errorFromString(s: string): RemoteError | undefined {
  const m = ERROR_STRING.exec(s);
  if (!m || !/(?:Error|Exception)$/.test(m[1])) return undefined;
  const fields: Record<string, unknown> = {};
  if (m[2] !== undefined) fields.code = /^-?\d{1,15}$/.test(m[2]) ? Number(m[2]) : m[2];
  return new RemoteError(m[3], 'string', { name: m[1], fields });
}

function encodeError(e: Error, form: ErrorForm, walk: (v: unknown) => SyrupValue): SyrupValue {
  switch (form) {
    case 'mystery':
      return new SyrupRecord(label('exn:fail:mystery'), []);
    case 'string':
      return errorToString(e);
    case 'desc:error':
      return new SyrupRecord(label('desc:error'), [errorMessage(e)]);
    case 'rich': {
      const entries: [SyrupValue, SyrupValue][] = [['name', errorName(e)]];
      for (const [k, v] of errorFields(e)) entries.push([k, walk(v)]);
      return new SyrupRecord(label('desc:error'), [errorMessage(e), new SyrupDict(entries)]);
    }
  }
}

/** `<desc:error "message">` (Endo, the suite) or `<desc:error "message" {"name" …, fields}>` (ocapn-ts). */
function decodeError(r: SyrupRecord, walk: (v: SyrupValue) => unknown): RemoteError {
  const [message, extra] = r.fields;
  if (typeof message !== 'string' || r.fields.length > 2) throw new ModelError('<desc:error> needs a String message and at most a Struct of fields');
  if (extra === undefined) return new RemoteError(message);
  if (!(extra instanceof SyrupDict)) throw new ModelError('<desc:error> fields must be a Struct');
  const fields = walk(extra) as Record<string, unknown>;
  const name = typeof fields.name === 'string' ? fields.name : undefined;
  return new RemoteError(message, 'desc:error', { name, fields });
}

/**
 * Goblins' error records: `<exn:fail:mystery>` (nothing disclosed), or another `<exn:…>` whose
 * first field, when a String, is the message. Its other fields are not read (they may hold
 * anything); the label becomes the error's name.
 */
function decodeExn(r: SyrupRecord): RemoteError {
  const name = r.labelName!;
  const first = r.fields[0];
  const message = typeof first === 'string' ? first : `remote error (${name})`;
  return new RemoteError(message, name, { name: name === 'exn:fail:mystery' ? undefined : name });
}
