/**
 * examples/content-store as a user runs it: four peer processes and a client over WebSocket.
 * The client accepts a name→hash mapping only from a quorum of the peers it trusts, fetches
 * blobs by SHA-256 in chunks of at most 16 KiB from whichever peer holds them, and skips the
 * peer that serves wrong bytes and the one that vouches for a wrong hash.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, ensureBuilt, run } from '../helpers/built.js';

/** The example's blobs, rebuilt here independently of its code: SHA-256 of seed/block, concatenated. */
function blobHash(seed: string, size: number): string {
  const parts: Buffer[] = [];
  for (let block = 0; parts.length * 32 < size; block++) parts.push(createHash('sha256').update(`${seed}/${block}`).digest());
  return createHash('sha256').update(Buffer.concat(parts).subarray(0, size)).digest('hex').slice(0, 12);
}

it('fetches by hash from whoever holds it, trusts a quorum for names, and skips both liars', async () => {
  ensureBuilt();
  const r = await run([join(ROOT, 'examples/content-store/run.mjs')], 90_000);
  expect(r.stderr).toBe('');
  expect(r.code, r.stdout).toBe(0);
  const leftPad = blobHash('left-pad@1.0.0', 100_000);
  const tinyLib = blobHash('tiny-lib@2.1.0', 40_000);
  const evil = blobHash('left-pad@1.0.0 with a backdoor', 100_000);
  const client = r.stdout.split('\n').filter((l) => l.startsWith('[client]'));
  expect(client).toEqual([
    '[client] vouchers: peer-2, peer-3, peer-4; quorum 2 of 3',
    `[client] left-pad@1.0.0: ${leftPad}… vouched by peer-2, peer-4 (2 of 3)`,
    `[client] left-pad@1.0.0: peer-3 vouched for ${evil}… instead: outvoted`,
    `[client] ${leftPad}… is held by peer-1, peer-2, peer-4`,
    expect.stringMatching(new RegExp(`^\\[client\\] peer-1 served 100000 bytes in 7 chunks with SHA-256 [0-9a-f]{12}…, not ${leftPad}…: skipped$`)),
    '[client] fetched 100000 bytes from peer-2 in 7 chunks of at most 16384 bytes: SHA-256 verified',
    '[client] left-pad@1.0.0: OK',
    `[client] tiny-lib@2.1.0: ${tinyLib}… vouched by peer-2, peer-3, peer-4 (3 of 3)`,
    `[client] ${tinyLib}… is held by peer-3, peer-4`,
    '[client] fetched 40000 bytes from peer-3 in 3 chunks of at most 16384 bytes: SHA-256 verified',
    '[client] tiny-lib@2.1.0: OK',
    '[client] evil-pkg@6.6.6: no quorum (1 of 3 agree): refused',
    '[client] 2 packages fetched and verified',
  ]);
  expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('[content-store] done');
}, 120_000);
