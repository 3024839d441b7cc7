// What the content-store example's peers hold and say: deterministic blobs (so every run
// prints the same hashes), and each peer's role, including the two that lie.
import { createHash } from 'node:crypto';

export const CHUNK_BYTES = 16 * 1024; // one read returns at most this much: far below any message limit

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** `size` bytes that depend only on `seed`. */
export function makeBlob(seed, size) {
  const out = new Uint8Array(size);
  for (let i = 0, block = 0; i < size; block++) {
    const digest = createHash('sha256').update(`${seed}/${block}`).digest();
    out.set(digest.subarray(0, Math.min(32, size - i)), i);
    i += 32;
  }
  return out;
}

// The packages, by name; and one blob no honest peer would vouch for.
export const PACKAGES = {
  'left-pad@1.0.0': makeBlob('left-pad@1.0.0', 100_000),
  'tiny-lib@2.1.0': makeBlob('tiny-lib@2.1.0', 40_000),
};
export const EVIL = makeBlob('left-pad@1.0.0 with a backdoor', 100_000);

const honestVouches = Object.fromEntries(Object.entries(PACKAGES).map(([name, blob]) => [name, sha256(blob)]));

/** Each peer: the blobs it holds, the name→hash mappings it vouches for, how it lies. */
export const PEERS = {
  'peer-1': { holds: ['left-pad@1.0.0'], vouches: honestVouches, corruptsBytes: true }, // serves wrong bytes
  'peer-2': { holds: ['left-pad@1.0.0'], vouches: honestVouches },
  'peer-3': {
    holds: ['tiny-lib@2.1.0', EVIL],
    vouches: { ...honestVouches, 'left-pad@1.0.0': sha256(EVIL), 'evil-pkg@6.6.6': sha256(EVIL) }, // vouches for the backdoor
  },
  'peer-4': { holds: ['left-pad@1.0.0', 'tiny-lib@2.1.0'], vouches: honestVouches },
};
