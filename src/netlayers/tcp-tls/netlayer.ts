/**
 * The `tcp-tls` netlayer, as Spritely Goblins 0.18 defines it in
 * `(goblins ocapn netlayer tcp-tls)`: TCP, a certificate preamble from the server, then TLS;
 * CapTP messages inside the TLS stream as raw Syrup records (the shared stream framer).
 *
 * Locator: `<ocapn-peer 'tcp-tls DESIGNATOR {"host": H, "port": P}>`, DESIGNATOR being the
 * lowercase hex of SHA-256(SHA-256(server certificate PEM)), the port hint a decimal string.
 * The dialler proves the server's designator; the server learns nothing of the client.
 * @module
 */
import { createServer, connect as netConnect } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { PeerLocator } from '../../locator/types.js';
import type { DecodeOptions } from '../../syrup/index.js';
import { AcceptQueue, OpenConnections, checkHostOption, checkSyrupOption, intOption, optionsObject } from '../common.js';
import type { Connection, Netlayer } from '../interface.js';
import { FRAMINGS, checkMaxMessageBytes } from '../stream/index.js';
import type { Framing } from '../stream/index.js';
import { SocketConnection } from '../stream/socket-connection.js';
import { encodeCertificatePreamble, tcpTlsDesignator } from './designator.js';
import { TcpTlsRefusedError, clientHandshake, serverHandshake } from './handshake.js';
import { checkIdentity, generateTcpTlsIdentity } from './identity.js';
import type { TcpTlsIdentity, TcpTlsKeyAlgorithm } from './identity.js';

/** The transport name. */
export const TCP_TLS_TRANSPORT = 'tcp-tls';

/** The port Goblins dials when a tcp-tls locator has no `port` hint. */
export const TCP_TLS_DEFAULT_PORT = 8088;

/** Options of {@link listenTcpTls}. */
export interface TcpTlsOptions {
  /** Address to listen on and to advertise in the `host` hint. Default `'127.0.0.1'`. */
  host?: string | undefined;
  /** TCP port to listen on, 0–65535. Default 0 (an ephemeral port; see `location`). */
  port?: number | undefined;
  /**
   * Our private key, PEM. Give it with `cert` (both or neither) to keep the designator across
   * restarts; default: a fresh identity from {@link generateTcpTlsIdentity}.
   */
  key?: string | undefined;
  /** Our self-signed certificate, PEM, byte for byte as saved: its hash is the designator. */
  cert?: string | undefined;
  /** Key type of a generated identity (ignored with `key`/`cert`). Default `'ecdsa-p256'`. */
  keyAlgorithm?: TcpTlsKeyAlgorithm | undefined;
  /** How we frame what we write (the reader accepts all three). Default `'raw'`, as Goblins. */
  framing?: Framing | undefined;
  /** Largest incoming message in bytes (integer 1 – 2^31-1). Default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /**
   * Bound (ms, integer ≥ 1) on a connection's set-up before CapTP: for the dialler the whole
   * `connect()` (TCP, preamble, TLS); for the listener from the TCP accept to the end of the
   * TLS handshake. Default 10,000.
   */
  handshakeTimeoutMs?: number | undefined;
  /** Largest certificate preamble the dialler reads, in bytes (256 – 2^20). Default 16,384. */
  maxCertificateBytes?: number | undefined;
  /** Incoming connections still in their TLS handshake at once (1 – 2^20); more are dropped. Default 128. */
  maxPendingHandshakes?: number | undefined;
  /** After our `close()`, how long (ms, integer ≥ 0) to wait for the peer's end. Default 2,000. */
  closeLingerMs?: number | undefined;
  /** Syrup scanner limits applied to incoming messages (see `DecodeOptions`). */
  syrup?: DecodeOptions | undefined;
}

/** Options of {@link createTcpTlsDialer}: those of a listener, without `port`. */
export type TcpTlsDialerOptions = Omit<TcpTlsOptions, 'port'>;

/** One tcp-tls connection, with every optional member of {@link Connection}. */
export interface TcpTlsConnection extends Connection {
  /** The peer's IP address, as the socket reports it. */
  readonly remoteAddress: string | undefined;
  /** The peer's TCP port, as the socket reports it. */
  readonly remotePort: number | undefined;
  /**
   * Outgoing: the designator we dialled, which the server's certificate hashes to and whose
   * key the TLS handshake proved. Incoming: `undefined` (no client certificate is asked).
   */
  readonly provenDesignator: string | undefined;
  /** Bytes given to the TLS socket by `send()` whose write has not completed. 0 once closed. */
  readonly bufferedAmount: number;
  /** `socket.pause()` on the TLS socket. */
  pauseReading(): void;
  /** `socket.resume()`. */
  resumeReading(): void;
  /** See {@link Connection.setMaxMessageBytes}. */
  setMaxMessageBytes(bytes: number): void;
}

/** A tcp-tls netlayer, listening or dial-only. */
export interface TcpTlsNetlayer extends Netlayer {
  readonly transport: typeof TCP_TLS_TRANSPORT;
  /** `{transport:'tcp-tls', designator, hints:{host, port}}`; port `"0"` when dial-only. */
  readonly location: PeerLocator;
  /** Our key and certificate (PEM): save them to keep `location.designator`. */
  readonly identity: TcpTlsIdentity;
  /** `'dialled'`: connections we dial prove the server's designator. */
  readonly authenticates: 'dialled';
  /** `false` for a dial-only netlayer. */
  readonly listening: boolean;
  /** The writer framing. */
  readonly framing: Framing;
  /** Open connections, both directions (not counting those still in their handshake). */
  readonly connectionCount: number;
  /**
   * Dials `hints.host`:`hints.port` (port 8088 when the hint is absent, as Goblins), reads the
   * server's certificate and refuses it unless it hashes to `locator.designator`, then speaks
   * TLS. Rejects with TypeError for a locator of another transport or without a string `host`
   * hint; RangeError for a designator that is not 64 hex characters or a bad port; Error
   * (with `cause`; a {@link TcpTlsRefusedError} when the server was refused) otherwise.
   */
  connect(locator: PeerLocator): Promise<TcpTlsConnection>;
}

interface Resolved {
  readonly host: string;
  readonly port: number;
  readonly identity: TcpTlsIdentity | undefined;
  readonly keyAlgorithm: TcpTlsKeyAlgorithm | undefined;
  readonly framing: Framing;
  readonly maxMessageBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly maxCertificateBytes: number;
  readonly maxPendingHandshakes: number;
  readonly closeLingerMs: number;
  readonly syrup: DecodeOptions | undefined;
}

function resolveOptions(options: TcpTlsOptions | undefined, where: string): Resolved {
  options = optionsObject(options, where);
  const { host = '127.0.0.1', framing = 'raw', syrup, key, cert, keyAlgorithm } = options;
  checkHostOption(host, where);
  if (typeof framing !== 'string') throw new TypeError(`${where}: framing must be a string, got ${typeof framing}`);
  if (!FRAMINGS.includes(framing)) {
    throw new RangeError(`${where}: framing must be one of ${FRAMINGS.map((f) => `'${f}'`).join(', ')}, got '${framing}'`);
  }
  if ((key === undefined) !== (cert === undefined)) throw new TypeError(`${where}: give key and cert together, or neither`);
  checkSyrupOption(syrup, where);
  return {
    host,
    port: intOption(options.port, 'port', 0, 65535, 0, where),
    identity: key === undefined ? undefined : { key, cert: cert! },
    keyAlgorithm,
    framing,
    maxMessageBytes: checkMaxMessageBytes(options.maxMessageBytes, where),
    handshakeTimeoutMs: intOption(options.handshakeTimeoutMs, 'handshakeTimeoutMs', 1, 2 ** 31 - 1, 10_000, where),
    maxCertificateBytes: intOption(options.maxCertificateBytes, 'maxCertificateBytes', 256, 2 ** 20, 16_384, where),
    maxPendingHandshakes: intOption(options.maxPendingHandshakes, 'maxPendingHandshakes', 1, 2 ** 20, 128, where),
    closeLingerMs: intOption(options.closeLingerMs, 'closeLingerMs', 0, 2 ** 31 - 1, 2_000, where),
    syrup,
  };
}

async function identityOf(resolved: Resolved, where: string): Promise<[TcpTlsIdentity, SecureContext]> {
  const identity = resolved.identity ?? (await generateTcpTlsIdentity(resolved.keyAlgorithm === undefined ? {} : { algorithm: resolved.keyAlgorithm }));
  return [identity, checkIdentity(identity.key, identity.cert, where)];
}

/**
 * Starts a listening tcp-tls netlayer.
 * @returns once listening; `location.hints.port` holds the actual port.
 * @throws TypeError / RangeError (as rejections) for bad options or an unusable key/cert
 *   pair; Error (with `cause`) if the address cannot be bound (e.g. EADDRINUSE).
 */
export async function listenTcpTls(options?: TcpTlsOptions): Promise<TcpTlsNetlayer> {
  const where = 'listenTcpTls';
  const resolved = resolveOptions(options, where);
  const [identity, context] = await identityOf(resolved, where);
  const server = createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new Error(`tcp-tls: cannot listen on ${resolved.host}:${resolved.port}: ${err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  return new TlsNetlayer(resolved, identity, context, port, server);
}

/**
 * Creates a dial-only tcp-tls netlayer: it can {@link Netlayer.connect} but does not listen;
 * its location advertises port `"0"`, which no one can dial. It still has an identity (its
 * designator names it in `op:start-session`).
 * @throws TypeError / RangeError (as rejections) for bad options.
 */
export async function createTcpTlsDialer(options?: TcpTlsDialerOptions): Promise<TcpTlsNetlayer> {
  const where = 'createTcpTlsDialer';
  if (options !== undefined && typeof options === 'object' && options !== null && 'port' in options) {
    throw new TypeError(`${where}: a dial-only netlayer takes no port option`);
  }
  const resolved = resolveOptions(options, where);
  const [identity, context] = await identityOf(resolved, where);
  return new TlsNetlayer(resolved, identity, context, 0, undefined);
}

function parseTarget(locator: PeerLocator): { host: string; port: number; designator: string } {
  if (typeof locator !== 'object' || locator === null) throw new TypeError('tcp-tls connect needs a PeerLocator');
  if (locator.transport !== TCP_TLS_TRANSPORT) {
    throw new TypeError(`tcp-tls connect: transport must be 'tcp-tls', got ${JSON.stringify(locator.transport)}`);
  }
  const hints = locator.hints;
  if (typeof hints !== 'object' || hints === null || typeof hints.host !== 'string') {
    throw new TypeError('tcp-tls connect: the locator needs hints {host: string, port?: string}');
  }
  let port = TCP_TLS_DEFAULT_PORT;
  if (hints.port !== undefined) {
    if (typeof hints.port !== 'string' || !/^[0-9]{1,5}$/.test(hints.port) || Number(hints.port) > 65535) {
      throw new RangeError(`tcp-tls: port hint must be a decimal string 0–65535, got ${JSON.stringify(hints.port)}`);
    }
    port = Number(hints.port);
  }
  if (typeof locator.designator !== 'string' || !/^[0-9a-f]{64}$/.test(locator.designator)) {
    throw new RangeError(`tcp-tls: designator must be 64 lowercase hex characters (SHA-256d of the certificate), got ${JSON.stringify(locator.designator)}`);
  }
  return { host: hints.host, port, designator: locator.designator };
}

class TlsNetlayer implements TcpTlsNetlayer {
  readonly transport = TCP_TLS_TRANSPORT;
  readonly authenticates = 'dialled' as const;
  readonly location: PeerLocator;
  readonly identity: TcpTlsIdentity;
  readonly listening: boolean;
  readonly framing: Framing;
  readonly #options: Resolved;
  readonly #context: SecureContext;
  readonly #preamble: Uint8Array;
  readonly #server: Server | undefined;
  readonly #incomingQueue = new AcceptQueue<TlsConnection>('tcp-tls accept');
  readonly #connections = new OpenConnections(this.#incomingQueue);
  /** Sockets still in their set-up (both directions), destroyed by close(). */
  readonly #pending = new Set<Socket>();
  #pendingIncoming = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: Resolved, identity: TcpTlsIdentity, context: SecureContext, port: number, server: Server | undefined) {
    this.#options = options;
    this.identity = Object.freeze({ key: identity.key, cert: identity.cert });
    this.#context = context;
    this.#preamble = encodeCertificatePreamble(identity.cert);
    this.#server = server;
    this.listening = server !== undefined;
    this.framing = options.framing;
    this.location = Object.freeze({
      transport: TCP_TLS_TRANSPORT,
      designator: tcpTlsDesignator(identity.cert),
      hints: Object.freeze({ host: options.host, port: String(port) }),
    });
    if (server !== undefined) {
      server.on('connection', (socket) => this.#incoming(socket));
      server.on('error', () => {
        /* after listen succeeded, errors are per-socket and handled there */
      });
    }
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  accept(onConnection: (connection: Connection) => void): void {
    this.#incomingQueue.accept(onConnection);
  }

  async connect(locator: PeerLocator): Promise<TcpTlsConnection> {
    const { host, port, designator } = parseTarget(locator);
    const target = `${host}:${port} (designator ${JSON.stringify(designator)})`;
    if (port === 0) throw new Error(`tcp-tls: cannot connect to ${target}: the peer does not listen (port "0")`);
    if (this.#closed) throw new Error(`tcp-tls: cannot connect to ${target}: this netlayer is closed`);
    const timeoutMs = this.#options.handshakeTimeoutMs;
    const socket = netConnect({ host, port, noDelay: true });
    this.#pending.add(socket);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let tls: TLSSocket;
    try {
      tls = await new Promise<TLSSocket>((resolve, reject) => {
        timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`tcp-tls: cannot connect to ${target}: no TLS session after ${timeoutMs} ms`));
        }, timeoutMs);
        const onError = (err: Error): void => {
          socket.destroy();
          reject(new Error(`tcp-tls: cannot connect to ${target}: ${err.message}`, { cause: err }));
        };
        socket.once('error', onError);
        socket.once('connect', () => {
          socket.off('error', onError);
          clientHandshake(socket, designator, this.#options.maxCertificateBytes).then(resolve, (err: Error) => {
            const what = err instanceof TcpTlsRefusedError ? 'refused' : 'TLS set-up with';
            reject(new Error(`tcp-tls: ${what} ${target}${err instanceof TcpTlsRefusedError ? ':' : ' failed:'} ${err.message}`, { cause: err }));
          });
        });
      });
    } finally {
      clearTimeout(timer);
      this.#pending.delete(socket);
    }
    if (this.#closed) {
      tls.destroy();
      throw new Error(`tcp-tls: cannot connect to ${target}: this netlayer closed meanwhile`);
    }
    return this.#connections.add(new TlsConnection(tls, true, this.#options, designator));
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const serverClosed = new Promise<void>((resolve) => {
      if (this.#server === undefined) resolve();
      else this.#server.close(() => resolve());
    });
    for (const socket of this.#pending) socket.destroy();
    const gone = this.#connections.closeAll();
    this.#closing = Promise.all([serverClosed, ...gone]).then(() => undefined);
    return this.#closing;
  }

  #incoming(socket: Socket): void {
    if (this.#closed || this.#pendingIncoming >= this.#options.maxPendingHandshakes) {
      socket.destroy();
      return;
    }
    this.#pendingIncoming++;
    this.#pending.add(socket);
    let done = false;
    // Settles this socket's set-up once, whichever comes first: handshake, failure, timeout.
    const settle = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      this.#pendingIncoming--;
      this.#pending.delete(socket);
      return true;
    };
    const timer = setTimeout(() => {
      if (settle()) socket.destroy();
    }, this.#options.handshakeTimeoutMs);
    serverHandshake(socket, this.#preamble, this.#context).then(
      (tls) => {
        if (!settle() || this.#closed) {
          tls.destroy();
          return;
        }
        this.#incomingQueue.offer(this.#connections.add(new TlsConnection(tls, false, this.#options, undefined)));
      },
      () => {
        if (settle()) socket.destroy();
      },
    );
  }
}

/** A tcp-tls connection: the shared stream connection over a TLS socket. */
class TlsConnection extends SocketConnection implements TcpTlsConnection {
  constructor(tls: TLSSocket, outgoing: boolean, options: Resolved, provenDesignator: string | undefined) {
    super(tls, outgoing, { ...options, transport: TCP_TLS_TRANSPORT, provenDesignator });
  }
}
