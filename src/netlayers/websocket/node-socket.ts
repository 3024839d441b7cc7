/**
 * The only file of the WebSocket netlayer that touches the `ws` package (Node): a
 * {@link MessageSocket} (message-socket.ts) over `ws`, a listener and a dialler. A browser
 * variant would implement {@link DialMessageSocket} with the global `WebSocket`
 * (`binaryType = 'arraybuffer'`) in a sibling file; browsers cannot listen.
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket as WsSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import type { DialMessageSocket, MessageSocket, MessageSocketEvents, MessageSocketOptions, MessageSocketServer } from './message-socket.js';

type Queued =
  | { kind: 'message'; data: Uint8Array; binary: boolean }
  | { kind: 'error'; error: Error }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'drain' };

function toBytes(data: RawData): Uint8Array {
  // Always copy: `ws` may hand out views into a larger socket chunk.
  const parts = Array.isArray(data) ? data : [data instanceof ArrayBuffer ? new Uint8Array(data) : data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

class NodeMessageSocket implements MessageSocket {
  readonly closed: Promise<void>;
  readonly #ws: WsSocket;
  #remoteAddress: string | undefined;
  #events: MessageSocketEvents | undefined;
  readonly #queue: Queued[] = [];
  /** Payload bytes sent whose write callback has not run yet. */
  #buffered = 0;
  #gotMessage = false;

  constructor(ws: WsSocket, remoteAddress: string | undefined) {
    this.#ws = ws;
    this.#remoteAddress = remoteAddress;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.#gotMessage = true;
      this.#emit({ kind: 'message', data: toBytes(data), binary: isBinary });
    });
    ws.on('error', (error: Error) => this.#emit({ kind: 'error', error }));
    this.closed = new Promise((resolve) => {
      ws.once('close', (code: number, reason: Buffer) => {
        this.#emit({ kind: 'close', code, reason: reason.toString('utf8') });
        resolve();
      });
    });
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WsSocket.OPEN;
  }

  get remoteAddress(): string | undefined {
    return this.#remoteAddress;
  }

  get bufferedAmount(): number {
    return this.#buffered;
  }

  /**
   * Watches the raw transport under this WebSocket until the first whole message has
   * arrived: past `max` bytes, the socket is dropped. Call it once `ws` listens to `raw`, so
   * that `ws` sees (and reports) each chunk before we count it. Also learns the peer's
   * address when it was not known yet.
   */
  watchFirstMessage(raw: Duplex & { remoteAddress?: string }, max: number): void {
    this.#remoteAddress ??= raw.remoteAddress;
    let seen = 0;
    const onData = (chunk: Buffer): void => {
      if (this.#gotMessage) {
        raw.off('data', onData);
        return;
      }
      seen += chunk.length;
      if (seen > max) {
        raw.off('data', onData);
        this.#ws.terminate();
      }
    };
    if (!this.#gotMessage) raw.on('data', onData);
  }

  listen(events: MessageSocketEvents | undefined): void {
    this.#events = events;
    while (this.#events === events && events !== undefined && this.#queue.length > 0) {
      this.#deliver(this.#queue.shift()!, events);
    }
  }

  send(bytes: Uint8Array): void {
    if (this.#ws.readyState !== WsSocket.OPEN) return;
    const length = bytes.length;
    this.#buffered += length;
    // Called once the frame is written to the kernel, or with an error when the socket is
    // destroyed first; always asynchronously.
    this.#ws.send(bytes, { binary: true }, () => {
      const before = this.#buffered;
      this.#buffered -= length;
      if (before > 0 && this.#buffered === 0) this.#emit({ kind: 'drain' });
    });
  }

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  close(code = 1000, reason = ''): void {
    const state = this.#ws.readyState;
    if (state === WsSocket.OPEN || state === WsSocket.CONNECTING) this.#ws.close(code, reason);
  }

  terminate(): void {
    this.#ws.terminate();
  }

  #emit(event: Queued): void {
    if (this.#events === undefined) this.#queue.push(event);
    else this.#deliver(event, this.#events);
  }

  #deliver(event: Queued, events: MessageSocketEvents): void {
    if (event.kind === 'message') events.message(event.data, event.binary);
    else if (event.kind === 'error') events.error(event.error);
    else if (event.kind === 'drain') events.drain?.();
    else events.close(event.code, event.reason);
  }
}

/**
 * Listens for WebSocket upgrades on `host`:`port` (any request path) and hands each open
 * socket to `onSocket`. Plain HTTP requests get `426 Upgrade Required`. Header names are
 * case-insensitive and `Host` may lack the port (Goblins 0.18 sends `Host: 127.0.0.1` and
 * `Sec-Websocket-Key`). No subprotocol, no compression.
 * @throws Error (with `cause`) if the address cannot be bound.
 */
export async function listenMessageSockets(
  host: string,
  port: number,
  options: MessageSocketOptions,
  onSocket: (socket: MessageSocket) => void,
): Promise<MessageSocketServer> {
  const http: Server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket', Connection: 'close' });
    res.end('This is an OCapN WebSocket endpoint.\n');
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const remoteAddress = req.socket.remoteAddress;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const wrapped = new NodeMessageSocket(ws, remoteAddress);
      wrapped.watchFirstMessage(socket, options.maxBytesBeforeFirstMessage);
      onSocket(wrapped);
    });
  });
  http.on('clientError', (_err, socket: Duplex) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(new Error(`websocket: cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      resolve();
    });
  });
  http.on('error', () => {
    /* after listen succeeded, errors are per-socket */
  });
  const address = http.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    port: actualPort,
    close() {
      closing ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections(); // plain HTTP keep-alive sockets; upgraded sockets are ours
        wss.close();
      });
      return closing;
    },
  };
}

/**
 * Opens a WebSocket to `url` (`ws://` or `wss://`), sending no Origin, no subprotocol and no
 * compression offer.
 * @returns the open socket.
 * @throws Error (as a rejection) if the connection or the HTTP upgrade fails, or `signal`
 *   aborts first (the attempt is then dropped).
 */
export const dialMessageSocket: DialMessageSocket = (url, options, signal) =>
  new Promise((resolve, reject) => {
    const ws = new WsSocket(url, { maxPayload: options.maxMessageBytes, perMessageDeflate: false, followRedirects: false });
    const onAbort = (): void => {
      ws.terminate();
      reject(signal.reason instanceof Error ? signal.reason : new Error('dial aborted'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    // Wrap before 'open' so no event is lost; the wrapper queues until someone listens.
    const socket = new NodeMessageSocket(ws, undefined);
    let raw: Duplex | undefined;
    ws.once('upgrade', (response: IncomingMessage) => (raw = response.socket));
    let failure: Error | undefined;
    socket.listen({
      message: () => undefined,
      error: (err) => (failure ??= err),
      close: (code) => {
        signal.removeEventListener('abort', onAbort);
        reject(failure ?? new Error(`closed before the WebSocket opened (code ${code})`));
      },
    });
    ws.once('open', () => {
      // 'open' follows ws's own 'data' listener on the raw socket, so ours runs after it.
      if (raw !== undefined) socket.watchFirstMessage(raw, options.maxBytesBeforeFirstMessage);
      signal.removeEventListener('abort', onAbort);
      socket.listen(undefined); // hold events until the caller listens
      resolve(socket);
    });
  });
