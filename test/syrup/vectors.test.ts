import { describe, expect, it } from 'vitest';
import { decode, encode, scanValue, SyrupError, SyrupStreamReader } from '../../src/syrup/index.js';
import { bytesToHex, fromNotation, hexToBytes, loadVectors, same, type Notation } from './helpers.js';

interface ValidCase {
  name: string;
  value: Notation;
  hex: string;
  layer: 'ocapn' | 'syrup';
}
interface InvalidCase {
  name: string;
  hex: string;
  level: 'syrup' | 'ocapn' | 'limit';
  mode: 'value' | 'whole-buffer';
}

const valid = loadVectors<ValidCase[]>('syrup-vectors.json');
const invalid = loadVectors<InvalidCase[]>('invalid-syrup.json');

/** Cases whose bytes are a proper prefix of some valid value ("need more bytes"). */
const TRUNCATED = new Set([
  'digits only (no type byte)',
  'string shorter than its length',
  'bytes shorter than its length',
  'symbol shorter than its length',
  'float64 with 4 bytes',
  'lone D',
  'unterminated list',
  'unterminated dict',
  'unterminated record',
  'unterminated set',
  'lone [',
  'lone <',
  'nested unterminated [[[]]',
]);

describe('syrup-vectors.json (all 120 cases, both layers)', () => {
  it('has the expected number of cases', () => {
    expect(valid.length).toBe(120);
  });
  for (const c of valid) {
    describe(`${c.layer}: ${c.name}`, () => {
      const bytes = hexToBytes(c.hex);
      it('encode(fromNotation(value)) is the canonical hex', () => {
        expect(bytesToHex(encode(fromNotation(c.value)))).toBe(c.hex);
      });
      it('decode(hex) equals the value', () => {
        const v = decode(bytes);
        expect(same(v, fromNotation(c.value))).toBe(true);
      });
      it('encode(decode(hex)) is the same hex', () => {
        expect(bytesToHex(encode(decode(bytes)))).toBe(c.hex);
      });
      it('scanValue finds the end; every proper prefix needs more bytes', () => {
        expect(scanValue(bytes, 0)).toBe(bytes.length);
        for (let i = 0; i < bytes.length; i += Math.max(1, bytes.length >> 5)) {
          expect(scanValue(bytes.subarray(0, i), 0)).toBe(-1);
        }
      });
    });
  }
});

describe('invalid-syrup.json', () => {
  it('has the expected number of cases', () => {
    expect(invalid.length).toBe(88);
  });
  for (const c of invalid) {
    const bytes = hexToBytes(c.hex);
    if (c.level === 'syrup' || c.level === 'limit') {
      it(`${c.level}/${c.mode}: ${c.name} is rejected with SyrupError`, () => {
        let err: unknown;
        try {
          decode(bytes);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(SyrupError);
        const se = err as SyrupError;
        expect(se.message).toBe(`Syrup: ${se.rule} at byte ${se.offset}`);
        expect(se.offset).toBeGreaterThanOrEqual(0);
        expect(se.offset).toBeLessThanOrEqual(bytes.length);
      });
    }
  }

  const ocapnLevel = invalid.filter((c) => c.level === 'ocapn');
  it('ocapn-level cases: the generic codec accepts well-formed Syrup, rejects Float32', () => {
    const outcome = Object.fromEntries(
      ocapnLevel.map((c) => {
        try {
          decode(hexToBytes(c.hex));
          return [c.name, 'accepts'];
        } catch (e) {
          return [c.name, e instanceof SyrupError ? 'rejects' : 'other error'];
        }
      }),
    );
    expect(outcome).toEqual({
      'Float32 F 1.0': 'rejects',
      'set (well-formed Syrup)': 'accepts',
      'dict with symbol key': 'accepts',
      'dict with integer key': 'accepts',
      'record with string label': 'accepts',
      'record with bytes label': 'accepts',
      'record with list label': 'accepts',
    });
  });

  it('with allowSets: false the set case is rejected', () => {
    const c = ocapnLevel.find((x) => x.name === 'set (well-formed Syrup)')!;
    expect(() => decode(hexToBytes(c.hex), { allowSets: false })).toThrow(SyrupError);
  });

  it('2000-deep nesting fails cleanly by the default maxDepth, also in scan and stream', () => {
    const c = invalid.find((x) => x.level === 'limit')!;
    const bytes = hexToBytes(c.hex);
    expect(() => decode(bytes)).toThrow(/maxDepth/);
    expect(() => scanValue(bytes, 0)).toThrow(/maxDepth/);
    expect(() => new SyrupStreamReader().push(bytes)).toThrow(/maxDepth/);
  });

  it('the truncated cases are exactly those scanValue calls need-more', () => {
    const needMore = invalid.filter((c) => {
      try {
        return c.hex !== '' && scanValue(hexToBytes(c.hex), 0) === -1;
      } catch {
        return false;
      }
    });
    expect(new Set(needMore.map((c) => c.name))).toEqual(TRUNCATED);
  });

  for (const c of invalid.filter((x) => TRUNCATED.has(x.name))) {
    it(`stream reader: ${c.name} → need more bytes, then end() throws`, () => {
      const bytes = hexToBytes(c.hex);
      const r = new SyrupStreamReader();
      expect(r.push(bytes)).toEqual([]);
      expect(r.buffered).toBe(bytes.length);
      expect(() => r.end()).toThrow(SyrupError);
    });
  }

  for (const c of invalid.filter((x) => x.mode === 'whole-buffer')) {
    it(`whole-buffer case ${c.name}: scanValue stops at the first value`, () => {
      const bytes = hexToBytes(c.hex);
      const end = scanValue(bytes, 0);
      expect(end).toBeGreaterThan(0);
      expect(end).toBeLessThan(bytes.length);
      expect(() => decode(bytes.subarray(0, end))).not.toThrow();
    });
  }
});
