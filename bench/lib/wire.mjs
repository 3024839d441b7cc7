// Byte-level clients for the `testPeer` scenario of `npm run bench`: pre-encoded echo calls
// written straight to a socket, replies counted as they come back, so the figures measure
// the server alone. Two pipes share one driver:
// - `testPeerPipe`: the real `ocapn test-peer` (its own process) over tcp-testing-only; this
//   side does op:start-session, fetches the suite's echo object through the bootstrap object,
//   then sends `op:deliver` echo calls and counts the `fulfill` deliveries it gets back;
// - `rawEchoPipe`: a raw TCP echo of the same bytes, a reply being complete once as many
//   bytes came back.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';

const dist = new URL('../../dist/', import.meta.url);
const { generateKeyPair, parseSturdyRefUri } = await import(new URL('index.js', dist).href);
const { encode, rec, sym, SyrupStreamReader, SyrupRecord, SyrupSymbol } = await import(new URL('syrup/index.js', dist).href);
// Not exported from the package root: the record our own sessions send first (signed location).
const { buildStartSession } = await import(new URL('captp/start-session.js', dist).href);

/** Answer (and resolver) positions of the echo calls start here, so each call is ≥ 79 bytes. */
const FIRST_POS = 10;
/** Answered positions are released with one op:gc-answers per this many (test-peer holds answers). */
const GC_BATCH = 500;

/**
 * `n` echo calls to export `target`, answer and resolver positions `pos`, `pos + 1`, …, as in
 * `E(echo).echo(12345, "text")`: `<op:deliver <desc:export target> [echo 12345 "text"] pos
 * <desc:import-object pos>>`, 79–89 bytes each. One buffer; message k is `buf[off[k]..off[k+1]]`.
 */
export function echoCalls(target, pos, n) {
  const parts = [];
  const off = new Uint32Array(n + 1);
  for (let k = 0; k < n; k++) {
    const p = BigInt(pos + k);
    const m = encode(rec('op:deliver', rec('desc:export', BigInt(target)), [sym('echo'), 12345n, 'text'], p, rec('desc:import-object', p)));
    parts.push(m);
    off[k + 1] = off[k] + m.length;
  }
  return { buf: Buffer.concat(parts), off };
}

async function connect(host, port) {
  const sock = net.connect(port, host);
  sock.setNoDelay(true);
  await once(sock, 'connect');
  return sock;
}

/**
 * Sends `n` messages with at most `window` in flight (1: one after another) and times each
 * from its write to its reply. Replies that arrive together release the next messages in one
 * write.
 * @returns {{ p50Us: number, p99Us: number, callsPerSec: number }}
 */
export function drive(pipe, n, window) {
  const { buf, off } = pipe.prepare(n);
  const sent = new Float64Array(n);
  const lat = new Float64Array(n);
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    let t0 = performance.now();
    const sendUpTo = (limit) => {
      const to = Math.min(n, limit);
      if (to <= next) return;
      const t = performance.now();
      for (let k = next; k < to; k++) sent[k] = t;
      pipe.write(buf.subarray(off[next], off[to]));
      next = to;
    };
    pipe.start({
      reply(k) {
        lat[k] = performance.now() - sent[k];
        done++;
      },
      batchEnd() {
        if (done < n) return sendUpTo(done + window);
        if (Number.isNaN(t0)) return; // late messages after the last reply
        const ms = performance.now() - t0;
        t0 = NaN;
        lat.sort();
        resolve({ p50Us: lat[Math.floor(n / 2)] * 1000, p99Us: lat[Math.min(n - 1, Math.floor(n * 0.99))] * 1000, callsPerSec: n / (ms / 1000) });
      },
      fail: reject,
    });
    sendUpTo(window);
  });
}

/** A raw TCP echo at `port` (127.0.0.1), fed the same echo-call bytes. */
export async function rawEchoPipe(port) {
  const sock = await connect('127.0.0.1', port);
  let pos = FIRST_POS;
  let run;
  sock.on('data', (d) => {
    const r = run;
    r.got += d.length;
    while (r.k < r.n && r.got >= r.off[r.k + 1]) r.h.reply(r.k++);
    r.h.batchEnd();
  });
  sock.on('error', (e) => run?.h.fail(e));
  return {
    prepare(n) {
      const calls = echoCalls(1, pos, n);
      pos += n;
      run = { ...calls, n, k: 0, got: 0, h: undefined };
      return calls;
    },
    start: (h) => {
      run.h = h;
    },
    write: (bytes) => sock.write(bytes),
    close: () => sock.destroy(),
  };
}

/**
 * Starts `node dist/cli/main.js test-peer` (tcp-testing-only, 127.0.0.1) and reads the
 * sturdyref of its echo object from what it prints.
 * @returns {Promise<{ sturdyRef: object, close(): Promise<void> }>}
 */
export async function startTestPeer() {
  const child = spawn(process.execPath, [new URL('cli/main.js', dist).pathname, 'test-peer', '--netlayer', 'tcp-testing-only', '--host', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  // Never leave it running, even if the bench fails.
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  let text = '';
  for await (const d of child.stdout) {
    text += d;
    if (/^READY$/m.test(text)) break;
  }
  const line = text.split('\n').find((l) => l.startsWith('STURDYREF tcp-testing-only echo '));
  if (!line) throw new Error(`ocapn test-peer printed no echo sturdyref:\n${text}`);
  return {
    sturdyRef: parseSturdyRefUri(line.split(' ')[3]),
    async close() {
      process.off('exit', kill);
      kill();
      await exited;
    },
  };
}

const isOp = (v, name) => v instanceof SyrupRecord && v.label instanceof SyrupSymbol && v.label.name === name;

/**
 * A session with a test peer, spoken byte by byte: op:start-session, then `fetch` of the
 * sturdyref's swiss number on the bootstrap object (answer 1, resolver 1), whose `fulfill`
 * names the echo object's export position. Then echo calls; each `fulfill` delivered to
 * resolver p is the reply to the call at answer position p. Answered positions are released
 * with op:gc-answers (the peer holds answers until then); the peer's own GC messages are
 * ignored.
 */
export async function testPeerPipe(sturdyRef) {
  const { host, port } = sturdyRef.peer.hints;
  const sock = await connect(host, Number(port));
  const reader = new SyrupStreamReader();
  const me = { transport: 'tcp-testing-only', designator: 'bench-byte-client', hints: false };
  let run;
  let onMessage;
  let fail = (e) => {
    throw e;
  };
  sock.on('data', (d) => {
    try {
      for (const m of reader.push(d)) onMessage(m);
    } catch (e) {
      fail(e);
    }
    run?.h.batchEnd();
  });
  sock.on('error', (e) => fail(e));
  sock.on('close', () => fail(new Error('test-peer closed the session')));
  // Handshake and fetch, with a deadline.
  const target = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('test-peer: no reply to op:start-session / fetch within 10 s')), 10_000);
    fail = reject;
    onMessage = (m) => {
      if (isOp(m, 'op:abort')) reject(new Error(`test-peer aborted: ${m.fields[0]}`));
      if (!isOp(m, 'op:deliver') || m.fields[0].fields[0] !== 1n) return;
      const [verb, value] = m.fields[1];
      if (verb.name !== 'fulfill' || !isOp(value, 'desc:import-object')) reject(new Error(`test-peer: fetch answered ${verb.name}`));
      clearTimeout(timer);
      resolve(Number(value.fields[0]));
    };
    sock.write(encode(buildStartSession(generateKeyPair(), me, 'legacy-2025')));
    sock.write(encode(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), sturdyRef.swiss], 1n, rec('desc:import-object', 1n))));
  });
  let pos = FIRST_POS;
  let answered = [];
  const release = () => {
    if (answered.length) sock.write(encode(rec('op:gc-answers', answered.map(BigInt))));
    answered = [];
  };
  onMessage = (m) => {
    if (isOp(m, 'op:abort')) throw new Error(`test-peer aborted: ${m.fields[0]}`);
    if (!isOp(m, 'op:deliver')) return; // op:gc-exports of our resolvers: ignored
    const p = Number(m.fields[0].fields[0]);
    if (m.fields[1][0].name !== 'fulfill') throw new Error(`test-peer: call at ${p} answered ${m.fields[1][0].name}`);
    const r = run;
    r.h.reply(p - r.base);
    answered.push(p);
    if (answered.length >= GC_BATCH || ++r.k === r.n) release();
  };
  return {
    prepare(n) {
      const calls = echoCalls(target, pos, n);
      run = { n, k: 0, base: pos, h: undefined };
      pos += n;
      return calls;
    },
    start: (h) => {
      run.h = h;
      fail = h.fail;
    },
    write: (bytes) => sock.write(bytes),
    close: () => {
      fail = () => {};
      sock.destroy();
    },
  };
}
