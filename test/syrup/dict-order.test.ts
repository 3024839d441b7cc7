/**
 * Dictionary key order: the strict default, the `dictOrder: 'canonical-or-js'` decode that
 * also accepts Endo's JS string order (notes §15.1), and `SyrupDict.order` on the encoder.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, encode, SyrupDict, SyrupError, SyrupSet, sym, type SyrupValue } from '../../src/syrup/index.js';
import { bytesToHex, fromNotation, hexToBytes, loadVectors, same, type Notation } from './helpers.js';

const LENIENT = { dictOrder: 'canonical-or-js' } as const;
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `{k1 v1 k2 v2 …}` written in exactly the given order (no sorting). */
function rawDict(entries: [SyrupValue, SyrupValue][]): Uint8Array {
  const parts = [ascii('{'), ...entries.flatMap(([k, v]) => [encode(k), encode(v)]), ascii('}')];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

const jsCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const canonicalKeys = (keys: string[]): string[] =>
  [...keys].sort((a, b) => {
    const x = bytesToHex(encode(a));
    const y = bytesToHex(encode(b));
    return x < y ? -1 : x > y ? 1 : 0;
  });

function rule(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof SyrupError) return e.rule;
    throw e;
  }
  throw new Error('did not throw');
}

// Endo's struct from vectors/endo-head a2: {"count" 3, "name" "ocapn"} in JS order.
const ENDO_STRUCT = ascii('{5"count3+4"name5"ocapn}');
const CANONICAL_STRUCT = ascii('{4"name5"ocapn5"count3+}');

describe('strict by default', () => {
  it('refuses Endo\'s order with the canonical rule', () => {
    expect(rule(() => decode(ENDO_STRUCT))).toBe('dictionary keys not in canonical order');
    expect(rule(() => decode(ENDO_STRUCT, { dictOrder: 'canonical' }))).toBe('dictionary keys not in canonical order');
  });
  it('decodes canonical order as order canonical', () => {
    expect((decode(CANONICAL_STRUCT) as SyrupDict).order).toBe('canonical');
  });
  it('checks the option', () => {
    expect(() => decode(CANONICAL_STRUCT, { dictOrder: 'js' as never })).toThrow(TypeError);
  });
});

describe("dictOrder 'canonical-or-js'", () => {
  it("accepts Endo's order, marks it 'js', and re-encodes the same bytes", () => {
    const d = decode(ENDO_STRUCT, LENIENT) as SyrupDict;
    expect(d.order).toBe('js');
    expect(d.entries.map(([k]) => k)).toEqual(['count', 'name']);
    expect(bytesToHex(encode(d))).toBe(bytesToHex(ENDO_STRUCT));
  });
  it("accepts canonical order as 'canonical'", () => {
    const d = decode(CANONICAL_STRUCT, LENIENT) as SyrupDict;
    expect(d.order).toBe('canonical');
    expect(bytesToHex(encode(d))).toBe(bytesToHex(CANONICAL_STRUCT));
  });
  it('keys in both orders at once decode as canonical', () => {
    const bytes = rawDict([['host', '1'], ['port', '2']]);
    expect((decode(bytes, LENIENT) as SyrupDict).order).toBe('canonical');
  });
  it('refuses an order that is neither, even when each pair fits one of them', () => {
    // canonical: a b aa; JS: a aa b. "a aa b" is JS; "a b aa" canonical; these are neither:
    for (const keys of [['b', 'a', 'aa'], ['aa', 'a', 'b'], ['b', 'aa', 'a'], ['aa', 'b', 'a']]) {
      const bytes = rawDict(keys.map((k, i) => [k, BigInt(i)]));
      expect(rule(() => decode(bytes, LENIENT)), keys.join(' ')).toBe('dictionary keys in neither canonical nor JS string order');
    }
    // First pair canonical only (1"b < 2"aa), second pair both: canonical.
    const mixed = rawDict([['b', 1n], ['aa', 2n], ['ab', 3n]]);
    expect((decode(mixed, LENIENT) as SyrupDict).order).toBe('canonical');
    // First pairs both, then canonical only, then JS only: refused.
    const switchover = rawDict([['a', 1n], ['c', 2n], ['bb', 3n], ['b', 4n]]);
    expect(rule(() => decode(switchover, LENIENT))).toBe('dictionary keys in neither canonical nor JS string order');
  });
  it('refuses duplicate keys', () => {
    expect(rule(() => decode(ascii('{1"a1+1"a2+}'), LENIENT))).toBe('duplicate dictionary keys');
    expect(rule(() => decode(rawDict([['aa', 1n], ['b', 2n], ['b', 3n]]), LENIENT))).toBe('duplicate dictionary keys');
  });
  it('applies JS order to string keys only', () => {
    // 2:aa then 1:b: not canonical, and bytestring keys have no JS string order.
    expect(rule(() => decode(rawDict([[ascii('aa'), 1n], [ascii('b'), 2n]]), LENIENT))).toBe('dictionary keys in neither canonical nor JS string order');
    expect(rule(() => decode(rawDict([[sym('aa'), 1n], [sym('b'), 2n]]), LENIENT))).toBe('dictionary keys in neither canonical nor JS string order');
  });
  it('keeps sets canonical', () => {
    expect(rule(() => decode(ascii('#2"aa1"b$'), LENIENT))).toBe('set items not in canonical order');
  });
  it('marks nested dictionaries each by its own order', () => {
    const inner = rawDict([['aa', 1n], ['b', 2n]]);
    const outer = new Uint8Array([...ascii('{1"x'), ...inner, ...ascii('1"y'), ...CANONICAL_STRUCT, ...ascii('}')]);
    const d = decode(outer, LENIENT) as SyrupDict;
    expect(d.order).toBe('canonical');
    expect((d.entries[0][1] as SyrupDict).order).toBe('js');
    expect((d.entries[1][1] as SyrupDict).order).toBe('canonical');
    expect(bytesToHex(encode(d))).toBe(bytesToHex(outer));
  });

  interface ValidCase {
    name: string;
    value: Notation;
    hex: string;
    tags?: string[];
    endo: { ocapn_codec: { hex?: string } };
  }
  const endoDiff = loadVectors<ValidCase[]>('syrup-vectors.json').filter((c) => c.tags?.includes('endo-diff') && c.endo.ocapn_codec.hex);
  it('decodes the bytes Endo really writes (syrup-vectors endo-diff) and writes them back', () => {
    expect(endoDiff.length).toBe(4);
    for (const c of endoDiff) {
      const endoBytes = hexToBytes(c.endo.ocapn_codec.hex!);
      expect(() => decode(endoBytes), c.name).toThrow(SyrupError);
      const d = decode(endoBytes, LENIENT) as SyrupDict;
      expect(same(d, fromNotation(c.value)), c.name).toBe(true);
      expect(d.order, c.name).toBe('js');
      expect(bytesToHex(encode(d)), c.name).toBe(c.endo.ocapn_codec.hex);
      // Built from the notation with order 'js', our encoder writes Endo's bytes too.
      const js = new SyrupDict((fromNotation(c.value) as SyrupDict).entries, 'js');
      expect(bytesToHex(encode(js)), c.name).toBe(c.endo.ocapn_codec.hex);
      expect(bytesToHex(encode(decode(hexToBytes(c.hex), LENIENT))), c.name).toBe(c.hex);
    }
  });
});

describe("SyrupDict order 'js' on the encoder", () => {
  it('sorts by UTF-16 code units', () => {
    // 😀 (U+1F600, surrogates D83D DE00) sorts before Ａ (U+FF21) as JS strings, after it by UTF-8.
    const d = new SyrupDict([['Ａa', 1n], ['😀', 2n]], 'js');
    expect(bytesToHex(encode(d))).toBe(bytesToHex(rawDict([['😀', 2n], ['Ａa', 1n]])));
    expect(bytesToHex(encode(new SyrupDict(d.entries)))).toBe(bytesToHex(rawDict([['Ａa', 1n], ['😀', 2n]])));
    expect((decode(encode(d), LENIENT) as SyrupDict).order).toBe('js');
  });
  it('refuses non-string keys, duplicates and unknown orders', () => {
    expect(() => encode(new SyrupDict([[1n, 1n]], 'js'))).toThrow(/needs string keys/);
    expect(() => encode(new SyrupDict([['a', 1n], ['b', 2n], ['a', 3n]], 'js'))).toThrow(/duplicate/);
    expect(() => new SyrupDict([], 'bytes' as never)).toThrow(TypeError);
  });
  it('does not change canonical encoding of other dictionaries', () => {
    expect(bytesToHex(encode(new SyrupDict([['count', 3n], ['name', 'ocapn']])))).toBe(bytesToHex(CANONICAL_STRUCT));
  });
});

describe('properties (fast-check, fixed seed)', () => {
  const key = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 3 }), fc.constantFrom('a', 'aa', 'b', '9', '10', 'é', '😀', 'Ａ'));
  const keys = fc.uniqueArray(key, { minLength: 0, maxLength: 7 });

  it('a permutation decodes leniently iff it is the canonical or the JS order; decoded, it re-encodes byte for byte', () => {
    fc.assert(
      fc.property(keys, fc.integer(), (ks, seed) => {
        // A deterministic shuffle of the keys.
        let s = seed >>> 0;
        const perm = [...ks];
        for (let i = perm.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const bytes = rawDict(perm.map((k, i) => [k, BigInt(i)]));
        const isCanonical = perm.join('\u0000') === canonicalKeys(perm).join('\u0000');
        const isJs = perm.join('\u0000') === [...perm].sort(jsCompare).join('\u0000');
        let d: SyrupDict | undefined;
        try {
          d = decode(bytes, LENIENT) as SyrupDict;
        } catch (e) {
          expect(e).toBeInstanceOf(SyrupError);
        }
        expect(d !== undefined).toBe(isCanonical || isJs);
        if (d) {
          expect(d.order).toBe(isCanonical ? 'canonical' : 'js');
          expect(bytesToHex(encode(d))).toBe(bytesToHex(bytes));
        }
        // The strict decoder takes exactly the canonical permutation.
        let strictOk = true;
        try {
          decode(bytes);
        } catch {
          strictOk = false;
        }
        expect(strictOk).toBe(isCanonical);
      }),
      { seed: 1729, numRuns: 2000 },
    );
  });

  it("encode(SyrupDict order 'js') is JS order whatever the given order", () => {
    fc.assert(
      fc.property(keys, (ks) => {
        const entries = ks.map((k, i) => [k, BigInt(i)] as [string, bigint]);
        const want = rawDict([...entries].sort((a, b) => jsCompare(a[0], b[0])));
        expect(bytesToHex(encode(new SyrupDict([...entries].reverse(), 'js')))).toBe(bytesToHex(want));
      }),
      { seed: 31337, numRuns: 1000 },
    );
  });
});

describe('sets stay untouched', () => {
  it('SyrupSet still sorts canonically', () => {
    expect(bytesToHex(encode(new SyrupSet(['b', 'aa'])))).toBe(bytesToHex(ascii('#1"b2"aa$')));
  });
});
