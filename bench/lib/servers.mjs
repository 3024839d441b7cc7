// The server side of `npm run bench`, run as a child process (its own core): a raw TCP echo,
// a raw WebSocket echo, a JSON-lines request/response server, ocapn-ts nodes on
// tcp-testing-only and websocket, @endo/captp over newline-delimited JSON on TCP, and capnweb
// over a WebSocket. Prints one JSON line of addresses on stdout, then serves until stdin ends.
// Every server listens on 127.0.0.1 only.
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const dist = new URL('../../dist/', import.meta.url).href;
const { OcapnNode, Far, listenTcpTestingOnly, listenWebSocket } = await import(`${dist}index.js`);

/** Forces two full collections and returns the heap in use, in bytes. */
export function heapNow() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const listen = async (server) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server.address().port;
};

// Raw TCP echo: every byte back as it comes.
const rawTcp = net.createServer((s) => {
  s.setNoDelay(true);
  s.on('data', (d) => s.write(d));
  s.on('error', () => {});
});

// Raw WebSocket echo: every message back.
const rawWs = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20 });
rawWs.on('connection', (ws) => ws.on('message', (data) => ws.send(data, { binary: true })));
await once(rawWs, 'listening');

// JSON lines: {id, method, args} → {id, result: args}.
const jsonLines = net.createServer((sock) => {
  let buf = '';
  sock.setNoDelay(true);
  sock.on('error', () => {});
  sock.on('data', (d) => {
    buf += d;
    let i;
    let out = '';
    while ((i = buf.indexOf('\n')) >= 0) {
      const req = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      out += `${JSON.stringify({ id: req.id, result: req.args })}\n`;
    }
    if (out) sock.write(out);
  });
});

// ocapn-ts: one node with both netlayers, one echo object, plus helpers for memory figures.
const kept = [];
const bench = {
  echo: (...args) => args,
  /** n fresh exported objects. */
  makeMany: (n) => Array.from({ length: Number(n) }, (_, i) => Far('item', { id: () => i })),
  /** Keeps what it is given (so the caller's exports stay live). */
  keep: (list) => {
    kept.push(list);
    return BigInt(kept.length);
  },
  heap: () => BigInt(heapNow()),
  sessions: () => BigInt(node.sessions.length),
};
// Room for the 100,000-export table and the unbounded throughput run.
const limits = { maxExports: 250_000, maxImports: 250_000, maxAnswers: 250_000, maxQuestions: 250_000, maxPending: 250_000, sendStuckTimeoutMs: 600_000, idleTimeoutMs: 600_000 };
// Every bench client connects from 127.0.0.1: room for 10,000 sessions from it, opened as fast as
// the machine can (the per-address handshake rate, default 200/s after a burst of 1,000, would
// refuse them).
const nodeLimits = { maxSessions: 20_000, maxHandshakes: 2_000, maxSessionsPerAddress: 20_000, handshakesPerSecondPerAddress: 1_000_000, handshakeBurstPerAddress: 1_000_000 };
const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ host: '127.0.0.1' })], limits, nodeLimits });
const wsNode = new OcapnNode({ netlayers: [await listenWebSocket({ host: '127.0.0.1', port: 0 })], limits, nodeLimits });
const tcpUri = node.sturdyRefUri(bench);
const wsUri = wsNode.sturdyRefUri(bench);

// @endo/captp over newline-delimited JSON on TCP, as its own tests frame it (one JSON per message).
const { makeCapTP } = await import('@endo/captp');
const endoServer = net.createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('error', () => {});
  const { dispatch, abort } = makeCapTP('server', (obj) => sock.write(`${JSON.stringify(obj)}\n`), Far('bench', { echo: (...args) => args }));
  let buf = '';
  sock.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      dispatch(JSON.parse(buf.slice(0, i)));
      buf = buf.slice(i + 1);
    }
  });
  sock.on('close', () => abort());
});

// capnweb over a WebSocket (ws's WebSocket has addEventListener).
// capnweb reads the global WebSocket's constants; Node 20 has none, so lend it ws's.
globalThis.WebSocket ??= WebSocket;
const { newWebSocketRpcSession, RpcTarget } = await import('capnweb');
class Echo extends RpcTarget {
  echo(...args) {
    return args;
  }
}
const capnwebServer = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20 });
capnwebServer.on('connection', (ws) => newWebSocketRpcSession(ws, new Echo()));
await once(capnwebServer, 'listening');

const ports = {
  rawTcp: await listen(rawTcp),
  rawWs: rawWs.address().port,
  jsonLines: await listen(jsonLines),
  endo: await listen(endoServer),
  capnweb: capnwebServer.address().port,
};
process.stdout.write(`${JSON.stringify({ ports, tcpUri, wsUri })}\n`);
// Each line on stdin asks for this process's CPU time so far: one JSON line {user, system} (µs) back.
let asked = '';
process.stdin.on('data', (d) => {
  asked += d;
  let i;
  while ((i = asked.indexOf('\n')) >= 0) {
    asked = asked.slice(i + 1);
    process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
