// CapTP round trips over tcp-testing-only on 127.0.0.1, beside a baseline measured in the same
// run: a minimal newline-delimited JSON request/response over a plain TCP socket (no
// capabilities, no signatures, no GC). Ratios = ocapn-ts calls/s ÷ baseline calls/s.
// Run: npm run bench:captp   (builds to dist/ first). CALLS=… sets the number of calls.
import net from 'node:net';
import { once } from 'node:events';

const { OcapnNode, E, listenTcpTestingOnly, createTcpTestingOnlyDialer } = await import(new URL('../dist/index.js', import.meta.url).href);

const CALLS = Number(process.env.CALLS ?? 3000);
const now = () => Number(process.hrtime.bigint()) / 1e9;

async function baseline() {
  const server = net.createServer((sock) => {
    let buf = '';
    sock.setNoDelay(true);
    sock.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const req = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        sock.write(`${JSON.stringify({ id: req.id, result: req.args })}\n`);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const sock = net.connect(server.address().port, '127.0.0.1');
  sock.setNoDelay(true);
  await once(sock, 'connect');
  const pending = new Map();
  let buf = '';
  sock.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const res = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      pending.get(res.id)(res.result);
      pending.delete(res.id);
    }
  });
  let id = 0;
  const call = (...args) =>
    new Promise((resolve) => {
      pending.set(++id, resolve);
      sock.write(`${JSON.stringify({ id, method: 'echo', args })}\n`);
    });
  const r = await run(call);
  sock.destroy();
  server.close();
  return r;
}

async function ocapn() {
  const server = new OcapnNode({ netlayers: [await listenTcpTestingOnly()] });
  const uri = server.sturdyRefUri({ echo: (...args) => args });
  const client = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer()] });
  const ref = await client.enliven(uri);
  const r = await run((...args) => E(ref).echo(...args.map((a) => (typeof a === 'number' ? BigInt(a) : a))));
  await client.close();
  await server.close();
  return r;
}

async function run(call) {
  for (let i = 0; i < 200; i++) await call(i, 'warm-up'); // warm-up
  let t = now();
  for (let i = 0; i < CALLS; i++) await call(i, 'sequential');
  const sequential = CALLS / (now() - t);
  t = now();
  await Promise.all(Array.from({ length: CALLS }, (_, i) => call(i, 'concurrent')));
  const concurrent = CALLS / (now() - t);
  return { sequential, concurrent };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(9);
const b = await baseline();
const o = await ocapn();
console.log(`CapTP calls over tcp-testing-only (127.0.0.1), ${CALLS} calls each, echo(i, "text")`);
console.log(`  sequential  ocapn-ts ${fmt(o.sequential)} calls/s | JSON-lines baseline ${fmt(b.sequential)} calls/s | ratio ${(o.sequential / b.sequential).toFixed(2)}x`);
console.log(`  concurrent  ocapn-ts ${fmt(o.concurrent)} calls/s | JSON-lines baseline ${fmt(b.concurrent)} calls/s | ratio ${(o.concurrent / b.concurrent).toFixed(2)}x`);
console.log('ratio = ocapn-ts calls/s ÷ baseline calls/s (the baseline has no answer promises, resolvers, GC or descriptors).');
