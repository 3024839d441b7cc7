// Review of the decode-options cache (src/captp/wire-codec.ts, one options object per limits
// object): a limits object whose values change is read again, and two objects never share.
import { describe, expect, it } from 'vitest';
import { SYRUP_WIRE_CODEC, type WireDecodeLimits } from '../../src/captp/wire-codec.js';
import { encode } from '../../src/syrup/index.js';

describe('review-perf: SYRUP_WIRE_CODEC decode options cache', () => {
  const deep = encode([[[['x']]]]);
  const long = encode('y'.repeat(40));

  it('a mutable limits object changed between messages is honoured each time', () => {
    const limits = { maxDepth: 10, maxContainerLength: 10, maxBytesLength: 100 };
    expect(SYRUP_WIRE_CODEC.decode(deep, limits)).toEqual([[[['x']]]]);
    limits.maxDepth = 2;
    expect(() => SYRUP_WIRE_CODEC.decode(deep, limits)).toThrow();
    limits.maxDepth = 10;
    expect(SYRUP_WIRE_CODEC.decode(deep, limits)).toEqual([[[['x']]]]);
    limits.maxBytesLength = 10;
    expect(() => SYRUP_WIRE_CODEC.decode(long, limits)).toThrow();
  });

  it('limits objects with different values never share options (frozen ones included)', () => {
    const loose: WireDecodeLimits = Object.freeze({ maxDepth: 10, maxContainerLength: 10, maxBytesLength: 100 });
    const tight: WireDecodeLimits = Object.freeze({ maxDepth: 10, maxContainerLength: 10, maxBytesLength: 10 });
    for (let i = 0; i < 3; i++) {
      expect(SYRUP_WIRE_CODEC.decode(long, loose)).toBe('y'.repeat(40));
      expect(() => SYRUP_WIRE_CODEC.decode(long, tight)).toThrow();
    }
  });
});
