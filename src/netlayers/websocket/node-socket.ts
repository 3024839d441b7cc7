/**
 * The only file of the WebSocket netlayer that touches the `ws` package (Node): a
 * {@link MessageSocket} (message-socket.ts) over `ws`, a listener and a dialler. The browser
 * variant, over the platform `WebSocket`, is browser-socket.ts; browsers cannot listen.
 *
 * It is also the only file that reads or writes HTTP headers: the negotiation of mutual
 * peer-auth (peer-auth.ts) happens here, and what it settles, the server's nonce, travels on
 * as {@link MessageSocket.mutualAuthNonce}.
 * @module
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket as WsSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { randomBytes } from '../../crypto/index.js';
import type { DialMessageSocket, MessageSocket, MessageSocketEvents, MessageSocketOptions, MessageSocketServer } from './message-socket.js';
import type { WebSocketHttpServer, WebSocketTlsOptions } from './netlayer-core.js';
import { MUTUAL_AUTH_NONCE_HEADER, MUTUAL_AUTH_REQUEST_HEADER, MUTUAL_AUTH_VERSION, PEER_AUTH_NONCE_BYTES, PeerAuthError } from './peer-auth.js';

/** Whether an upgrade request's `x-ocapn-peer-auth` header (a comma-separated list of versions) asks for our version. */
function asksForMutualAuth(value: string | string[] | undefined): boolean {
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined !== undefined && joined.split(',').some((v) => v.trim() === MUTUAL_AUTH_VERSION);
}

const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/**
 * The server's nonce from its `x-ocapn-peer-auth-nonce` response header, or `undefined`
 * when it offered none.
 * @throws PeerAuthError unless it is the canonical unpadded base64url of 32 bytes.
 */
function offeredNonce(value: string | string[] | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  const bytes = BASE64URL_32.test(text) ? new Uint8Array(Buffer.from(text, 'base64url')) : undefined;
  if (bytes === undefined || bytes.length !== PEER_AUTH_NONCE_BYTES || Buffer.from(bytes).toString('base64url') !== text) {
    throw new PeerAuthError(`the server's ${MUTUAL_AUTH_NONCE_HEADER} header is not the unpadded base64url of ${PEER_AUTH_NONCE_BYTES} bytes`);
  }
  return bytes;
}

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
  /** See {@link MessageSocket.mutualAuthNonce}; a dialler sets it from the upgrade response, before 'open'. */
  mutualAuthNonce: Uint8Array | undefined;
  readonly #ws: WsSocket;
  #remoteAddress: string | undefined;
  #events: MessageSocketEvents | undefined;
  readonly #queue: Queued[] = [];
  /** Payload bytes sent whose write callback has not run yet. */
  #buffered = 0;
  #messages = 0;
  /** The transport under `ws` (known once the upgrade is done), corked while a turn's frames collect. */
  #raw: Duplex | undefined;
  #corked = false;

  constructor(ws: WsSocket, remoteAddress: string | undefined, mutualAuthNonce: Uint8Array | undefined) {
    this.#ws = ws;
    this.#remoteAddress = remoteAddress;
    this.mutualAuthNonce = mutualAuthNonce;
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: RawData, isBinary: boolean) => {
      this.#messages++;
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
   * Watches the raw transport under this WebSocket until `messages` whole messages (the
   * peer's peer-auth messages) have arrived: past `max` bytes, the socket is dropped. Call
   * it once `ws` listens to `raw`, so that `ws` sees (and reports) each chunk before we
   * count it. Also learns the peer's address when it was not known yet.
   */
  watchPeerAuth(raw: Duplex & { remoteAddress?: string }, max: number, messages: number): void {
    this.#remoteAddress ??= raw.remoteAddress;
    this.#raw = raw;
    let seen = 0;
    const onData = (chunk: Buffer): void => {
      if (this.#messages >= messages) {
        raw.off('data', onData);
        return;
      }
      seen += chunk.length;
      if (seen > max) {
        raw.off('data', onData);
        this.#ws.terminate();
      }
    };
    if (this.#messages < messages) raw.on('data', onData);
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
    // The frames of one turn leave in one write: cork the transport until setImmediate.
    const raw = this.#raw;
    if (!this.#corked && raw !== undefined && !raw.destroyed) {
      this.#corked = true;
      raw.cork();
      setImmediate(this.#uncork);
    }
    // Called once the frame is written to the kernel, or with an error when the socket is
    // destroyed first; always asynchronously.
    this.#ws.send(bytes, { binary: true }, () => {
      const before = this.#buffered;
      this.#buffered -= length;
      if (before > 0 && this.#buffered === 0) this.#emit({ kind: 'drain' });
    });
  }

  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#raw?.uncork();
  };

  pause(): void {
    this.#ws.pause();
  }

  resume(): void {
    this.#ws.resume();
  }

  close(code = 1000, reason = ''): void {
    this.#uncork(); // this turn's frames go out before the close frame
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

/** Our upgrade handling, shared by our own server and the user's: see {@link listenMessageSockets}. */
function upgradeHandler(
  options: MessageSocketOptions,
  onSocket: (socket: MessageSocket) => void,
): { handle(req: IncomingMessage, socket: Duplex, head: Buffer): void; wss: WebSocketServer } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  /** The nonce offered in each upgrade response, until the upgrade completes. */
  const offered = new WeakMap<IncomingMessage, Uint8Array>();
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    if (!options.mutualPeerAuth || !asksForMutualAuth(req.headers[MUTUAL_AUTH_REQUEST_HEADER])) return;
    const nonce = randomBytes(PEER_AUTH_NONCE_BYTES);
    offered.set(req, nonce);
    headers.push(`${MUTUAL_AUTH_NONCE_HEADER}: ${Buffer.from(nonce).toString('base64url')}`);
  });
  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const remoteAddress = req.socket.remoteAddress;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const nonce = offered.get(req);
      offered.delete(req);
      const wrapped = new NodeMessageSocket(ws, remoteAddress, nonce);
      // The client's peer-auth messages: <init:peer-auth …>, then its proof if we offered a nonce.
      wrapped.watchPeerAuth(socket, options.maxPeerAuthBytes, nonce === undefined ? 1 : 2);
      onSocket(wrapped);
    });
  };
  return { handle, wss };
}

/**
 * Listens for WebSocket upgrades on `host`:`port` (any request path) and hands each open
 * socket to `onSocket`. Plain HTTP requests get `426 Upgrade Required`. Header names are
 * case-insensitive and `Host` may lack the port (Goblins 0.18 sends `Host: 127.0.0.1` and
 * `Sec-Websocket-Key`). No subprotocol, no compression. With `options.mutualPeerAuth`, to
 * a client whose `x-ocapn-peer-auth` header asks for mutual peer-auth v1, the response
 * offers a fresh 32-byte nonce in `x-ocapn-peer-auth-nonce` (base64url), kept as the
 * socket's {@link MessageSocket.mutualAuthNonce}; any other client gets no extra header.
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
  const { handle, wss } = upgradeHandler(options, onSocket);
  http.on('upgrade', handle);
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
 * Like {@link listenMessageSockets}, on the user's own HTTP or HTTPS `server`: adds an
 * `'upgrade'` listener that takes the upgrade requests whose URL path is exactly `path`
 * (query ignored) and leaves every other request to the server's other listeners. Never
 * calls the server's `listen` or `close`; `close()` only removes our listener.
 * @returns `port`: the server's bound TCP port, or 0 if it is not listening (yet).
 */
export function attachMessageSockets(
  server: WebSocketHttpServer,
  path: string,
  options: MessageSocketOptions,
  onSocket: (socket: MessageSocket) => void,
): MessageSocketServer {
  const http = server as unknown as Server;
  const { handle, wss } = upgradeHandler(options, onSocket);
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    let pathname: string | undefined;
    try {
      pathname = new URL(req.url ?? '/', 'http://host.invalid').pathname;
    } catch {
      pathname = undefined;
    }
    if (pathname === path) handle(req, socket, head);
  };
  http.on('upgrade', onUpgrade);
  const address = http.address();
  let closing: Promise<void> | undefined;
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    close() {
      closing ??= new Promise<void>((resolve) => {
        http.off('upgrade', onUpgrade);
        wss.close(() => resolve());
      });
      return closing;
    },
  };
}

/** Node's TLS settings for `ws` from {@link WebSocketTlsOptions}. */
function tlsClientOptions(tls: WebSocketTlsOptions | undefined): { ca?: (string | Buffer)[]; rejectUnauthorized?: boolean } {
  if (tls === undefined) return {};
  const out: { ca?: (string | Buffer)[]; rejectUnauthorized?: boolean } = {};
  if (tls.ca !== undefined) {
    const list: readonly (string | Uint8Array)[] = typeof tls.ca === 'string' || tls.ca instanceof Uint8Array ? [tls.ca] : tls.ca;
    out.ca = list.map((c) => (typeof c === 'string' ? c : Buffer.from(c)));
  }
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized;
  return out;
}

/**
 * Opens a WebSocket to `url` (`ws://` or `wss://`), sending no Origin, no subprotocol and no
 * compression offer; with `options.mutualPeerAuth`, `x-ocapn-peer-auth: v1` (asking for
 * mutual peer-auth; a server that does not know it ignores the header).
 * @returns the open socket; its `mutualAuthNonce` is the nonce the server offered, if any.
 * @throws Error (as a rejection) if the connection or the HTTP upgrade fails, or `signal`
 *   aborts first (the attempt is then dropped); PeerAuthError if the server's
 *   `x-ocapn-peer-auth-nonce` header is not base64url of 32 bytes.
 */
export const dialMessageSocket: DialMessageSocket = (url, options, signal) => dialNodeMessageSocket(url, options, signal, undefined);

/**
 * {@link dialMessageSocket} with TLS settings for `wss://` URLs (`tls`; default: the
 * system's CAs, full verification).
 */
export const dialNodeMessageSocket = (url: string, options: MessageSocketOptions, signal: AbortSignal, tls: WebSocketTlsOptions | undefined): Promise<MessageSocket> =>
  new Promise((resolve, reject) => {
    const ws = new WsSocket(url, {
      ...tlsClientOptions(tls),
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: false,
      followRedirects: false,
      headers: options.mutualPeerAuth ? { [MUTUAL_AUTH_REQUEST_HEADER]: MUTUAL_AUTH_VERSION } : {},
    });
    const onAbort = (): void => {
      ws.terminate();
      reject(signal.reason instanceof Error ? signal.reason : new Error('dial aborted'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    // Wrap before 'open' so no event is lost; the wrapper queues until someone listens.
    const socket = new NodeMessageSocket(ws, undefined, undefined);
    let raw: Duplex | undefined;
    let failure: Error | undefined;
    // 'upgrade' comes before 'open' and before any message.
    ws.once('upgrade', (response: IncomingMessage) => {
      raw = response.socket;
      try {
        // An offer we did not ask for is ignored.
        if (options.mutualPeerAuth) socket.mutualAuthNonce = offeredNonce(response.headers[MUTUAL_AUTH_NONCE_HEADER]);
      } catch (err) {
        failure = err as Error;
        ws.terminate(); // ws then gives up the upgrade: 'close' follows, never 'open'
      }
    });
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
      if (raw !== undefined) socket.watchPeerAuth(raw, options.maxPeerAuthBytes, 1);
      signal.removeEventListener('abort', onAbort);
      socket.listen(undefined); // hold events until the caller listens
      resolve(socket);
    });
  });
