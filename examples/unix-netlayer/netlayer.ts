/**
 * A complete, small third-party netlayer: OCapN messages over Unix domain sockets, raw Syrup
 * framing, with backpressure. The worked example of docs/netlayers.md, "Writing a netlayer";
 * test/netlayers/unix-example.test.ts runs `checkNetlayerConformance` against it.
 * Outside this repository, import from 'ocapn-ts' instead of '../../src/index.js'.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { ConnectionEventQueue, FrameReader, encodeFrame } from '../../src/index.js';
import type { Connection, ConnectionHandlers, Netlayer, PeerLocator } from '../../src/index.js';

export const UNIX_TRANSPORT = 'unix-example';

/** One connection: a socket, a framer, and the event queue that enforces the contract's rules. */
class UnixConnection implements Connection {
  readonly #socket: Socket;
  readonly #reader = new FrameReader({ maxMessageBytes: 16 * 1024 * 1024 });
  readonly #events = new ConnectionEventQueue(() => this.#socket.destroy()); // a handler threw
  #buffered = 0;
  #closed = false;

  constructor(socket: Socket, readonly outgoing: boolean) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const { messages, error } = this.#reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      for (const m of messages) this.#events.message(m);
      if (error) this.#events.error(error); // bad framing: no more messages; still writable
    });
    socket.on('end', () => socket.end()); // the peer closed its side: close ours
    socket.on('error', () => undefined); // 'close' follows with hadError
    socket.on('close', (hadError) => {
      this.#closed = true;
      this.#events.close(hadError ? new Error(`${UNIX_TRANSPORT}: connection lost`) : undefined);
    });
  }
  get bufferedAmount(): number {
    return this.#closed ? 0 : this.#buffered;
  }
  setHandlers(handlers: ConnectionHandlers): void {
    this.#events.setHandlers(handlers);
  }
  send(bytes: Uint8Array): void {
    if (this.#closed) return;
    const frame = encodeFrame(bytes.slice(), 'raw'); // copy: the caller may reuse its buffer
    this.#buffered += frame.length;
    this.#socket.write(frame, () => {
      this.#buffered -= frame.length;
      if (this.#buffered === 0 && !this.#closed) this.#events.drain(); // the queue makes it async
    });
  }
  pauseReading(): void {
    if (!this.#closed) this.#socket.pause();
  }
  resumeReading(): void {
    if (!this.#closed) this.#socket.resume();
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end(); // flushes what send() queued, then FIN
    this.#socket.once('close', () => this.#events.close());
    setTimeout(() => this.#socket.destroy(), 2000).unref(); // a peer that never answers our FIN
  }
}

/** Listens on `path` (or only dials when `path` is undefined). */
export async function unixNetlayer(path?: string): Promise<Netlayer> {
  const connections = new Set<Socket>();
  const pending: Connection[] = [];
  let onConnection: ((c: Connection) => void) | undefined;
  const track = (socket: Socket, outgoing: boolean): Connection => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    return new UnixConnection(socket, outgoing);
  };
  let server: Server | undefined;
  if (path !== undefined) {
    const s = createServer((socket) => {
      const conn = track(socket, false);
      if (onConnection) onConnection(conn);
      else pending.push(conn);
    });
    await new Promise<void>((resolve, reject) => s.once('error', reject).listen(path, resolve));
    server = s;
  }
  const location: PeerLocator = Object.freeze({ transport: UNIX_TRANSPORT, designator: path ?? 'dialer', hints: Object.freeze({ path: path ?? '' }) });
  return {
    transport: UNIX_TRANSPORT,
    location,
    accept(cb) {
      onConnection = cb;
      for (const conn of pending.splice(0)) cb(conn);
    },
    connect(locator) {
      const target = locator.hints === false ? undefined : locator.hints.path;
      if (locator.transport !== UNIX_TRANSPORT || !target) return Promise.reject(new TypeError(`${UNIX_TRANSPORT}: needs a locator with a path hint`));
      return new Promise((resolve, reject) => {
        const socket = createConnection(target);
        socket.once('error', (cause) => reject(new Error(`${UNIX_TRANSPORT}: cannot reach ${target}`, { cause })));
        socket.once('connect', () => resolve(track(socket, true)));
      });
    },
    async close() {
      for (const socket of connections) socket.destroy();
      const s = server;
      if (s?.listening) await new Promise((resolve) => s.close(resolve));
    },
  };
}
