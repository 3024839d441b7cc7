/**
 * The browser websocket dialer (src/netlayers/websocket/browser-socket.ts) in Node: over `ws`'s
 * WebSocket class, which has the platform API (binaryType, bufferedAmount, events), against
 * our Node listener and fake servers; and its MessageSocket over a scripted fake WebSocket.
 * The same code runs in chromium in browser.test.ts.
 */
import { createServer } from 'node:net';
import { WebSocket as WsSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { E, OcapnNode } from '../../src/index.js';
import { listenWebSocket, type WebSocketNetlayer } from '../../src/netlayers/index.js';
import { answerPeerAuth, designatorFromPublicKey } from '../../src/netlayers/websocket/peer-auth.js';
import { generateKeyPair } from '../../src/crypto/index.js';
import {
  BrowserMessageSocket,
  createBrowserWebSocketDialer,
  type BrowserWebSocketDialerOptions,
  type WebSocketConstructor,
} from '../../src/netlayers/websocket/browser-socket.js';
import type { MessageSocketEvents } from '../../src/netlayers/websocket/message-socket.js';
import { describeConnectionContract, sleep } from '../netlayers/contract.js';
import { acceptor } from '../netlayers/helpers.js';
import { fakeServer } from '../netlayers/websocket-helpers.js';

/**
 * `ws`'s WebSocket with a browser's `bufferedAmount`: a page's `send()` adds to it at once and
 * the count falls only once the bytes are handed to the network (`ws` counts only what the
 * kernel has not taken, often 0 right after a send).
 */
class PlatformLikeWebSocket extends WsSocket {
  #pending = 0;
  // @ts-expect-error: @types/ws declares a property; ws itself has a getter
  override get bufferedAmount(): number {
    return this.#pending;
  }
  override send(data: Uint8Array): void {
    const length = data.byteLength;
    this.#pending += length;
    super.send(data, () => (this.#pending -= length));
  }
}
const PlatformWebSocket = PlatformLikeWebSocket as unknown as WebSocketConstructor;
const dialer = (options: BrowserWebSocketDialerOptions = {}): WebSocketNetlayer => createBrowserWebSocketDialer({ WebSocket: PlatformWebSocket, ...options });

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

describeConnectionContract({
  name: 'websocket, browser dialer',
  exact: false,
  hasCeiling: true,
  async pair(options = {}) {
    const server = await listenWebSocket(options);
    const client = dialer(options);
    open.push(server, client);
    const next = acceptor(server);
    const dialled = await client.connect(server.location);
    const accepted = await next();
    return {
      dialled,
      accepted,
      // The server is proven by init:peer-auth; the page proves nothing (it cannot ask for mutual proof).
      proven: { dialled: server.location.designator, accepted: undefined },
      // A page does not know the peer's address.
      address: { dialled: undefined as unknown as string, accepted: '127.0.0.1' },
    };
  },
});

describe('createBrowserWebSocketDialer', () => {
  it('enlivens a sturdyref on a Node listener and pipelines a call; the listener sees a claimed client', async () => {
    const server = await listenWebSocket();
    const serverNode = new OcapnNode({ netlayers: [server] });
    const client = dialer();
    const clientNode = new OcapnNode({ netlayers: [client] });
    open.push(serverNode, clientNode);
    const seen: string[] = [];
    serverNode.on('session-open', ({ identity }) => seen.push(`server sees ${identity}`));
    clientNode.on('session-open', ({ identity }) => seen.push(`client sees ${identity}`));
    let n = 41n;
    const greeter = await clientNode.enliven<any>(serverNode.sturdyRefUri({ greet: (who: string) => `hello ${who}`, counter: () => ({ increment: () => ++n }) }));
    expect(await E(greeter).greet('page')).toBe('hello page');
    expect(await E(E(greeter).counter()).increment()).toBe(42n);
    expect(seen.sort()).toEqual(['client sees proven', 'server sees claimed']);
    expect(client.listening).toBe(false);
    expect(client.location.hints).toBe(false);
  });

  it('sends no x-ocapn-peer-auth header and no proof, even to a server that offers a nonce', async () => {
    const keyPair = generateKeyPair();
    const offer = `x-ocapn-peer-auth-nonce: ${Buffer.alloc(32, 9).toString('base64url')}`;
    const fake = await fakeServer((first) => answerPeerAuth(first, keyPair.privateKey), [offer]);
    open.push(fake);
    const client = dialer();
    open.push(client);
    const conn = await client.connect({ transport: 'websocket', designator: designatorFromPublicKey(keyPair.publicKey), hints: { url: fake.url } });
    expect(conn.provenDesignator).toBe(designatorFromPublicKey(keyPair.publicKey));
    conn.send(new TextEncoder().encode("<8'op:abort2\"ok>"));
    await sleep(50);
    expect(fake.requests[0]['x-ocapn-peer-auth']).toBeUndefined();
    // The peer-auth nonce, then straight to CapTP: no <init:peer-auth-client …>.
    expect(fake.frames.length).toBe(2);
    expect(new TextDecoder().decode(fake.frames[1])).toBe("<8'op:abort2\"ok>");
  });

  it('refuses a wrong signature, a text answer and an answer over maxPeerAuthBytes', async () => {
    const keyPair = generateKeyPair();
    const other = generateKeyPair();
    const cases: [string, (first: Uint8Array) => Uint8Array | string, RegExp][] = [
      ['wrong key', (first) => answerPeerAuth(first, other.privateKey), /peer authentication .* failed/],
      ['text', () => 'hello', /peer authentication .* failed: .*text/],
      ['too big', () => new Uint8Array(300).fill(0x3c), /exceeds maxPeerAuthBytes \(256\)/],
    ];
    for (const [name, answer, expected] of cases) {
      const fake = await fakeServer(answer as (first: Uint8Array) => Uint8Array);
      open.push(fake);
      const client = dialer({ maxPeerAuthBytes: 256 });
      open.push(client);
      const dial = client.connect({ transport: 'websocket', designator: designatorFromPublicKey(keyPair.publicKey), hints: { url: fake.url } });
      await expect(dial, name).rejects.toThrow(expected);
      expect(client.connectionCount).toBe(0);
    }
  });

  it('rejects when nothing listens, and times out a silent server', async () => {
    const keyPair = generateKeyPair();
    const designator = designatorFromPublicKey(keyPair.publicKey);
    const fake = await fakeServer(() => undefined);
    open.push(fake);
    const client = dialer({ handshakeTimeoutMs: 200 });
    open.push(client);
    await expect(client.connect({ transport: 'websocket', designator, hints: { url: fake.url } })).rejects.toThrow(/timed out after 200 ms/);
    const closed = new URL(fake.url);
    await fake.close();
    await expect(client.connect({ transport: 'websocket', designator, hints: { url: closed.href } })).rejects.toThrow(/cannot connect/);
  });

  it('times out an upgrade that never comes, with the timeout as the reason', async () => {
    const ended: Promise<void>[] = [];
    // Takes the TCP connection, never answers the upgrade.
    const silent = createServer((tcp) => ended.push(new Promise((resolve) => tcp.resume().once('close', () => resolve()))));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => silent.close(() => resolve())) });
    const port = (silent.address() as { port: number }).port;
    const client = dialer({ handshakeTimeoutMs: 200 });
    open.push(client);
    const designator = designatorFromPublicKey(generateKeyPair().publicKey);
    await expect(client.connect({ transport: 'websocket', designator, hints: { url: `ws://127.0.0.1:${port}` } })).rejects.toThrow(
      /cannot connect to .*: timed out after 200 ms/,
    );
    expect(ended.length).toBe(1);
    await ended[0]; // the dialler dropped the attempt
  });

  it('checks its options', () => {
    expect(() => createBrowserWebSocketDialer({ WebSocket: PlatformWebSocket, host: 'x' } as never)).toThrow(/no host option/);
    expect(() => createBrowserWebSocketDialer({ WebSocket: PlatformWebSocket, port: 1 } as never)).toThrow(/no port option/);
    expect(() => createBrowserWebSocketDialer({ WebSocket: PlatformWebSocket, mutualPeerAuth: true } as never)).toThrow(TypeError);
    expect(() => createBrowserWebSocketDialer({ WebSocket: 5 as never })).toThrow(/must be a WebSocket class/);
    expect(() => createBrowserWebSocketDialer({ WebSocket: PlatformWebSocket, drainPollMs: 0 })).toThrow(RangeError);
    expect(() => createBrowserWebSocketDialer({ WebSocket: PlatformWebSocket, url: 'http://x' })).toThrow(RangeError);
    expect(() => createBrowserWebSocketDialer(7 as never)).toThrow(TypeError);
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = undefined;
    try {
      expect(() => createBrowserWebSocketDialer()).toThrow(/no global WebSocket/);
    } finally {
      (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
    (globalThis as { WebSocket?: unknown }).WebSocket = PlatformWebSocket;
    try {
      expect(createBrowserWebSocketDialer().transport).toBe('websocket');
    } finally {
      (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
});

/** A scripted stand-in for the platform WebSocket. */
class FakeWebSocket extends EventTarget {
  binaryType = 'blob';
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Uint8Array[] = [];
  readonly closes: [number | undefined, string | undefined][] = [];
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
    this.bufferedAmount += bytes.length;
  }
  close(code?: number, reason?: string): void {
    this.closes.push([code, reason]);
    this.readyState = 2;
  }
  receive(data: unknown): void {
    this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }
  closed(code: number, reason = ''): void {
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason }));
  }
}

function recorder(): { log: string[]; events: MessageSocketEvents } {
  const log: string[] = [];
  return {
    log,
    events: {
      message: (data, binary) => log.push(`${binary ? 'bin' : 'text'}:${new TextDecoder().decode(data)}`),
      error: (err) => log.push(`error:${err.message}`),
      close: (code, reason) => log.push(`close:${code}:${reason}`),
      drain: () => log.push('drain'),
    },
  };
}

const OPTIONS = { maxMessageBytes: 100, maxPeerAuthBytes: 50, mutualPeerAuth: false };
const bytesOf = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

describe('BrowserMessageSocket', () => {
  it('asks for ArrayBuffers, copies views, reports text as text, and proves nothing', () => {
    const ws = new FakeWebSocket();
    const socket = new BrowserMessageSocket(ws as unknown as WebSocket, OPTIONS, 5);
    expect(ws.binaryType).toBe('arraybuffer');
    expect(socket.mutualAuthNonce).toBeUndefined();
    expect(socket.remoteAddress).toBeUndefined();
    const { log, events } = recorder();
    ws.receive(bytesOf('early')); // held until someone listens
    socket.listen(events);
    ws.receive('hi');
    ws.receive(new Uint8Array(bytesOf('xview')).subarray(1));
    expect(log).toEqual(['bin:early', 'text:hi', 'bin:view']);
  });

  it('holds incoming events while paused, delivers them in order on resume, and lets drain through', async () => {
    const ws = new FakeWebSocket();
    const socket = new BrowserMessageSocket(ws as unknown as WebSocket, OPTIONS, 5);
    const { log, events } = recorder();
    socket.listen(events);
    socket.pause();
    ws.receive(bytesOf('a'));
    ws.receive(bytesOf('b'));
    socket.send(new Uint8Array(10));
    expect(socket.bufferedAmount).toBe(10);
    await sleep(20);
    expect(log).toEqual([]); // still buffered: no drain
    ws.bufferedAmount = 0;
    await sleep(30);
    expect(log).toEqual(['drain']); // drain passes the held messages
    socket.resume();
    expect(log).toEqual(['drain', 'bin:a', 'bin:b']);
  });

  it('delivers what it held before a close, even while paused; no drain after close', async () => {
    const ws = new FakeWebSocket();
    const socket = new BrowserMessageSocket(ws as unknown as WebSocket, OPTIONS, 5);
    const { log, events } = recorder();
    socket.listen(events);
    socket.pause();
    ws.receive(bytesOf('a'));
    socket.send(new Uint8Array(10));
    ws.closed(1000, 'bye');
    ws.bufferedAmount = 0;
    await sleep(30);
    expect(log).toEqual(['bin:a', 'close:1000:bye']);
    await socket.closed;
  });

  it('fails a message over maxMessageBytes (and the first one over maxPeerAuthBytes) with 1009', () => {
    for (const [first, size, what] of [[true, 51, 'maxPeerAuthBytes (50)'], [false, 101, 'maxMessageBytes (100)']] as const) {
      const ws = new FakeWebSocket();
      const socket = new BrowserMessageSocket(ws as unknown as WebSocket, OPTIONS, 5);
      const { log, events } = recorder();
      socket.listen(events);
      if (!first) ws.receive(new ArrayBuffer(50)); // at the peer-auth limit: fine
      ws.receive(new ArrayBuffer(size));
      ws.receive(new ArrayBuffer(1)); // ignored: the socket is gone
      expect(log.slice(first ? 0 : 1)).toEqual([`error:websocket: message of ${size} bytes exceeds ${what}`, 'close:1009:']);
      expect(ws.closes).toEqual([[1000, '1009']]);
      expect(socket.isOpen).toBe(false);
    }
  });

  it('sends only close codes a page may send, cuts long reasons, and terminates at once', async () => {
    const ws = new FakeWebSocket();
    const socket = new BrowserMessageSocket(ws as unknown as WebSocket, OPTIONS, 5);
    const { log, events } = recorder();
    socket.listen(events);
    socket.close(1008, 'peer authentication expected');
    expect(ws.closes).toEqual([[1000, '1008 peer authentication expected']]);
    const ws2 = new FakeWebSocket();
    new BrowserMessageSocket(ws2 as unknown as WebSocket, OPTIONS, 5).close(4000, 'é'.repeat(100));
    expect(ws2.closes[0][0]).toBe(4000);
    expect(new TextEncoder().encode(ws2.closes[0][1]).length).toBe(122); // 61 two-byte characters
    socket.terminate();
    expect(log).toEqual(['close:1006:terminated']);
    const ws3 = new FakeWebSocket();
    const errored = recorder();
    new BrowserMessageSocket(ws3 as unknown as WebSocket, OPTIONS, 5).listen(errored.events);
    ws3.dispatchEvent(new Event('error')); // no details; the close code decides
    ws3.closed(1006);
    expect(errored.log).toEqual(['close:1006:after a websocket error']);
    await socket.closed;
    ws.closed(1000); // the platform's own close comes later: ignored
    socket.send(new Uint8Array(1));
    expect(log).toEqual(['close:1006:terminated']);
    expect(ws.sent).toEqual([]);
  });
});
