// Ed25519 cost of a CapTP handshake, native (node:crypto) beside pure JS (@noble/curves), in
// the same run. Run: npm run bench:crypto   (builds to dist/ first).
//
// 1. Crypto per handshake, as a session does it: derive a fresh key pair from a random seed,
//    sign our <my-location …> record, verify the peer's. Native is measured with its KeyObject
//    cache warm (sign and verify get the very arrays a session holds) and cold (copies).
// 2. Whole CapTP handshakes: SESSIONS (default 500) sessions opened one after another over the
//    in-memory netlayer, each between a fresh client node and one server node. The noble run is
//    a child process started with `--conditions=ocapn-ts-noble`, which makes '#ed25519' select
//    the pure-JS backend under Node.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const SESSIONS = Number(process.env.SESSIONS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2); // per measured function
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

async function sessionsRun() {
  const { OcapnNode, MemoryNetwork } = await import(new URL('index.js', dist).href);
  const { ed25519 } = await import('#ed25519');
  const net = new MemoryNetwork();
  const server = new OcapnNode({ netlayers: [net.netlayer('server')] });
  const open = async (n) => {
    const clients = [];
    const t = now();
    for (let i = 0; i < n; i++) {
      const client = new OcapnNode({ netlayers: [net.netlayer()] });
      clients.push(client);
      await client.connect(server.location);
    }
    const ms = now() - t;
    await Promise.all(clients.map((c) => c.close()));
    return ms;
  };
  await open(50); // warm-up
  const ms = await open(SESSIONS);
  await server.close();
  return { backend: ed25519.name, ms };
}

if (process.argv[2] === '--sessions') {
  console.log(JSON.stringify(await sessionsRun()));
  process.exit(0);
}

const { ed25519: native } = await import(new URL('crypto/ed25519-node.js', dist).href);
const { ed25519: noble } = await import(new URL('crypto/ed25519-noble.js', dist).href);
const { encode, rec, sym } = await import(new URL('syrup/index.js', dist).href);
const { SyrupDict } = await import(new URL('syrup/types.js', dist).href);
const { randomBytes } = await import(new URL('crypto/index.js', dist).href);

const location = (port) =>
  encode(rec('my-location', rec('ocapn-peer', sym('tcp-testing-only'), 'peer-a', new SyrupDict([['host', '127.0.0.1'], ['port', String(port)]]))));
const peerSeed = randomBytes(32);
const peerKey = noble.getPublicKey(peerSeed);
const peerMessage = location(1);
const peerSig = noble.sign(peerMessage, peerSeed);

/** One handshake's Ed25519 work; `cold` hands native fresh copies so its cache misses. */
function handshake(backend, cold) {
  const seed = randomBytes(32);
  const publicKey = backend.getPublicKey(seed);
  const sig = backend.sign(location(2), cold ? seed.slice() : seed);
  if (!backend.verify(peerSig, peerMessage, cold ? peerKey.slice() : peerKey)) throw new Error('verify failed');
  return publicKey.length + sig.length;
}

/**
 * Microseconds per call of each function: ROUNDS rounds, each running every function in turn
 * for SECONDS / ROUNDS, and the median round per function (robust to a busy machine).
 */
const ROUNDS = 9;
function perCall(...fns) {
  for (const fn of fns) for (let i = 0; i < 20; i++) fn(); // warm-up
  const samples = fns.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    fns.forEach((fn, j) => {
      let n = 0;
      const t = now();
      while (now() - t < (SECONDS * 1000) / ROUNDS) {
        fn();
        n++;
      }
      samples[j].push(((now() - t) * 1000) / n);
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[ROUNDS >> 1]);
}

const [tNoble, tCold, tWarm] = perCall(
  () => handshake(noble, false),
  () => handshake(native, true),
  () => handshake(native, false),
);
const rows = [
  ['noble: keygen + sign + verify', tNoble],
  ['native, cache cold', tCold],
  ['native, cache warm', tWarm],
];
const seed = randomBytes(32);
const msg = location(3);
const sig = native.sign(msg, seed);
const pk = native.getPublicKey(seed);
const parts = [
  ['getPublicKey', () => noble.getPublicKey(randomBytes(32)), () => native.getPublicKey(randomBytes(32))],
  ['sign', () => noble.sign(msg, seed), () => native.sign(msg, seed)],
  ['verify', () => noble.verify(sig, msg, pk), () => native.verify(sig, msg, pk)],
];

const us = (x) => `${x.toFixed(1).padStart(8)} µs`;
console.log(`Ed25519 per handshake (Node ${process.version}, OpenSSL ${process.versions.openssl})`);
for (const [name, t] of rows) console.log(`  ${name.padEnd(32)}${us(t)}   noble/this ${(rows[0][1] / t).toFixed(1).padStart(5)}×`);
console.log('Per operation (warm cache)            noble       native   ratio');
for (const [name, a, b] of parts) {
  const [tn, tb] = perCall(a, b);
  console.log(`  ${name.padEnd(32)}${us(tn)} ${us(tb)}  ${(tn / tb).toFixed(1).padStart(5)}×`);
}

const self = fileURLToPath(import.meta.url);
const child = (conditions) => {
  const r = spawnSync(process.execPath, [...conditions, self, '--sessions'], { encoding: 'utf8', env: process.env });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
};
// Alternate the two runs REPEAT times (default 3) and keep each one's median.
const REPEAT = Number(process.env.REPEAT ?? 3);
const runs = { noble: [], native: [] };
for (let i = 0; i < REPEAT; i++) {
  runs.noble.push(child(['--conditions=ocapn-ts-noble']));
  runs.native.push(child([]));
}
const median = (rs) => rs.sort((a, b) => a.ms - b.ms)[rs.length >> 1];
const before = median(runs.noble);
const after = median(runs.native);
console.log(`CapTP handshakes over the memory netlayer (${SESSIONS} sessions one after another, median of ${REPEAT})`);
for (const r of [before, after]) {
  console.log(`  ${r.backend.padEnd(12)}${r.ms.toFixed(0).padStart(7)} ms   ${((r.ms * 1000) / SESSIONS).toFixed(0).padStart(6)} µs/session`);
}
console.log(`  speed-up ${(before.ms / after.ms).toFixed(1)}×`);
