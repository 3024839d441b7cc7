import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { encode, decode } from '../../src/syrup/index.js';
import { SyrupDict, rec, sym, type SyrupValue } from '../../src/syrup/types.js';
import {
  OcapnCryptoError,
  generateKeyPair,
  keyPairFromSeed,
  publicKeyToSyrup,
  publicKeyFromSyrup,
  signatureToSyrup,
  signatureFromSyrup,
  sign,
  verify,
  publicId,
  sessionId,
  randomBytes,
} from '../../src/crypto/index.js';
import { PK1, PK2, SK1 } from '../helpers/rfc8032.js';
const MESSAGE = rec('my-location', rec('ocapn-peer', sym('tcp-testing-only'), 'peer-a', false));

const q32 = new Uint8Array(32).fill(7);
/** A public-key list with one part replaced. */
const pkList = (o: { label?: string; ecc?: string; curve?: SyrupValue; flags?: SyrupValue; q?: SyrupValue; qLabel?: string } = {}): SyrupValue => [
  sym(o.label ?? 'public-key'),
  [
    sym(o.ecc ?? 'ecc'),
    [sym('curve'), o.curve ?? sym('Ed25519')],
    [sym('flags'), o.flags ?? sym('eddsa')],
    [sym(o.qLabel ?? 'q'), o.q ?? q32],
  ],
];

describe('key pairs', () => {
  it('generateKeyPair gives fresh 32-byte keys that sign and verify', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.privateKey).toHaveLength(32);
    expect(a.publicKey).toHaveLength(32);
    expect(a.privateKey).not.toEqual(b.privateKey);
    expect(a.publicKey).not.toEqual(b.publicKey);
    expect(keyPairFromSeed(a.privateKey).publicKey).toEqual(a.publicKey);
    const sig = sign(MESSAGE, a.privateKey);
    expect(verify(MESSAGE, sig, a.publicKey)).toBe(true);
    expect(verify(MESSAGE, sig, b.publicKey)).toBe(false);
  });

  it('keyPairFromSeed copies the seed and rejects bad seeds', () => {
    const seed = SK1.slice();
    const kp = keyPairFromSeed(seed);
    seed[0] ^= 1;
    expect(kp.privateKey).toEqual(SK1);
    expect(kp.publicKey).toEqual(PK1);
    expect(Object.isFrozen(kp)).toBe(true);
    expect(() => keyPairFromSeed(new Uint8Array(31))).toThrow(RangeError);
    expect(() => keyPairFromSeed(new Uint8Array(33))).toThrow(/exactly 32 bytes, got 33/);
    expect(() => keyPairFromSeed('x'.repeat(32) as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('randomBytes', () => {
  it('returns the requested number of bytes, also above the Web Crypto 64 KiB chunk', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(32)).toHaveLength(32);
    const big = randomBytes(70_000);
    expect(big).toHaveLength(70_000);
    // the tail beyond the first chunk is filled too (all-zero has probability 2^-35104)
    expect(big.subarray(65_536).some((b) => b !== 0)).toBe(true);
    expect(randomBytes(32)).not.toEqual(randomBytes(32));
  });
  it('rejects bad lengths', () => {
    expect(() => randomBytes(-1)).toThrow(RangeError);
    expect(() => randomBytes(1.5)).toThrow(RangeError);
    expect(() => randomBytes(Number.NaN)).toThrow(RangeError);
  });
});

describe('sign / verify', () => {
  const sig = sign(MESSAGE, SK1);

  it('rejects a signature with any single flipped bit', () => {
    expect(verify(MESSAGE, sig, PK1)).toBe(true);
    for (const bit of [0, 7, 100, 255, 256, 300, 511]) {
      const bad = sig.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(verify(MESSAGE, bad, PK1)).toBe(false);
    }
  });

  it('rejects a wrong key, a changed message, and malformed key/signature without throwing', () => {
    expect(verify(MESSAGE, sig, PK2)).toBe(false);
    expect(verify(rec('my-location', 'other'), sig, PK1)).toBe(false);
    expect(verify(MESSAGE, sig.subarray(0, 63), PK1)).toBe(false);
    expect(verify(MESSAGE, new Uint8Array(65), PK1)).toBe(false);
    expect(verify(MESSAGE, sig, PK1.subarray(0, 31))).toBe(false);
    expect(verify(MESSAGE, sig, new Uint8Array(32).fill(0xff))).toBe(false); // not a curve point
    expect(verify(MESSAGE, null as unknown as Uint8Array, PK1)).toBe(false);
    expect(verify(MESSAGE, sig, 'key' as unknown as Uint8Array)).toBe(false);
    // s ≥ L (non-canonical scalar) is rejected
    const highS = sig.slice();
    highS.fill(0xff, 32);
    expect(verify(MESSAGE, highS, PK1)).toBe(false);
  });

  it('verifies over the canonical re-encoding (dictionary order does not matter)', () => {
    const a = rec('x', new SyrupDict([['b', 1n], ['aa', 2n]]));
    const b = rec('x', new SyrupDict([['aa', 2n], ['b', 1n]]));
    expect(verify(b, sign(a, SK1), PK1)).toBe(true);
  });

  it('sign rejects a bad private key', () => {
    expect(() => sign(MESSAGE, new Uint8Array(64))).toThrow(RangeError);
    expect(() => sign(MESSAGE, [] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('round-trips sign/verify for random keys and values (property, seed 42)', () => {
    const value = fc.letrec<{ v: SyrupValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.boolean(),
        fc.bigInt(),
        fc.string(),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(tie('v'), { maxLength: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), value, fc.nat(511), (seed, v, bit) => {
        const kp = keyPairFromSeed(seed);
        const s = sign(v, kp.privateKey);
        expect(verify(v, s, kp.publicKey)).toBe(true);
        expect(verify(decode(encode(v)), s, kp.publicKey)).toBe(true);
        const flipped = s.slice();
        flipped[bit >> 3] ^= 1 << (bit & 7);
        expect(verify(v, flipped, kp.publicKey)).toBe(false);
      }),
      { seed: 42, numRuns: 60 },
    );
  });
});

describe('public-key list', () => {
  it('round-trips and copies the key', () => {
    const v = publicKeyToSyrup(PK1);
    expect(publicKeyFromSyrup(v)).toEqual(PK1);
    expect(publicKeyFromSyrup(decode(encode(v)))).toEqual(PK1);
  });

  it('publicKeyToSyrup rejects bad keys', () => {
    expect(() => publicKeyToSyrup(new Uint8Array(31))).toThrow(RangeError);
    expect(() => publicKeyToSyrup({} as Uint8Array)).toThrow(TypeError);
  });

  const bad: [string, SyrupValue, RegExp][] = [
    ['wrong outer label', pkList({ label: 'public-keys' }), /expected symbol 'public-key, got symbol 'public-keys/],
    ['wrong ecc label', pkList({ ecc: 'rsa' }), /expected symbol 'ecc/],
    ['wrong curve', pkList({ curve: sym('Ed448') }), /curve: expected symbol 'Ed25519, got symbol 'Ed448/],
    ['curve as string', pkList({ curve: 'Ed25519' }), /curve: expected symbol 'Ed25519, got string/],
    ['wrong flags', pkList({ flags: sym('ecdsa') }), /flags: expected symbol 'eddsa/],
    ['31-byte q', pkList({ q: new Uint8Array(31) }), /q: expected exactly 32 bytes, got 31/],
    ['33-byte q', pkList({ q: new Uint8Array(33) }), /exactly 32 bytes, got 33/],
    ['q as string', pkList({ q: 'x'.repeat(32) }), /q: expected a bytestring/],
    ['wrong q label', pkList({ qLabel: 'x' }), /expected symbol 'q/],
    ['a record instead of a list', rec('public-key', q32), /expected a list \['public-key/],
    ['empty list', [], /empty list/],
    ['extra item', [sym('public-key'), (pkList() as SyrupValue[])[1], false], /exactly 1 item after the label, got 2/],
    ['guide example with (s …)', [sym('public-key'), [sym('ecc'), [sym('curve'), sym('Ed25519')], [sym('flags'), sym('eddsa')], [sym('q'), q32], [sym('s'), q32]]], /exactly 3 items after the label, got 4/],
    ['parts out of order', [sym('public-key'), [sym('ecc'), [sym('flags'), sym('eddsa')], [sym('curve'), sym('Ed25519')], [sym('q'), q32]]], /expected symbol 'curve/],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => publicKeyFromSyrup(value)).toThrow(OcapnCryptoError);
      expect(() => publicKeyFromSyrup(value)).toThrow(message);
    });
  }
});

describe('sig-val list', () => {
  const sig = sign(MESSAGE, SK1);
  const sigList = (o: { label?: string; scheme?: string; r?: SyrupValue; s?: SyrupValue; rLabel?: string } = {}): SyrupValue => [
    sym(o.label ?? 'sig-val'),
    [sym(o.scheme ?? 'eddsa'), [sym(o.rLabel ?? 'r'), o.r ?? sig.slice(0, 32)], [sym('s'), o.s ?? sig.slice(32)]],
  ];

  it('round-trips', () => {
    expect(signatureFromSyrup(sigList())).toEqual(sig);
    expect(signatureFromSyrup(decode(encode(signatureToSyrup(sig))))).toEqual(sig);
  });

  it('signatureToSyrup rejects non-64-byte input', () => {
    expect(() => signatureToSyrup(new Uint8Array(63))).toThrow(RangeError);
  });

  const bad: [string, () => SyrupValue, RegExp][] = [
    ['wrong label', () => sigList({ label: 'sig' }), /expected symbol 'sig-val/],
    ['wrong scheme', () => sigList({ scheme: 'ecdsa' }), /expected symbol 'eddsa/],
    ['r and s swapped labels', () => sigList({ rLabel: 's' }), /expected symbol 'r/],
    ['31-byte r', () => sigList({ r: new Uint8Array(31) }), /signature r: expected exactly 32 bytes, got 31/],
    ['s as integer', () => sigList({ s: 5n }), /signature s: expected a bytestring, got integer 5/],
    ['not a list', () => sig, /expected a list/],
  ];
  for (const [name, make, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => signatureFromSyrup(make())).toThrow(OcapnCryptoError);
      expect(() => signatureFromSyrup(make())).toThrow(message);
    });
  }
});

describe('publicId / sessionId', () => {
  it('reject wrong sizes', () => {
    expect(() => publicId(new Uint8Array(31))).toThrow(RangeError);
    expect(() => sessionId(new Uint8Array(32), new Uint8Array(31))).toThrow(RangeError);
    expect(() => sessionId('a' as unknown as Uint8Array, new Uint8Array(32))).toThrow(TypeError);
  });
  it('sessionId is symmetric and orders by unsigned bytes (0x80 > 0x7f)', () => {
    const lo = new Uint8Array(32).fill(0x7f);
    const hi = new Uint8Array(32).fill(0x7f);
    hi[0] = 0x80;
    expect(sessionId(lo, hi)).toEqual(sessionId(hi, lo));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        expect(sessionId(a, b)).toEqual(sessionId(b, a));
      }),
      { seed: 42, numRuns: 50 },
    );
  });
  it('OcapnCryptoError is an Error with its own name', () => {
    const e = new OcapnCryptoError('boom');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('OcapnCryptoError');
  });
});
