import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encode, sym, SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from '../../src/syrup/index.js';
import { bytesToHex } from './helpers.js';
import { oracleEncode } from './oracle-encode.js';

/** What an encoder did with a value: its bytes (hex) or the TypeError it threw. */
function outcome(enc: (v: SyrupValue) => Uint8Array, v: SyrupValue): string {
  try {
    return `bytes ${bytesToHex(enc(v))}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  // lone surrogates: both encoders must refuse them
  fc.constantFrom('\ud800', 'a\udc00b', 'x\ud83d'),
  fc.string({ unit: fc.constantFrom('a', 'Z', '~', '\u007f'), minLength: 60, maxLength: 300 }),
);

/** Bytestrings around the size where the encoder stops copying them into its scratch buffer. */
const longBytes = fc
  .tuple(fc.integer({ min: 4000, max: 4200 }), fc.integer({ min: 0, max: 3 }), fc.nat(255))
  .map(([n, fill, first]) => {
    const b = new Uint8Array(n).fill(fill);
    b[0] = first;
    return b;
  });

const leaf: fc.Arbitrary<SyrupValue> = fc.oneof(
  fc.boolean(),
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: 0n, max: 2n ** 33n }),
  fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  fc.constantFrom(0n, 9n, 10n, 99n, 100n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n)),
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity),
  text,
  text.map(sym),
  fc.uint8Array({ maxLength: 70 }),
  longBytes,
  // not Syrup values: both encoders must throw the same TypeError
  fc.constantFrom(null, undefined, {}, new Uint16Array(2), Symbol('x'), () => 1) as fc.Arbitrary<unknown> as fc.Arbitrary<SyrupValue>,
);

const { value } = fc.letrec<{ value: SyrupValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    // duplicates allowed on purpose: both encoders must refuse them alike
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 5 }).map((entries) => new SyrupDict(entries)),
    fc.array(fc.tuple(fc.oneof(text, text, leaf), tie('value')), { maxLength: 5 }).map((entries) => new SyrupDict(entries, 'js')),
    fc.tuple(fc.oneof(text.map(sym), tie('value')), fc.array(tie('value'), { maxLength: 4 })).map(([l, f]) => new SyrupRecord(l, f)),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => new SyrupSet(items)),
  ),
}));

describe('encode is byte-for-byte the encoder it replaced (test/syrup/oracle-encode.ts)', () => {
  it('same bytes, or the same TypeError, for arbitrary values', () => {
    let ok = 0;
    let threw = 0;
    fc.assert(
      fc.property(value, (v) => {
        const got = outcome(encode, v);
        expect(got).toBe(outcome(oracleEncode, v));
        if (got.startsWith('bytes')) ok++;
        else threw++;
      }),
      { seed: 0x5eed12, numRuns: 2500 },
    );
    // the generator reaches both outcomes often
    expect(ok).toBeGreaterThan(500);
    expect(threw).toBeGreaterThan(100);
  });

  it('same bytes for CapTP-shaped messages with long bytestrings in records, lists and dictionaries', () => {
    const big = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
    const cases: SyrupValue[] = [
      new SyrupRecord(sym('op:deliver'), [new SyrupRecord(sym('desc:export'), [5n]), [sym('put'), 'upload.bin', big], 3n, false]),
      [big, big.subarray(10, 5000), 'tail', [big.subarray(1, 4096)]],
      new SyrupDict([[big.subarray(0, 5000), 1n], ['a', big], [big.subarray(0, 4999), [big]]]),
      new SyrupSet([big, big.subarray(1), big.subarray(0, 4096)]),
      new SyrupDict([['z', big], ['a', 1n]], 'js'),
    ];
    for (const v of cases) expect(outcome(encode, v)).toBe(outcome(oracleEncode, v));
  });

  it('the symbol caches stay correct when names collide or are long', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `n${i}`).concat(['', 'x'.repeat(64), 'y'.repeat(65), 'é', '\u{1f600}']);
    for (let round = 0; round < 2; round++) {
      for (const name of names) expect(bytesToHex(encode(new SyrupSymbol(name)))).toBe(bytesToHex(oracleEncode(new SyrupSymbol(name))));
    }
  });
});

describe('encode results', () => {
  afterEach(() => vi.restoreAllMocks());

  it('each result has its own exact-size ArrayBuffer, untouched by later calls', () => {
    const big = new Uint8Array(100_000).fill(9);
    const values: SyrupValue[] = ['a', 'x'.repeat(100), [big, 'b'], new SyrupDict([['k', big]]), 7n];
    const results = values.map((v) => encode(v));
    const copies = results.map((r) => r.slice());
    for (const v of values) encode(v);
    const buffers = new Set<ArrayBufferLike>();
    results.forEach((r, i) => {
      expect(r.byteOffset).toBe(0);
      expect(r.buffer.byteLength).toBe(r.length);
      expect(r).toEqual(copies[i]);
      buffers.add(r.buffer);
    });
    expect(buffers.size).toBe(values.length);
  });

  it('a 1 MiB bytestring is copied once (counted, not timed)', () => {
    const blob = new Uint8Array(1024 * 1024).fill(5);
    const message = new SyrupRecord(sym('op:deliver'), [new SyrupRecord(sym('desc:export'), [5n]), [sym('put'), 'upload.bin', blob], 3n]);
    encode(message); // warm the caches
    let copied = 0;
    const set = Uint8Array.prototype.set;
    const slice = Uint8Array.prototype.slice;
    vi.spyOn(Uint8Array.prototype, 'set').mockImplementation(function (this: Uint8Array, source: ArrayLike<number>, offset?: number) {
      copied += source.length;
      set.call(this, source, offset);
    });
    vi.spyOn(Uint8Array.prototype, 'slice').mockImplementation(function (this: Uint8Array, start?: number, end?: number) {
      const out = slice.call(this, start, end);
      copied += out.length;
      return out;
    });
    const out = encode(message);
    vi.restoreAllMocks();
    expect(out.length).toBeGreaterThan(blob.length);
    expect(copied).toBeGreaterThanOrEqual(blob.length);
    expect(copied).toBeLessThan(blob.length + 1024);
  });
});
