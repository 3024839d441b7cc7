import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  sym,
  SyrupDict,
  SyrupError,
  SyrupRecord,
  SyrupSet,
  SyrupSymbol,
  type DecodeOptions,
  type SyrupValue,
} from '../../src/syrup/index.js';
import { bytesToHex } from './helpers.js';
import { oracleDecode } from './oracle-decode.js';

function floatToHex(x: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, false);
  return bytesToHex(new Uint8Array(dv.buffer));
}

/** Everything observable about a decoded value, dictionary order and entry order included. */
function show(v: SyrupValue): string {
  if (typeof v === 'bigint') return `${v}i`;
  if (typeof v === 'number') return `D${floatToHex(v)}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof Uint8Array) return `:${bytesToHex(v)}`;
  if (v instanceof SyrupSymbol) return `'${JSON.stringify(v.name)}`;
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (v instanceof SyrupRecord) return `<${show(v.label)} ${v.fields.map(show).join(' ')}>`;
  if (v instanceof SyrupDict) return `{${v.order} ${v.entries.map(([k, x]) => `${show(k)}=${show(x)}`).join(' ')}}`;
  if (v instanceof SyrupSet) return `#${v.items.map(show).join(' ')}$`;
  return `?${String(v)}`;
}

function outcome(dec: (b: Uint8Array, o?: DecodeOptions) => SyrupValue, bytes: Uint8Array, options?: DecodeOptions): string {
  try {
    return `value ${show(dec(bytes, options))}`;
  } catch (e) {
    if (e instanceof SyrupError) return `SyrupError ${e.rule} @${e.offset}`;
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 6 }));
const leaf: fc.Arbitrary<SyrupValue> = fc.oneof(
  fc.boolean(),
  fc.bigInt({ min: -2000n, max: 2000n }),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
  fc.double(),
  text,
  text.map(sym),
  fc.uint8Array({ maxLength: 12 }),
);
const { value } = fc.letrec<{ value: SyrupValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 9 }),
    fc.uniqueArray(fc.tuple(tie('value'), tie('value')), { maxLength: 5, selector: ([k]) => bytesToHex(encode(k)) }).map((e) => new SyrupDict(e)),
    fc.uniqueArray(fc.tuple(text, tie('value')), { maxLength: 5, selector: ([k]) => k }).map((e) => new SyrupDict(e, 'js')),
    fc.tuple(fc.oneof(text.map(sym), tie('value')), fc.array(tie('value'), { maxLength: 8 })).map(([l, f]) => new SyrupRecord(l, f)),
    fc.uniqueArray(tie('value'), { maxLength: 5, selector: (x) => bytesToHex(encode(x)) }).map((items) => new SyrupSet(items)),
  ),
}));

/** Encoded values, sometimes damaged: a byte changed, bytes cut off or inserted, two parts swapped. */
const wire = fc
  .tuple(
    value.map((v) => encode(v)),
    fc.oneof(
      { arbitrary: fc.constant({ kind: 'none' as const }), weight: 4 },
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x30, 0x31, 0x2b, 0x2d, 0x3a, 0x22, 0x27, 0x5b, 0x5d, 0x7b, 0x7d, 0x3c, 0x3e, 0x23, 0x24, 0x44, 0x74, 0x66, 0x80, 0xff) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
    ),
  )
  .map(([bytes, m]) => {
    const b = bytes.slice();
    if (b.length === 0 || m.kind === 'none') return b;
    const at = m.at % b.length;
    if (m.kind === 'set') {
      b[at] = m.byte;
      return b;
    }
    if (m.kind === 'cut') return b.subarray(0, at);
    const end = Math.min(b.length, at + 2 * m.len);
    const mid = at + Math.floor((end - at) / 2);
    return Uint8Array.from([...b.subarray(0, at), ...b.subarray(mid, end), ...b.subarray(at, mid), ...b.subarray(end)]);
  });

const options: fc.Arbitrary<DecodeOptions | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  fc.constant({ dictOrder: 'canonical-or-js' as const }),
  fc.record(
    {
      maxDepth: fc.integer({ min: 0, max: 4 }),
      maxContainerLength: fc.integer({ min: 0, max: 4 }),
      maxBytesLength: fc.integer({ min: 0, max: 8 }),
      maxIntegerDigits: fc.integer({ min: 1, max: 20 }),
      allowSets: fc.boolean(),
      dictOrder: fc.constantFrom('canonical' as const, 'canonical-or-js' as const),
    },
    { requiredKeys: [] },
  ),
);

describe('decode agrees with the decoder it replaced (test/syrup/oracle-decode.ts)', () => {
  it('same value, or the same error at the same offset, for valid, damaged and limited input', () => {
    let values = 0;
    let errors = 0;
    fc.assert(
      fc.property(wire, options, (bytes, o) => {
        const got = outcome(decode, bytes, o);
        expect(got).toBe(outcome(oracleDecode, bytes, o));
        if (got.startsWith('value')) values++;
        else errors++;
      }),
      { seed: 0xdec0de, numRuns: 3000 },
    );
    expect(values).toBeGreaterThan(500);
    expect(errors).toBeGreaterThan(500);
  });

  it('deep nesting beyond the frame arrays first size, and long containers', () => {
    let deep: SyrupValue = 1n;
    for (let i = 0; i < 300; i++) deep = i % 3 === 0 ? [deep] : i % 3 === 1 ? new SyrupRecord(sym('r'), [deep, 'x']) : new SyrupDict([['k', deep]]);
    const long = Array.from({ length: 5000 }, (_, i) => BigInt(i));
    for (const [v, o] of [
      [deep, { maxDepth: 400 }],
      [deep, { maxDepth: 299 }],
      [long, undefined],
      [long, { maxContainerLength: 4999 }],
      [new SyrupRecord(sym('r'), long), { maxContainerLength: 5000 }],
    ] as const) {
      const bytes = encode(v);
      expect(outcome(decode, bytes, o)).toBe(outcome(oracleDecode, bytes, o));
    }
  });
});
