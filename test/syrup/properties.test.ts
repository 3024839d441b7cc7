import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  scanValue,
  sym,
  SyrupDict,
  SyrupError,
  SyrupRecord,
  SyrupSet,
  SyrupStreamReader,
  type SyrupValue,
} from '../../src/syrup/index.js';
import { bytesToHex, same } from './helpers.js';

const key = (v: SyrupValue): string => bytesToHex(encode(v));

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));

const leaf: fc.Arbitrary<SyrupValue> = fc.oneof(
  fc.boolean(),
  fc.bigInt(),
  fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
  fc.double(),
  text,
  text.map(sym),
  fc.uint8Array({ maxLength: 16 }),
);

const { value } = fc.letrec<{ value: SyrupValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(tie('value'), tie('value')), { maxLength: 5, selector: ([k]) => key(k) })
      .map((entries) => new SyrupDict(entries)),
    fc.tuple(tie('value'), fc.array(tie('value'), { maxLength: 4 })).map(([l, f]) => new SyrupRecord(l, f)),
    fc.uniqueArray(tie('value'), { maxLength: 5, selector: key }).map((items) => new SyrupSet(items)),
  ),
}));

/** Returns a copy of `v` with every dictionary's entries and set's items shuffled by `rand`. */
function shuffle(v: SyrupValue, rand: () => number): SyrupValue {
  const mix = <T>(xs: readonly T[]): T[] => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };
  if (Array.isArray(v)) return v.map((x: SyrupValue) => shuffle(x, rand));
  if (v instanceof SyrupDict) return new SyrupDict(mix(v.entries.map(([k, x]) => [shuffle(k, rand), shuffle(x, rand)] as const)));
  if (v instanceof SyrupSet) return new SyrupSet(mix(v.items.map((x) => shuffle(x, rand))));
  if (v instanceof SyrupRecord) return new SyrupRecord(shuffle(v.label, rand), v.fields.map((x) => shuffle(x, rand)));
  return v;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('properties (fast-check, fixed seeds)', () => {
  it('decode(encode(v)) equals v, and re-encoding is identical', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encode(v);
        const back = decode(bytes);
        expect(same(back, v)).toBe(true);
        expect(bytesToHex(encode(back))).toBe(bytesToHex(bytes));
      }),
      { seed: 42, numRuns: 1500 },
    );
  });

  it('encoding does not depend on dictionary or set insertion order', () => {
    fc.assert(
      fc.property(value, fc.integer(), (v, seed) => {
        expect(bytesToHex(encode(shuffle(v, lcg(seed))))).toBe(bytesToHex(encode(v)));
      }),
      { seed: 43, numRuns: 1000 },
    );
  });

  it('any chunking of a stream of values yields the same values', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        (values, sizes) => {
          const stream = concat(values.map(encode));
          const r = new SyrupStreamReader();
          const got: SyrupValue[] = [];
          for (let i = 0, k = 0; i < stream.length; k++) {
            const n = sizes[k % sizes.length];
            got.push(...r.push(stream.subarray(i, i + n)));
            i += n;
          }
          r.end();
          expect(got.length).toBe(values.length);
          got.forEach((g, i) => expect(same(g, values[i])).toBe(true));
        },
      ),
      { seed: 44, numRuns: 500 },
    );
  });

  it('scanValue finds the encoded length, and -1 for every proper prefix', () => {
    fc.assert(
      fc.property(value, fc.uint8Array({ maxLength: 4 }), (v, junk) => {
        const bytes = encode(v);
        expect(scanValue(bytes, 0)).toBe(bytes.length);
        expect(scanValue(concat([junk, bytes, junk]), junk.length)).toBe(junk.length + bytes.length);
        const step = Math.max(1, Math.floor(bytes.length / 200));
        for (let i = 0; i < bytes.length; i += step) expect(scanValue(bytes.subarray(0, i), 0)).toBe(-1);
      }),
      { seed: 45, numRuns: 400 },
    );
  });

  it('mutated encodings: decode returns a canonical value or throws SyrupError, never anything else', () => {
    const mutation = fc.record({
      kind: fc.constantFrom('flip', 'set', 'truncate', 'insert', 'delete'),
      at: fc.nat(),
      byte: fc.constantFrom(0x00, 0x2b, 0x2d, 0x30, 0x31, 0x39, 0x3a, 0x22, 0x27, 0x5b, 0x5d, 0x7b, 0x7d, 0x3c, 0x3e, 0x23, 0x24, 0x44, 0x46, 0x74, 0x20, 0x80, 0xc3, 0xff),
      bit: fc.integer({ min: 0, max: 7 }),
    });
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, muts) => {
        let b = Array.from(encode(v));
        for (const m of muts) {
          const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === 'insert' ? 1 : 0));
          if (m.kind === 'flip' && b.length) b[at] ^= 1 << m.bit;
          else if (m.kind === 'set' && b.length) b[at] = m.byte;
          else if (m.kind === 'truncate') b = b.slice(0, at);
          else if (m.kind === 'insert') b.splice(at, 0, m.byte);
          else if (m.kind === 'delete') b.splice(at, 1);
        }
        const bytes = Uint8Array.from(b);
        let decoded: SyrupValue | undefined;
        try {
          decoded = decode(bytes);
        } catch (e) {
          if (!(e instanceof SyrupError)) throw e;
        }
        if (decoded !== undefined) {
          accepted++;
          // strictness: whatever is accepted is exactly the canonical encoding of the result
          expect(bytesToHex(encode(decoded))).toBe(bytesToHex(bytes));
          expect(scanValue(bytes, 0)).toBe(bytes.length);
        } else {
          rejected++;
        }
        // the scanner and the stream reader also fail only with SyrupError
        try {
          scanValue(bytes, 0);
        } catch (e) {
          if (!(e instanceof SyrupError)) throw e;
          expect(decoded).toBeUndefined();
        }
        try {
          const r = new SyrupStreamReader();
          for (let i = 0; i < bytes.length; i += 3) r.push(bytes.subarray(i, i + 3));
          r.end();
        } catch (e) {
          if (!(e instanceof SyrupError)) throw e;
        }
      }),
      { seed: 46, numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});
