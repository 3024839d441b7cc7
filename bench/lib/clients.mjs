// Clients for `npm run bench`: each is { call(i), close() } where call(i) resolves once the
// reply to request i is back. The raw echoes send the bytes of one ocapn-ts echo call and wait
// for the same bytes back; the JSON-lines client sends {id, method, args}; the RPC clients
// call echo(i, "text") on the server's object.
import net from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';

const dist = new URL('../../dist/', import.meta.url).href;
const lib = await import(`${dist}index.js`);
const { encode, rec, sym } = await import(`${dist}syrup/index.js`);
export const { OcapnNode, E, MemoryNetwork, createTcpTestingOnlyDialer, createWebSocketDialer } = lib;

/** Bytes of one echo call as ocapn-ts sends it: op:deliver to an export, args, answer, resolver. */
export function echoCallBytes(arg = 'text') {
  return encode(rec('op:deliver', rec('desc:export', 1n), [sym('echo'), 12345n, arg], 67n, rec('desc:import-object', 68n)));
}

async function tcpConnect(port) {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await once(sock, 'connect');
  return sock;
}

/** Raw TCP echo of `bytes`: a reply is complete once as many bytes came back. */
export async function rawTcpClient(port, bytes) {
  const sock = await tcpConnect(port);
  const waiting = [];
  let got = 0;
  sock.on('data', (d) => {
    got += d.length;
    while (got >= bytes.length && waiting.length) {
      got -= bytes.length;
      waiting.shift()();
    }
  });
  return {
    call: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        sock.write(bytes);
      }),
    close: () => sock.destroy(),
  };
}

async function wsConnect(port) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { maxPayload: 64 << 20 });
  await once(ws, 'open');
  return ws;
}

/** Raw WebSocket echo: one binary message out, one back. */
export async function rawWsClient(port, bytes) {
  const ws = await wsConnect(port);
  const waiting = [];
  ws.on('message', () => waiting.shift()());
  return {
    call: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        ws.send(bytes, { binary: true });
      }),
    close: () => ws.terminate(),
  };
}

/** Newline-delimited JSON request/response over a plain socket. */
export async function jsonLinesClient(port) {
  const sock = await tcpConnect(port);
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
  return {
    call: (i, arg = 'text') =>
      new Promise((resolve) => {
        pending.set(++id, resolve);
        sock.write(`${JSON.stringify({ id, method: 'echo', args: [i, arg] })}\n`);
      }),
    close: () => sock.destroy(),
  };
}

/**
 * Bench-wide session limits (the 100,000-export table, unbounded throughput). The output
 * high-water mark is the default (1 MiB): before 6b0191b, 100,000 calls issued at once made
 * both sides stop reading and deadlock (src/captp/flow.ts now keeps reading while we wait).
 */
export const LIMITS = { maxExports: 250_000, maxImports: 250_000, maxAnswers: 250_000, maxQuestions: 250_000, maxPending: 250_000, sendStuckTimeoutMs: 600_000, idleTimeoutMs: 600_000 };

/** An ocapn-ts client node dialling `uri` (tcp-testing-only or websocket). */
export async function ocapnClient(uri, transport = 'tcp') {
  const dialer = transport === 'ws' ? createWebSocketDialer() : createTcpTestingOnlyDialer();
  const node = new OcapnNode({ netlayers: [dialer], limits: LIMITS });
  const ref = await node.enliven(uri);
  return {
    node,
    ref,
    call: (i, arg = 'text') => E(ref).echo(BigInt(i), arg),
    close: () => node.close(),
  };
}

/** @endo/captp over newline-delimited JSON on TCP. */
export async function endoClient(port) {
  const { makeCapTP } = await import('@endo/captp');
  const { E: endoE } = await import('@endo/far');
  const sock = await tcpConnect(port);
  const { dispatch, getBootstrap, abort } = makeCapTP('client', (obj) => sock.write(`${JSON.stringify(obj)}\n`), undefined);
  let buf = '';
  sock.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      dispatch(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  const boot = await getBootstrap();
  return {
    call: (i, arg = 'text') => endoE(boot).echo(i, arg),
    close: () => {
      abort();
      sock.destroy();
    },
  };
}

/** capnweb over a WebSocket. */
export async function capnwebClient(port) {
  // capnweb reads the global WebSocket's constants; Node 20 has none, so lend it ws's.
  globalThis.WebSocket ??= WebSocket;
  const { newWebSocketRpcSession } = await import('capnweb');
  const ws = await wsConnect(port);
  const stub = newWebSocketRpcSession(ws);
  return {
    call: (i, arg = 'text') => stub.echo(i, arg),
    close: () => {
      stub[Symbol.dispose]?.();
      ws.terminate();
    },
  };
}
