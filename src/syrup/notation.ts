/**
 * The readable notation of the interop vectors (`shared/vectors/README.md`, "Readable
 * notation"), used by the `.txt` transcripts, so our output can be compared with them.
 *
 * @module
 */
import { MAX_ENCODE_DEPTH } from './encode.js';
import { toHex } from './bytes.js';
import { bareAtom } from './notation-parse.js';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from './types.js';

const SIMPLE_SYMBOL = /^[A-Za-z0-9_:.!?*+/=-]+$/;

/** A float as Python's `repr` writes it: `1.5`, `-0.0`, `1e+16`, `5e-324`, `+inf`, `nan`. */
function floatNotation(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return '+inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() gives the shortest round-trip digits.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential())!;
  const sign = m[1];
  const digits = m[2] + (m[3] ?? '');
  const exp = Number(m[4]);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e}`;
}

function bytesNotation(b: Uint8Array): string {
  for (let i = 0; i < b.length; i++) {
    if (b[i] < 0x20 || b[i] > 0x7e) return `:${toHex(b)}`;
  }
  let s = 'b"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    s += c === 0x22 || c === 0x5c ? `\\${String.fromCharCode(c)}` : String.fromCharCode(c);
  }
  return `${s}"`;
}

function symbolNotation(name: string): string {
  return SIMPLE_SYMBOL.test(name) ? `'${name}` : `'${JSON.stringify(name)}`;
}

function notation(v: SyrupValue, depth: number): string {
  switch (typeof v) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'bigint':
      return v.toString();
    case 'number':
      return floatNotation(v);
    case 'string':
      return JSON.stringify(v);
    case 'object':
      break;
    default:
      throw new TypeError(`not a Syrup value: ${typeof v}`);
  }
  if (v === null) throw new TypeError('not a Syrup value: null');
  if (depth >= MAX_ENCODE_DEPTH) throw new TypeError(`Syrup value nested deeper than ${MAX_ENCODE_DEPTH} levels`);
  const d = depth + 1;
  if (v instanceof SyrupSymbol) return symbolNotation(v.name);
  if (v instanceof Uint8Array) return bytesNotation(v);
  if (Array.isArray(v)) return `[${v.map((x: SyrupValue) => notation(x, d)).join(' ')}]`;
  if (v instanceof SyrupRecord) {
    // Bare only when it cannot read back as another value (`<t>`, `<42>`, `<:ab>`).
    const name = v.label instanceof SyrupSymbol ? v.label.name : undefined;
    const bare = name !== undefined && SIMPLE_SYMBOL.test(name) && !name.startsWith(':') && bareAtom(name) === undefined;
    const label = bare ? name : notation(v.label, d);
    return `<${[label, ...v.fields.map((x) => notation(x, d))].join(' ')}>`;
  }
  if (v instanceof SyrupDict) {
    return `{${v.entries.map(([k, x]) => `${notation(k, d)}: ${notation(x, d)}`).join(', ')}}`;
  }
  if (v instanceof SyrupSet) return `#{${v.items.map((x) => notation(x, d)).join(' ')}}`;
  throw new TypeError('not a Syrup value: a non-Syrup object');
}

/**
 * Writes a value in the readable notation of the interop vectors: `t` `f`; integers in
 * decimal; floats like Python's repr (`1.5`, `-0.0`, `+inf`, `nan`); JSON-escaped strings;
 * `'symbol` (or `'"…"`); `b"…"` or `:hex` bytes; `[a b]`; `{k: v, …}`; `#{a b}`;
 * `<label f1 f2>` (the label bare when it is a simple Symbol that reads back as one).
 * {@link parseNotation} reads it back. Dictionary entries and set items are written in the order they are held.
 *
 * @throws TypeError for a non-Syrup value.
 */
export function toNotation(value: SyrupValue): string {
  return notation(value, 0);
}
