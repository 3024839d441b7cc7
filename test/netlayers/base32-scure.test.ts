// base32 on @scure/base: byte-identical to the hand-written codec it replaced (differential,
// fixed seeds), lowercase and uppercase read alike, no padding written or accepted.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base32Decode, base32Encode } from '../../src/netlayers/websocket/base32.js';
import { oldBase32Decode, oldBase32Encode } from '../helpers/old-base-codecs.js';

const outcome = (f: () => unknown): unknown => {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
};

describe('base32 on @scure/base', () => {
  it('encodes exactly as before (lowercase, no padding)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const text = base32Encode(bytes);
        expect(text).toBe(oldBase32Encode(bytes));
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(base32Decode(text)).toEqual(bytes);
      }),
      { seed: 1129, numRuns: 400 },
    );
  });

  it('decodes, and refuses, exactly as before: same bytes or same error and message', () => {
    const chars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ234567', '=', '0', '1', '8', '9', ' ', 'é', '-'];
    const text = fc.array(fc.constantFrom(...chars), { maxLength: 20 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(() => base32Decode(t))).toEqual(outcome(() => oldBase32Decode(t)));
      }),
      { seed: 2211, numRuns: 2000 },
    );
    // Mostly valid texts, so that the non-canonical last character is hit often.
    const valid = fc.array(fc.constantFrom(...'aAbBqQ7z2'), { minLength: 1, maxLength: 17 }).map((a) => a.join(''));
    fc.assert(
      fc.property(valid, (t) => {
        expect(outcome(() => base32Decode(t))).toEqual(outcome(() => oldBase32Decode(t)));
      }),
      { seed: 2212, numRuns: 2000 },
    );
  });

  it('reads lowercase, uppercase and mixed case as the same bytes; padding is refused', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
    const lower = base32Encode(key);
    expect(lower).toHaveLength(52); // 256 bits, no "====" tail
    const mixed = [...lower].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    expect(base32Decode(lower)).toEqual(key);
    expect(base32Decode(lower.toUpperCase())).toEqual(key);
    expect(base32Decode(mixed)).toEqual(key);
    expect(() => base32Decode(`${lower}====`)).toThrow(RangeError);
    expect(() => base32Decode('MZXW6===')).toThrow(/invalid character "="/);
    expect(() => base32Decode('mzxw6ytboj')).toThrow(/non-zero padding bits/);
    expect(() => base32Decode(5 as unknown as string)).toThrow(TypeError);
    expect(() => base32Encode('ab' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
