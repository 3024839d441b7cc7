// One peer of the content-addressed store, in its own process:
//   node examples/content-store/peer.mjs peer-1|peer-2|peer-3|peer-4
// It exports a read-only store: nobody it gives the URI to can change what it holds.
import { OcapnNode, listenWebSocket } from 'ocapn-ts';
import { CHUNK_BYTES, EVIL, PACKAGES, PEERS, sha256 } from './catalog.mjs';

const name = process.argv[2];
const role = PEERS[name];
if (!role) {
  console.error(`unknown peer ${name}`);
  process.exit(2);
}
const blobs = new Map(); // SHA-256 (hex) -> bytes
for (const h of role.holds) {
  const blob = h === EVIL ? EVIL : PACKAGES[h];
  blobs.set(sha256(blob), blob);
}

const store = {
  /** The size in bytes of the blob with this SHA-256, or null if this peer does not hold it. */
  size: (hash) => (blobs.has(hash) ? BigInt(blobs.get(hash).length) : null),
  /** Up to CHUNK_BYTES bytes of a blob from `offset`. */
  read(hash, offset) {
    const blob = blobs.get(hash);
    if (!blob) throw new Error(`no blob ${hash}`);
    const start = Number(offset);
    if (!Number.isSafeInteger(start) || start < 0 || start > blob.length) throw new RangeError(`bad offset ${offset}`);
    const chunk = blob.slice(start, start + CHUNK_BYTES);
    if (role.corruptsBytes && start === 0) chunk[0] ^= 0xff; // the lie: one flipped byte
    return chunk;
  },
  /** The SHA-256 this peer says the package `name` has, or null. */
  vouch: (pkg) => role.vouches[pkg] ?? null,
};

const node = new OcapnNode({ netlayers: [await listenWebSocket({ host: '127.0.0.1', port: 0 })] });
console.log(`[${name}] holds ${[...blobs.keys()].map((h) => h.slice(0, 12)).join(', ')}`);
console.log(`URI ${node.sturdyRefUri(store)}`);
process.on('SIGTERM', () => node.close().then(() => process.exit(0)));
