/** Test helpers: the JSON value notation of shared/vectors, hex, structural equality. */
import { readFileSync } from 'node:fs';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from '../../src/syrup/index.js';

export type Notation = Record<string, unknown>;

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../../shared/vectors/${file}`, import.meta.url), 'utf8')) as T;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function float64FromHex(hex: string): number {
  return new DataView(hexToBytes(hex).buffer).getFloat64(0, false);
}

/** The JSON value notation of shared/vectors/README.md → SyrupValue. */
export function fromNotation(n: Notation): SyrupValue {
  const [key] = Object.keys(n);
  const v = n[key] as never;
  switch (key) {
    case 'bool':
      return v as boolean;
    case 'int':
      return BigInt(v as string);
    case 'float64':
      return float64FromHex(v);
    case 'str':
      return v as string;
    case 'sym':
      return new SyrupSymbol(v);
    case 'bytes':
      return hexToBytes(v);
    case 'list':
      return (v as Notation[]).map(fromNotation);
    case 'struct':
      return new SyrupDict((v as [Notation, Notation][]).map(([k, x]) => [fromNotation(k), fromNotation(x)] as const));
    case 'record': {
      const r = v as { label: Notation; fields: Notation[] };
      return new SyrupRecord(fromNotation(r.label), r.fields.map(fromNotation));
    }
    case 'set':
      return new SyrupSet((v as Notation[]).map(fromNotation));
    default:
      throw new Error(`unknown notation ${key}`);
  }
}

function floatBits(x: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, false);
  return bytesToHex(new Uint8Array(dv.buffer));
}

/** Structural equality: dicts and sets as unordered collections, floats by bit pattern. */
export function same(a: SyrupValue, b: SyrupValue): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') {
    // NaN: the decoder only ever returns the canonical one; compare other floats by bits
    if (a !== a) return b !== b;
    return floatBits(a) === floatBits(b as number);
  }
  if (typeof a !== 'object') return a === b;
  if (a instanceof SyrupSymbol) return b instanceof SyrupSymbol && a.name === b.name;
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && !Array.isArray(b) && bytesToHex(a) === bytesToHex(b);
  }
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, (b as SyrupValue[])[i]));
  }
  if (a instanceof SyrupRecord) {
    return (
      b instanceof SyrupRecord &&
      same(a.label, b.label) &&
      a.fields.length === b.fields.length &&
      a.fields.every((x, i) => same(x, b.fields[i]))
    );
  }
  if (a instanceof SyrupDict) {
    if (!(b instanceof SyrupDict) || a.entries.length !== b.entries.length) return false;
    return a.entries.every(([k, v]) => b.entries.some(([k2, v2]) => same(k, k2) && same(v, v2)));
  }
  if (a instanceof SyrupSet) {
    if (!(b instanceof SyrupSet) || a.items.length !== b.items.length) return false;
    return a.items.every((x) => b.items.some((y) => same(x, y)));
  }
  return false;
}
