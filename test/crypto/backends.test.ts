import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ed25519 as nobleStock } from '@noble/curves/ed25519.js';
import { ed25519 as native } from '../../src/crypto/ed25519-node.js';
import { ed25519 as noble } from '../../src/crypto/ed25519-noble.js';
import { ed25519 as selected } from '#ed25519';
import { strictPrecheck } from '../../src/crypto/ed25519-checks.js';
import { sign, verify } from '../../src/crypto/index.js';
import { encode } from '../../src/syrup/index.js';
import { rec } from '../../src/syrup/types.js';
import { RFC8032_VECTORS, edgeVectors, smallCurveYs, torsionPoints } from './ed25519-edge.js';

/* Both Ed25519 backends run here under Node: the native one (node:crypto) and the pure-JS
 * one (@noble/curves) that browsers get. They must agree with each other and with the
 * expected answer on every vector. */
const BACKENDS = [native, noble];

describe('backend selection', () => {
  it("'#ed25519' selects the node:crypto backend under Node", () => {
    expect(selected.name).toBe('node:crypto');
    expect(noble.name).toBe('noble');
  });
});

describe.each(BACKENDS)('$name backend: RFC 8032 §7.1 vectors', (backend) => {
  it.each(RFC8032_VECTORS)('$name', ({ seed, publicKey, message, signature }) => {
    expect(bytesToHex(backend.getPublicKey(seed))).toBe(bytesToHex(publicKey));
    expect(bytesToHex(backend.sign(message, seed))).toBe(bytesToHex(signature));
    expect(backend.verify(signature, message, publicKey)).toBe(true);
    const other = message.length === 0 ? new Uint8Array(1) : message.subarray(1);
    expect(backend.verify(signature, other, publicKey)).toBe(false);
  });

  it('returns plain, fresh Uint8Arrays', () => {
    const { seed, message } = RFC8032_VECTORS[0];
    const a = backend.sign(message, seed);
    const b = backend.sign(message, seed);
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(backend.getPublicKey(seed))).toBe(Uint8Array.prototype);
    a[0] ^= 1;
    expect(b).toEqual(RFC8032_VECTORS[0].signature);
  });
});

describe('edge cases: both backends and the public verify give the expected answer', () => {
  const vectors = edgeVectors();
  it('the generated set has every kind, with both answers', () => {
    expect(vectors.length).toBeGreaterThan(40);
    expect(vectors.filter((v) => v.expected).length).toBeGreaterThanOrEqual(3);
    expect(new Set(vectors.map((v) => v.name)).size).toBe(vectors.length);
  });

  it.each(vectors)('$name → $expected', ({ signature, message, publicKey, expected }) => {
    const sig = signature as Uint8Array;
    const key = publicKey as Uint8Array;
    expect({ native: native.verify(sig, message, key), noble: noble.verify(sig, message, key) }).toEqual({
      native: expected,
      noble: expected,
    });
  });

  // The public verify signs the canonical Syrup encoding of a value: run the same cases
  // over the bytes of a record.
  const value = rec('my-location', 'edge');
  it.each(edgeVectors(encode(value)).filter((v) => v.message.length === encode(value).length && !v.name.startsWith('mixed')))(
    'public verify: $name → $expected',
    ({ signature, publicKey, expected }) => {
      expect(verify(value, signature as Uint8Array, publicKey as Uint8Array)).toBe(expected);
    },
  );
});

describe('strictPrecheck (checks 1–5, before any curve arithmetic)', () => {
  const vectors = edgeVectors();
  const reason = (name: string): string | undefined => {
    const v = vectors.find((x) => x.name === name)!;
    return strictPrecheck(v.signature, v.publicKey);
  };
  it('names the first failing check', () => {
    expect(reason('an honest signature from raw scalars')).toBeUndefined();
    expect(reason('the same with S + L (non-canonical S)')).toMatch(/S is not below the group order/);
    expect(reason('S = L exactly')).toMatch(/S is not below/);
    expect(reason('R = identity encoded as y = p + 1')).toMatch(/R encodes a y that is not below p/);
    expect(reason('A = identity encoded as y = p + 1')).toMatch(/public key encodes a y that is not below p/);
    expect(reason('A = identity with the sign bit')).toMatch(/small-order/);
    expect(reason('a 63-byte signature')).toMatch(/signature is not a 64-byte/);
    expect(reason('a 31-byte key')).toMatch(/public key is not a 32-byte/);
    expect(reason('a key as a string')).toMatch(/public key is not a 32-byte/);
  });

  it('lets the curve operation decide R small-order, mixed-order keys and off-curve points', () => {
    for (const v of vectors.filter((x) => /^R = torsion|^mixed-order|not on the curve/.test(x.name))) {
      expect([v.name, strictPrecheck(v.signature, v.publicKey)]).toEqual([v.name, undefined]);
    }
  });

  it('rejects exactly the small-order encodings among keys with y < p', () => {
    // the 8 torsion points, plus the sign-bit variants of the two with x = 0
    const torsion = torsionPoints().map((t) => t.toBytes());
    const xZero = torsion.filter((t) => nobleStock.Point.fromBytes(t).x === 0n);
    expect(xZero).toHaveLength(2);
    const small = [...torsion, ...xZero.map((t) => Uint8Array.from(t, (b, i) => (i === 31 ? b | 0x80 : b)))];
    const sig = new Uint8Array(64);
    for (const key of small) expect(strictPrecheck(sig, key)).toMatch(/small-order/);
    // a torsion point's encoding with one more bit flipped is not in the table
    for (const key of torsion) {
      const near = key.slice();
      near[5] ^= 4;
      expect(strictPrecheck(sig, near)).toBeUndefined();
    }
    expect(strictPrecheck(sig, hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'))).toBeUndefined();
  });

  it('the vectors include every non-canonical key encoding of a curve point (y + p, y < 19)', () => {
    const ys = smallCurveYs();
    expect(ys.slice(0, 2)).toEqual([0n, 1n]); // the order-4 points and the identity
    expect(ys.length).toBeGreaterThan(2);
    for (const y of ys.filter((y) => y > 1n)) {
      expect(reason(`A = the curve point with y = ${y}, written as y + p`)).toMatch(/public key encodes a y that is not below p/);
    }
  });

  it('rejects y ≥ p exactly from p on (boundary)', () => {
    const sig = new Uint8Array(64);
    const pMinus = (d: number): Uint8Array => {
      const b = new Uint8Array(32).fill(0xff);
      b[31] = 0x7f;
      b[0] = 0xed - d; // p − d
      return b;
    };
    expect(strictPrecheck(sig, pMinus(2))).toBeUndefined(); // p − 2
    expect(strictPrecheck(sig, pMinus(0))).toMatch(/not below p/); // p
    const sigHighR = new Uint8Array(64);
    sigHighR.set(pMinus(0));
    expect(strictPrecheck(sigHighR, pMinus(2))).toMatch(/R encodes/);
  });
});

describe('the two backends agree on random keys and messages (property, seed 7)', () => {
  it('same public key, same signature, same verdicts, also with one flipped signature bit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(511),
        (seed, message, bit) => {
          const pk = native.getPublicKey(seed);
          expect(noble.getPublicKey(seed)).toEqual(pk);
          const sig = native.sign(message, seed);
          expect(noble.sign(message, seed)).toEqual(sig);
          expect(native.verify(sig, message, pk)).toBe(true);
          expect(noble.verify(sig, message, pk)).toBe(true);
          const flipped = sig.slice();
          flipped[bit >> 3] ^= 1 << (bit & 7);
          expect(native.verify(flipped, message, pk)).toBe(false);
          expect(noble.verify(flipped, message, pk)).toBe(false);
          const otherKey = pk.slice();
          otherKey[bit & 31] ^= 1 << (bit & 7);
          expect(native.verify(sig, message, otherKey)).toBe(noble.verify(sig, message, otherKey));
        },
      ),
      { seed: 7, numRuns: 80 },
    );
  });
});

describe('native key cache', () => {
  it('never signs with a stale key when a seed array is changed in place', () => {
    const message = new Uint8Array([1, 2, 3]);
    const seed = RFC8032_VECTORS[0].seed.slice();
    const first = native.sign(message, seed);
    seed.set(RFC8032_VECTORS[1].seed);
    expect(native.sign(message, seed)).toEqual(noble.sign(message, RFC8032_VECTORS[1].seed));
    expect(native.getPublicKey(seed)).toEqual(RFC8032_VECTORS[1].publicKey);
    expect(first).toEqual(noble.sign(message, RFC8032_VECTORS[0].seed));
  });

  it('never verifies under a stale key when a public-key array is changed in place', () => {
    const { publicKey, message, signature } = RFC8032_VECTORS[0];
    const key = publicKey.slice();
    expect(native.verify(signature, message, key)).toBe(true);
    key.set(RFC8032_VECTORS[1].publicKey);
    expect(native.verify(signature, message, key)).toBe(false);
    key.set(publicKey);
    expect(native.verify(signature, message, key)).toBe(true);
  });

  it('the public sign and verify use the selected backend consistently', () => {
    const value = rec('my-location', 'x');
    const s = sign(value, RFC8032_VECTORS[0].seed);
    expect(s).toEqual(noble.sign(encode(value), RFC8032_VECTORS[0].seed));
    expect(verify(value, s, RFC8032_VECTORS[0].publicKey)).toBe(true);
  });
});
