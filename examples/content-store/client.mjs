// The content-store client: node examples/content-store/client.mjs <name=uri>…
// For each package name it asks the peers it chose to trust (TRUSTED) which hash the
// name has and accepts a hash only when a quorum of them agree; then it fetches the blob by
// hash from any peer that holds it, in chunks, and checks the SHA-256 of the whole.
import { OcapnNode, E, createWebSocketDialer } from 'ocapn-ts';
import { CHUNK_BYTES, sha256 } from './catalog.mjs';

const TRUSTED = ['peer-2', 'peer-3', 'peer-4']; // trust a few...
const QUORUM = 2;
const MAX_BLOB_BYTES = 16n * 1024n * 1024n; // larger blobs are refused: we hold one in memory
const peers = process.argv.slice(2).map((arg) => ({ name: arg.slice(0, arg.indexOf('=')), uri: arg.slice(arg.indexOf('=') + 1) }));
const say = (msg) => console.log(`[client] ${msg}`);

const node = new OcapnNode({ netlayers: [createWebSocketDialer()] });
for (const p of peers) p.store = await node.enliven(p.uri);
const vouchers = peers.filter((p) => TRUSTED.includes(p.name));
say(`vouchers: ${vouchers.map((p) => p.name).join(', ')}; quorum ${QUORUM} of ${vouchers.length}`);

/** The hash a quorum of the vouchers give for `pkg`, or undefined. */
async function resolveName(pkg) {
  const answers = await Promise.all(vouchers.map(async (p) => ({ peer: p.name, hash: await E(p.store).vouch(pkg) })));
  const counts = new Map();
  for (const a of answers) if (a.hash !== null) counts.set(a.hash, [...(counts.get(a.hash) ?? []), a.peer]);
  const [hash, by] = [...counts].sort((x, y) => y[1].length - x[1].length)[0] ?? [];
  if (!hash || by.length < QUORUM) {
    say(`${pkg}: no quorum (${by?.length ?? 0} of ${vouchers.length} agree): refused`);
    return undefined;
  }
  say(`${pkg}: ${hash.slice(0, 12)}… vouched by ${by.join(', ')} (${by.length} of ${vouchers.length})`);
  for (const [other, dissenters] of counts) if (other !== hash) say(`${pkg}: ${dissenters.join(', ')} vouched for ${other.slice(0, 12)}… instead: outvoted`);
  return hash;
}

/** Fetch the blob whose SHA-256 is `hash` from whichever peer holds it ...and verify the rest. */
async function fetchBlob(hash) {
  const sizes = await Promise.all(peers.map((p) => E(p.store).size(hash)));
  // A size that is not a bigint up to MAX_BLOB_BYTES is a lie too: that peer is not asked.
  const holders = peers.filter((_, i) => typeof sizes[i] === 'bigint' && sizes[i] >= 0n && sizes[i] <= MAX_BLOB_BYTES);
  say(`${hash.slice(0, 12)}… is held by ${holders.map((p) => p.name).join(', ')}`);
  for (const p of holders) {
    const size = Number(sizes[peers.indexOf(p)]);
    const offsets = Array.from({ length: Math.ceil(size / CHUNK_BYTES) }, (_, i) => BigInt(i * CHUNK_BYTES));
    let chunks;
    try {
      chunks = await Promise.all(offsets.map((o) => E(p.store).read(hash, o))); // all reads in flight at once
    } catch (error) {
      say(`${p.name} failed to serve it (${error.message}): skipped`);
      continue;
    }
    if (!chunks.every((c) => c instanceof Uint8Array && c.length <= CHUNK_BYTES)) {
      say(`${p.name} sent something that is not a chunk of at most ${CHUNK_BYTES} bytes: skipped`);
      continue;
    }
    const blob = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      if (at + c.length > size) break;
      blob.set(c, at);
      at += c.length;
    }
    const got = sha256(blob.subarray(0, at));
    if (at !== size || got !== hash) {
      say(`${p.name} served ${at} bytes in ${chunks.length} chunks with SHA-256 ${got.slice(0, 12)}…, not ${hash.slice(0, 12)}…: skipped`);
      continue;
    }
    say(`fetched ${size} bytes from ${p.name} in ${chunks.length} chunks of at most ${CHUNK_BYTES} bytes: SHA-256 verified`);
    return blob;
  }
  say(`no peer served ${hash.slice(0, 12)}… correctly`);
  return undefined;
}

let installed = 0;
for (const pkg of ['left-pad@1.0.0', 'tiny-lib@2.1.0', 'evil-pkg@6.6.6']) {
  const hash = await resolveName(pkg);
  if (hash && (await fetchBlob(hash))) {
    installed++;
    say(`${pkg}: OK`);
  }
}
say(`${installed} packages fetched and verified`);
await node.close();
