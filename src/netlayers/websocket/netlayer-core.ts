/**
 * The `websocket` netlayer, wire-compatible with Spritely Goblins 0.18 (notes §10.5, §15):
 * the platform-neutral part (no `ws` here; sockets come through {@link DialMessageSocket}
 * and {@link MessageSocketServer}). The Node factories are in netlayer.ts.
 *
 * Locator: `<ocapn-peer 'websocket DESIGNATOR {"url": "ws://host:port"}>`, where DESIGNATOR is
 * the lowercase unpadded base32 of our 32-byte Ed25519 designator key (a long-term netlayer
 * key, not a CapTP session key). Before CapTP, the dialler checks that the server holds that
 * key ({@link answerPeerAuth}, {@link verifyPeerAuthAnswer}). Between ocapn-ts nodes, where
 * the upgrade negotiated it, the dialler then proves its own designator key
 * ({@link encodeClientProof}, {@link verifyClientProof}). Then each binary WebSocket message
 * carries exactly one CapTP message.
 * @module
 */
import { generateKeyPair, keyPairFromSeed, randomBytes } from '../../crypto/index.js';
import type { SessionKeyPair } from '../../crypto/index.js';
import { bytesEqual } from '../../syrup/index.js';
import type { DecodeOptions } from '../../syrup/index.js';
import type { PeerLocator } from '../../locator/types.js';
import { AcceptQueue, OpenConnections, checkHostOption, checkSyrupOption, intOption, optionsObject } from '../common.js';
import type { Connection, Netlayer } from '../interface.js';
import { DEFAULT_MAX_MESSAGE_BYTES, checkMaxMessageBytes } from '../stream/framing.js';
import { WebSocketConnectionImpl } from './connection.js';
import type { ConnectionSettings, WebSocketConnection } from './connection.js';
import type { DialMessageSocket, MessageSocket, MessageSocketOptions, MessageSocketServer } from './message-socket.js';
import {
  PeerAuthError,
  answerPeerAuth,
  designatorFromPublicKey,
  encodeClientProof,
  encodePeerAuth,
  parsePeerAuth,
  publicKeyFromDesignator,
  verifyClientProof,
  verifyPeerAuthAnswer,
  PEER_AUTH_NONCE_BYTES,
} from './peer-auth.js';

/** The transport name. */
export const WEBSOCKET_TRANSPORT = 'websocket';

/** Default largest incoming message: 16 MiB. */
export const DEFAULT_WEBSOCKET_MAX_MESSAGE_BYTES = DEFAULT_MAX_MESSAGE_BYTES;

/** Default {@link WebSocketOptions.maxPeerAuthBytes}: 4 KiB. */
export const DEFAULT_MAX_PEER_AUTH_BYTES = 4096;

/**
 * An HTTP or HTTPS server the user owns (a Node `http.Server` or `https.Server`), for
 * {@link WebSocketOptions.server}. Only its `'upgrade'` event is used.
 */
export interface WebSocketHttpServer {
  on(event: 'upgrade', listener: (request: unknown, socket: unknown, head: unknown) => void): unknown;
  off(event: 'upgrade', listener: (request: unknown, socket: unknown, head: unknown) => void): unknown;
}

/**
 * TLS settings for dialling `wss://` URLs (Node only; a browser uses its own trust store
 * and ignores them). Default: the system's CAs and full verification, hostname included.
 */
export interface WebSocketTlsOptions {
  /**
   * Certificates (PEM text or DER/PEM bytes) to trust instead of the default CAs, e.g. the
   * self-signed certificate of a private deployment. Its subjectAltName must still name
   * the URL's host.
   */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
  /** `false` accepts any certificate (tests only: it gives up server authentication by TLS). Default `true`. */
  rejectUnauthorized?: boolean | undefined;
}

/** Options of {@link listenWebSocket}. */
export interface WebSocketOptions {
  /** Address to listen on. Default `'127.0.0.1'`. Not with `server`. */
  host?: string | undefined;
  /** TCP port to listen on, 0–65535. Default 0 (an ephemeral port; see `location`). Not with `server`. */
  port?: number | undefined;
  /**
   * Serve on this existing HTTP or HTTPS server instead of our own (Node only): we add an
   * `'upgrade'` listener that takes only upgrade requests whose URL path is `path` and leaves
   * all others to the server's other listeners. We never call its `listen` or `close`;
   * {@link Netlayer.close} removes our listener and closes our sockets only. Needs `url`
   * (e.g. `wss://example.org/ocapn`); `host` and `port` may not be given with it.
   */
  server?: WebSocketHttpServer | undefined;
  /** With `server`: the URL path (starting with `/`) we answer upgrades on, query ignored. Default `'/'`. */
  path?: string | undefined;
  /** TLS settings for the `wss://` URLs we dial (Node only). Default: normal verification. */
  tls?: WebSocketTlsOptions | undefined;
  /**
   * Our Ed25519 designator key pair (32-byte seed and 32-byte public key). Keep it to keep
   * the same designator across restarts. Default: a fresh random pair.
   */
  keyPair?: SessionKeyPair | undefined;
  /**
   * The `url` hint we advertise (`ws://…` or `wss://…`), e.g. the public address of a TLS
   * proxy in front of us. Default `ws://HOST:PORT` with the actual port.
   */
  url?: string | undefined;
  /** Largest incoming message in bytes (integer 1 – 2^31-1). Default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /**
   * Most bytes (frame headers included) we read from a socket before its peer-auth
   * messages have arrived: from a server its answer (180 bytes); from a client its
   * `init:peer-auth` (60 bytes), and, when it asked for mutual proof, its
   * `init:peer-auth-client` too (229 bytes in all). Past it the socket is dropped. Bounds
   * what an unauthenticated peer can make us buffer, which would otherwise be
   * `maxMessageBytes`. Integer 256 – 2^31-1; default 4,096. Enforced on Node (where the raw
   * socket is visible).
   */
  maxPeerAuthBytes?: number | undefined;
  /**
   * How long peer authentication may take, in ms (integer ≥ 1): for the dialler, from the
   * start of `connect()` (TCP, HTTP upgrade and the signed answer); for the listener, from
   * the upgrade to the client's `init:peer-auth`, or to its `init:peer-auth-client` when it
   * asked for mutual proof. Default 10,000.
   */
  handshakeTimeoutMs?: number | undefined;
  /**
   * After our `close()`, how long (ms, integer ≥ 0) to wait for the peer's closing handshake
   * before dropping the socket. Default 2,000.
   */
  closeLingerMs?: number | undefined;
  /** Syrup scanner limits applied to incoming messages; `maxValueBytes` is replaced by `maxMessageBytes`. */
  syrup?: DecodeOptions | undefined;
  /**
   * Mutual proof between ocapn-ts nodes (peer-auth.ts): as a dialler, ask for it in the
   * upgrade and prove our designator when the server offers; as a listener, offer it to a
   * client that asks. Peers that do not ask or offer (Goblins 0.18, browsers) are unaffected
   * either way. `false` behaves exactly like Goblins 0.18 (e.g. behind a proxy that drops
   * unknown response headers). Default `true`.
   */
  mutualPeerAuth?: boolean | undefined;
}

/**
 * Options of {@link createWebSocketDialer}: those of a listener without `host` and `port`.
 * `url`, if given, is only advertised (default: no hints, i.e. `hints: false`).
 */
export type WebSocketDialerOptions = Omit<WebSocketOptions, 'host' | 'port' | 'server' | 'path'>;

/** A websocket netlayer, listening or dial-only. */
export interface WebSocketNetlayer extends Netlayer {
  readonly transport: typeof WEBSOCKET_TRANSPORT;
  /**
   * `{transport:'websocket', designator, hints:{url}}`; a dial-only netlayer without a `url`
   * option has `hints: false` (nobody can dial it).
   */
  readonly location: PeerLocator;
  /** Our 32-byte designator public key (the designator is its base32). */
  readonly publicKey: Uint8Array;
  /** `false` for a dial-only netlayer. */
  readonly listening: boolean;
  /** Open (authenticated) connections, both directions. */
  readonly connectionCount: number;
  /**
   * Dials `locator.hints.url`, then authenticates the server against the designator; if
   * the server offers mutual proof (an ocapn-ts listener does), proves our own designator
   * to it as well, so the server's connection has our designator as `provenDesignator`.
   * Rejects with TypeError if `locator` is not a websocket locator with a string `url` hint;
   * RangeError if the designator is not base32 of a 32-byte key or the URL is not `ws://`
   * / `wss://`; Error if the locator has `hints: false`, this netlayer is closed, the peer
   * cannot be reached, or peer authentication fails or does not finish within
   * `handshakeTimeoutMs` (the message names the URL and designator; `cause` keeps the
   * underlying error, a {@link PeerAuthError} for a bad answer).
   */
  connect(locator: PeerLocator): Promise<WebSocketConnection>;
}

/** Options with defaults filled in. @internal */
export interface Resolved extends ConnectionSettings, MessageSocketOptions {
  readonly host: string;
  readonly port: number;
  readonly keyPair: SessionKeyPair;
  readonly url: string | undefined;
  readonly handshakeTimeoutMs: number;
  /** The user's server to attach to, if any (then `url` is set). */
  readonly server: WebSocketHttpServer | undefined;
  readonly path: string;
  readonly tls: WebSocketTlsOptions | undefined;
}

function checkTls(tls: unknown, where: string): WebSocketTlsOptions | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null) throw new TypeError(`${where}: tls must be an object`);
  const { ca, rejectUnauthorized } = tls as Record<string, unknown>;
  const isCert = (c: unknown): boolean => typeof c === 'string' || c instanceof Uint8Array;
  if (ca !== undefined && !isCert(ca) && !(Array.isArray(ca) && ca.every(isCert))) {
    throw new TypeError(`${where}: tls.ca must be a string, a Uint8Array or an array of them`);
  }
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') {
    throw new TypeError(`${where}: tls.rejectUnauthorized must be a boolean, got ${typeof rejectUnauthorized}`);
  }
  const out: WebSocketTlsOptions = {};
  if (ca !== undefined) out.ca = Array.isArray(ca) ? Object.freeze([...(ca as (string | Uint8Array)[])]) : (ca as string | Uint8Array);
  if (rejectUnauthorized !== undefined) out.rejectUnauthorized = rejectUnauthorized;
  return Object.freeze(out);
}

function checkServer(options: WebSocketOptions, where: string): { server: WebSocketHttpServer | undefined; path: string } {
  const { server, path = '/' } = options;
  if (server === undefined) {
    if (options.path !== undefined) throw new TypeError(`${where}: path is only for use with server`);
    return { server, path };
  }
  if (typeof server !== 'object' || server === null || typeof server.on !== 'function' || typeof server.off !== 'function') {
    throw new TypeError(`${where}: server must be a Node http.Server or https.Server`);
  }
  if (options.host !== undefined || options.port !== undefined) throw new TypeError(`${where}: host and port may not be given with server`);
  if (options.url === undefined) throw new TypeError(`${where}: url (the advertised ws:// or wss:// URL) is required with server`);
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new TypeError(`${where}: path must be a string starting with '/' without '?', '#' or spaces, got ${JSON.stringify(path)}`);
  }
  return { server, path };
}

function checkUrl(url: unknown, what: string): string {
  if (typeof url !== 'string') throw new TypeError(`${what} must be a string, got ${typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`${what} is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new RangeError(`${what} must be a ws:// or wss:// URL, got ${JSON.stringify(url)}`);
  }
  return url;
}

function checkKeyPair(keyPair: unknown, where: string): SessionKeyPair {
  if (typeof keyPair !== 'object' || keyPair === null) throw new TypeError(`${where}: keyPair must be {privateKey, publicKey}`);
  const { privateKey, publicKey } = keyPair as Partial<SessionKeyPair>;
  if (!(privateKey instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) {
    throw new TypeError(`${where}: keyPair.privateKey and keyPair.publicKey must be Uint8Arrays`);
  }
  if (privateKey.length !== 32 || publicKey.length !== 32) {
    throw new RangeError(`${where}: keyPair keys must be 32 bytes each, got ${privateKey.length} and ${publicKey.length}`);
  }
  const derived = keyPairFromSeed(privateKey);
  if (!bytesEqual(derived.publicKey, publicKey)) throw new RangeError(`${where}: keyPair.publicKey does not belong to keyPair.privateKey`);
  return derived;
}

/** Checks options and fills in defaults. @internal */
export function resolveOptions(options: WebSocketOptions | undefined, where: string): Resolved {
  options = optionsObject(options, where);
  const { host = '127.0.0.1', syrup, mutualPeerAuth = true } = options;
  checkHostOption(host, where);
  if (typeof mutualPeerAuth !== 'boolean') throw new TypeError(`${where}: mutualPeerAuth must be a boolean, got ${typeof mutualPeerAuth}`);
  checkSyrupOption(syrup, where);
  return {
    host,
    port: intOption(options.port, 'port', 0, 65535, 0, where),
    keyPair: options.keyPair === undefined ? generateKeyPair() : checkKeyPair(options.keyPair, where),
    url: options.url === undefined ? undefined : checkUrl(options.url, `${where}: url`),
    maxMessageBytes: checkMaxMessageBytes(options.maxMessageBytes, where),
    maxPeerAuthBytes: intOption(options.maxPeerAuthBytes, 'maxPeerAuthBytes', 256, 2 ** 31 - 1, DEFAULT_MAX_PEER_AUTH_BYTES, where),
    handshakeTimeoutMs: intOption(options.handshakeTimeoutMs, 'handshakeTimeoutMs', 1, 2 ** 31 - 1, 10_000, where),
    closeLingerMs: intOption(options.closeLingerMs, 'closeLingerMs', 0, 2 ** 31 - 1, 2_000, where),
    syrup,
    mutualPeerAuth,
    ...checkServer(options, where),
    tls: checkTls(options.tls, where),
  };
}

/** @internal Built by the platform factories (netlayer.ts for Node). */
export class WsNetlayer implements WebSocketNetlayer {
  readonly transport = WEBSOCKET_TRANSPORT;
  /**
   * Peer-auth proves the server we dial. The dialler proves nothing to Goblins 0.18, and to us
   * only when it negotiated mutual proof: some incoming connections are proven, others not.
   */
  readonly authenticates = 'dialled' as const;
  readonly location: PeerLocator;
  readonly listening: boolean;
  readonly #options: Resolved;
  readonly #server: MessageSocketServer | undefined;
  readonly #dial: DialMessageSocket;
  readonly #incomingQueue = new AcceptQueue<WebSocketConnectionImpl>('websocket accept');
  readonly #connections = new OpenConnections(this.#incomingQueue);
  /** Sockets still authenticating (both directions). */
  readonly #pending = new Set<MessageSocket>();
  #closed = false;
  #closing: Promise<void> | undefined;

  /**
   * @param url the `url` hint to advertise, or `undefined` for `hints: false`.
   * @param server the listener, or `undefined` for a dial-only netlayer.
   * @param dial how to open a WebSocket on this platform.
   */
  constructor(options: Resolved, url: string | undefined, server: MessageSocketServer | undefined, dial: DialMessageSocket) {
    this.#options = options;
    this.#server = server;
    this.#dial = dial;
    this.listening = server !== undefined;
    this.location = Object.freeze({
      transport: WEBSOCKET_TRANSPORT,
      designator: designatorFromPublicKey(options.keyPair.publicKey),
      hints: url === undefined ? false : Object.freeze({ url }),
    });
  }

  get publicKey(): Uint8Array {
    return this.#options.keyPair.publicKey.slice();
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  accept(onConnection: (connection: Connection) => void): void {
    this.#incomingQueue.accept(onConnection);
  }

  async connect(locator: PeerLocator): Promise<WebSocketConnection> {
    if (typeof locator !== 'object' || locator === null) throw new TypeError('websocket connect needs a PeerLocator');
    if (locator.transport !== WEBSOCKET_TRANSPORT) {
      throw new TypeError(`websocket connect: transport must be 'websocket', got ${JSON.stringify(locator.transport)}`);
    }
    const publicKey = publicKeyFromDesignator(locator.designator);
    const hints = locator.hints;
    const target = `designator ${JSON.stringify(locator.designator)}`;
    if (hints === false) throw new Error(`websocket: cannot connect to ${target}: the peer does not listen (no url hint)`);
    if (typeof hints !== 'object' || hints === null || typeof hints.url !== 'string') {
      throw new TypeError('websocket connect: the locator needs hints {url: string}');
    }
    const url = checkUrl(hints.url, 'websocket connect: the url hint');
    const where = `${url} (${target})`;
    if (this.#closed) throw new Error(`websocket: cannot connect to ${where}: this netlayer is closed`);

    const abort = new AbortController();
    const timeoutMs = this.#options.handshakeTimeoutMs;
    const timer = setTimeout(() => abort.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    let socket: MessageSocket;
    try {
      socket = await this.#dial(url, this.#options, abort.signal);
    } catch (err) {
      clearTimeout(timer);
      throw new Error(`websocket: cannot connect to ${where}: ${(err as Error).message}`, { cause: err });
    }
    if (this.#closed) {
      clearTimeout(timer);
      socket.terminate();
      throw new Error(`websocket: cannot connect to ${where}: this netlayer closed meanwhile`);
    }
    this.#pending.add(socket);
    try {
      return await this.#authenticateServer(socket, url, locator.designator, publicKey, abort.signal);
    } catch (err) {
      socket.terminate();
      throw new Error(`websocket: peer authentication with ${where} failed: ${(err as Error).message}`, { cause: err });
    } finally {
      clearTimeout(timer);
      this.#pending.delete(socket);
    }
  }

  /**
   * Client side: send our nonce, check the signed answer, prove our own key if the server
   * offered a nonce, then hand over the socket; `designator` (the one dialled) is then proven.
   */
  #authenticateServer(socket: MessageSocket, url: string, designator: string, publicKey: Uint8Array, signal: AbortSignal): Promise<WebSocketConnectionImpl> {
    return new Promise((resolve, reject) => {
      const clientNonce = randomBytes(PEER_AUTH_NONCE_BYTES);
      const sent = encodePeerAuth(clientNonce);
      const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      let failure: Error | undefined;
      socket.listen({
        message: (data, binary) => {
          done();
          if (!binary) return reject(new PeerAuthError('the server answered with a text message'));
          try {
            verifyPeerAuthAnswer(sent, data, publicKey);
          } catch (err) {
            return reject(err);
          }
          if (this.#closed) return reject(new Error('this netlayer closed meanwhile'));
          const serverNonce = socket.mutualAuthNonce;
          // Before any CapTP message: the server accepts nothing else once it has offered.
          if (serverNonce !== undefined) socket.send(encodeClientProof({ serverKey: publicKey, serverNonce, clientNonce }, this.#options.keyPair));
          // Synchronously, so that frames right behind the answer reach the connection.
          resolve(this.#track(socket, true, url, designator));
        },
        error: (err) => (failure ??= err),
        close: (code) => {
          done();
          reject(failure ?? new Error(`the server closed the connection before answering (code ${code})`));
        },
      });
      socket.send(sent);
    });
  }

  /**
   * @internal Server side: a new upgraded socket (called by the platform listener). We answer
   * its `init:peer-auth`; if we offered it a nonce (it asked for mutual proof), only its
   * valid `init:peer-auth-client` lets it through, and its designator is then proven.
   */
  incoming(socket: MessageSocket): void {
    if (this.#closed) {
      socket.terminate();
      return;
    }
    this.#pending.add(socket);
    const timer = setTimeout(() => socket.terminate(), this.#options.handshakeTimeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      this.#pending.delete(socket);
    };
    const serverNonce = socket.mutualAuthNonce;
    let clientNonce: Uint8Array | undefined; // set once we have answered
    socket.listen({
      message: (data, binary) => {
        let proven: string | undefined;
        try {
          if (!binary) throw new PeerAuthError('a peer-auth message is text');
          if (clientNonce === undefined) {
            const nonce = parsePeerAuth(data);
            socket.send(answerPeerAuth(data, this.#options.keyPair.privateKey));
            clientNonce = nonce;
            if (serverNonce !== undefined) return; // its proof comes next
          } else {
            const binding = { serverKey: this.#options.keyPair.publicKey, serverNonce: serverNonce!, clientNonce };
            proven = designatorFromPublicKey(verifyClientProof(data, binding));
          }
        } catch {
          finish();
          this.#refuse(socket);
          return;
        }
        finish();
        this.#incomingQueue.offer(this.#track(socket, false, undefined, proven));
      },
      error: () => undefined, // a close follows
      close: () => finish(),
    });
  }

  /** Closes a socket that failed peer authentication: 1008 (policy violation), no details for an unauthenticated client. */
  #refuse(socket: MessageSocket): void {
    socket.close(1008, 'peer authentication expected');
    const linger = setTimeout(() => socket.terminate(), this.#options.closeLingerMs);
    void socket.closed.then(() => clearTimeout(linger));
    socket.listen({ message: () => undefined, error: () => undefined, close: () => undefined });
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const waits: Promise<void>[] = [];
    if (this.#server !== undefined) waits.push(this.#server.close());
    for (const socket of this.#pending) {
      socket.terminate();
      waits.push(socket.closed);
    }
    this.#pending.clear();
    waits.push(...this.#connections.closeAll());
    this.#closing = Promise.all(waits).then(() => undefined);
    return this.#closing;
  }

  /** @param proven the designator peer authentication proved (the server we dialled, or a client that proved its key), else `undefined`. */
  #track(socket: MessageSocket, outgoing: boolean, url: string | undefined, proven: string | undefined): WebSocketConnectionImpl {
    return this.#connections.add(new WebSocketConnectionImpl(socket, outgoing, url, proven, this.#options));
  }
}
