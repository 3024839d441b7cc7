/**
 * The optional Connection members (bufferedAmount / drain, pauseReading / resumeReading,
 * setMaxMessageBytes, provenDesignator, remoteAddress) on every shipped netlayer, and the
 * write-backpressure regression (issue 7, hole 3): a peer that never reads.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { WebSocket as WsSocket, WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryNetwork,
  createTcpTestingOnlyDialer,
  createWebSocketDialer,
  listenTcpTestingOnly,
  listenWebSocket,
  type Connection,
  type Framing,
} from '../../src/netlayers/index.js';
import { describeConnectionContract, stableBufferedAmount, type ContractPair } from './contract.js';
import { acceptor, numbered, record } from './helpers.js';
import { portOf, rawAuthedClient } from './websocket-helpers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

async function acceptedPair(server: { accept(cb: (c: Connection) => void): void }, dial: () => Promise<Connection>): Promise<[Connection, Connection]> {
  const next = acceptor(server);
  const dialled = await dial();
  return [dialled, await next()];
}

describeConnectionContract({
  name: 'memory',
  exact: true,
  hasCeiling: false,
  async pair(): Promise<ContractPair> {
    const network = new MemoryNetwork();
    const a = network.netlayer('alice');
    const b = network.netlayer('bob');
    open.push(a, b);
    const [dialled, accepted] = await acceptedPair(b, () => a.connect(b.location));
    return { dialled, accepted, proven: { dialled: 'bob', accepted: 'alice' }, address: { dialled: 'memory:bob', accepted: 'memory:alice' } };
  },
});

for (const framing of ['raw', 'netstring'] as Framing[]) {
  describeConnectionContract({
    name: `tcp-testing-only (${framing})`,
    exact: false,
    hasCeiling: true,
    async pair(options = {}): Promise<ContractPair> {
      const server = await listenTcpTestingOnly({ framing, ...options });
      const client = createTcpTestingOnlyDialer({ framing, ...options });
      open.push(server, client);
      const [dialled, accepted] = await acceptedPair(server, () => client.connect(server.location));
      return { dialled, accepted, proven: { dialled: undefined, accepted: undefined }, address: { dialled: '127.0.0.1', accepted: '127.0.0.1' } };
    },
  });
}

describeConnectionContract({
  name: 'websocket',
  exact: false,
  hasCeiling: true,
  async pair(options = {}): Promise<ContractPair> {
    const server = await listenWebSocket(options);
    const client = createWebSocketDialer(options);
    open.push(server, client);
    const [dialled, accepted] = await acceptedPair(server, () => client.connect(server.location));
    return {
      dialled,
      accepted,
      // Both ocapn-ts: the dialler negotiates mutual proof, so each side has proven the other.
      proven: { dialled: server.location.designator, accepted: client.location.designator },
      address: { dialled: '127.0.0.1', accepted: '127.0.0.1' },
    };
  },
});

const MIB = 1024 * 1024;

/** Sends 64 MiB in 1 MiB messages; returns the total. */
function send64MiB(conn: Connection): number {
  let total = 0;
  for (let i = 0; i < 64; i++) {
    const m = numbered(i, MIB);
    total += m.length;
    conn.send(m);
  }
  return total;
}

describe('write backpressure: a peer that never reads (issue 7, hole 3)', () => {
  it('tcp-testing-only: bufferedAmount reports the 64 MiB the server could not write', async () => {
    const server = await listenTcpTestingOnly();
    open.push(server);
    const next = acceptor(server);
    const port = Number((server.location.hints as Record<string, string>).port);
    // A raw client that never reads: no 'data' listener, so Node never pulls from the kernel.
    const peer = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
    });
    try {
      const conn = await next();
      const rec = record(conn);
      const total = send64MiB(conn);
      const stuck = await stableBufferedAmount(conn);
      // What loopback's kernel buffers took (about 3 MiB here) is gone from our count; the rest is ours.
      expect(stuck).toBeGreaterThan(total / 4);
      expect(stuck).toBeLessThanOrEqual(total);
      expect(rec.drains).toBe(0);
      conn.close();
      expect(conn.bufferedAmount).toBe(0);
    } finally {
      peer.destroy();
    }
  });

  it('websocket: bufferedAmount reports the 64 MiB the server could not write', async () => {
    const server = await listenWebSocket();
    open.push(server);
    const next = acceptor(server);
    const peer = await rawAuthedClient(server);
    try {
      peer.ws.pause(); // authenticated, then never reads again
      const conn = await next();
      const rec = record(conn);
      await stableBufferedAmount(conn); // the peer-auth answer leaves
      const total = send64MiB(conn);
      const stuck = await stableBufferedAmount(conn);
      expect(stuck).toBeGreaterThan(total / 4);
      expect(stuck).toBeLessThanOrEqual(total);
      expect(rec.drains).toBeLessThanOrEqual(1); // at most the answer's, before our sends
      conn.close();
      expect(conn.bufferedAmount).toBe(0);
    } finally {
      peer.ws.terminate();
    }
  });
});

describe('websocket: what an unauthenticated peer can make us buffer', () => {
  it('validates maxPeerAuthBytes', async () => {
    await expect(listenWebSocket({ maxPeerAuthBytes: 100 })).rejects.toThrow(RangeError);
    expect(() => createWebSocketDialer({ maxPeerAuthBytes: 'x' as unknown as number })).toThrow(TypeError);
  });

  it('the listener drops a client that sends more than maxPeerAuthBytes before its first message', async () => {
    const server = await listenWebSocket({ handshakeTimeoutMs: 60_000, maxPeerAuthBytes: 4096 });
    open.push(server);
    const ws = new WsSocket(`ws://127.0.0.1:${portOf(server)}`);
    ws.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    // A message that never ends: 16 KiB of fragments, no final frame.
    for (let i = 0; i < 4; i++) ws.send(new Uint8Array(4096).fill(0x41), { binary: true, fin: false });
    expect(await closed).toBe(1006); // dropped, long before handshakeTimeoutMs
  });

  it('the dialler drops a server that sends more than maxPeerAuthBytes before its answer', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws) => {
      ws.on('error', () => undefined);
      ws.once('message', () => {
        for (let i = 0; i < 4; i++) ws.send(new Uint8Array(4096).fill(0x41), { binary: true, fin: false });
      });
    });
    open.push({ close: () => new Promise<void>((resolve) => (wss.clients.forEach((c) => c.terminate()), wss.close(() => resolve()))) });
    const { port } = wss.address() as { port: number };
    const client = createWebSocketDialer({ handshakeTimeoutMs: 60_000 });
    open.push(client);
    const server = await listenWebSocket();
    open.push(server);
    const locator = { ...server.location, hints: { url: `ws://127.0.0.1:${port}` } };
    await expect(client.connect(locator)).rejects.toThrow(/peer authentication .* failed/);
  });
});
