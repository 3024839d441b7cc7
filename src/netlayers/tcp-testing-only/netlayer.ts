/**
 * The `tcp-testing-only` netlayer (notes §10.3; OCapN PR #104): plain TCP, no encryption, no
 * peer authentication. For tests and interop runs on loopback only.
 *
 * Locator: `<ocapn-peer 'tcp-testing-only designator {"host": H, "port": P}>`; the port hint
 * is a decimal **string**. The designator is any string (we default to 32 random hex chars).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, connect as netConnect } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { PeerLocator } from '../../locator/types.js';
import type { DecodeOptions } from '../../syrup/index.js';
import { AcceptQueue, OpenConnections, checkHostOption, checkSyrupOption, intOption, optionsObject } from '../common.js';
import type { Connection, Netlayer } from '../interface.js';
import { FRAMINGS, checkMaxMessageBytes } from '../stream/index.js';
import { SocketConnection } from '../stream/socket-connection.js';
import type { Framing } from '../stream/index.js';

/** The transport name. */
export const TCP_TESTING_ONLY_TRANSPORT = 'tcp-testing-only';

/** Options of {@link listenTcpTestingOnly}. */
export interface TcpTestingOnlyOptions {
  /** Address to listen on and to advertise in the `host` hint. Default `'127.0.0.1'`. */
  host?: string | undefined;
  /** TCP port to listen on, 0–65535. Default 0 (an ephemeral port; see `location`). */
  port?: number | undefined;
  /** Our designator: any non-empty string. Default 32 random hex characters. */
  designator?: string | undefined;
  /**
   * How we frame what we WRITE (the reader accepts all three). Default `'raw'`, what Goblins
   * 0.18 and the test suite's main branch speak (notes §15). `'syrup-frame'` is Endo's
   * default; `'netstring'` is the agreed future default (test-suite PR #41).
   */
  framing?: Framing | undefined;
  /** Largest incoming message in bytes (integer 1 – 2^31-1). Default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /** How long {@link Netlayer.connect} may take, in ms (integer ≥ 1). Default 10,000. */
  connectTimeoutMs?: number | undefined;
  /**
   * After our `close()`, how long (ms, integer ≥ 0) to wait for the peer to close its side
   * before dropping the socket. Default 2,000.
   */
  closeLingerMs?: number | undefined;
  /** Syrup scanner limits applied to incoming messages (see `DecodeOptions`). */
  syrup?: DecodeOptions | undefined;
}

/** Options of {@link createTcpTestingOnlyDialer}: those of a listener, without `port`. */
export type TcpTestingOnlyDialerOptions = Omit<TcpTestingOnlyOptions, 'port'>;

/** One tcp-testing-only connection, with every optional member of {@link Connection}. */
export interface TcpTestingOnlyConnection extends Connection {
  /** The peer's IP address, as the socket reports it. */
  readonly remoteAddress: string | undefined;
  /** The peer's TCP port, as the socket reports it. */
  readonly remotePort: number | undefined;
  /** Always `undefined`: this netlayer authenticates nobody. */
  readonly provenDesignator: undefined;
  /**
   * Bytes of the frames given to the socket by `send()` and not yet written to the kernel
   * (counted from each write's completion callback). 0 once closed.
   */
  readonly bufferedAmount: number;
  /** `socket.pause()`: the kernel's receive buffer, then the peer's send window, fill up. */
  pauseReading(): void;
  /** `socket.resume()`. */
  resumeReading(): void;
  /**
   * Lowers (or raises, up to the `maxMessageBytes` option) the frame reader's limit; see
   * {@link Connection.setMaxMessageBytes}. A frame whose length prefix is over the limit is
   * refused before its payload is buffered; a raw message once it passes the limit.
   */
  setMaxMessageBytes(bytes: number): void;
}

/** A tcp-testing-only netlayer, listening or dial-only. */
export interface TcpTestingOnlyNetlayer extends Netlayer {
  readonly transport: typeof TCP_TESTING_ONLY_TRANSPORT;
  /**
   * `{transport:'tcp-testing-only', designator, hints:{host, port}}`; `port` is the actual
   * listening port as a string, or `"0"` for a dial-only netlayer (which nobody can dial).
   */
  readonly location: PeerLocator;
  /** `false` for a dial-only netlayer. */
  readonly listening: boolean;
  /** The writer framing. */
  readonly framing: Framing;
  /** Open connections, both directions. */
  readonly connectionCount: number;
  /**
   * Dials `locator.hints.host`:`locator.hints.port`.
   * Rejects with TypeError if `locator` is not a tcp-testing-only locator with string `host`
   * and `port` hints; RangeError if the port is not a decimal 1–65535; Error (with `cause`)
   * if the peer cannot be reached within `connectTimeoutMs`, or this netlayer is closed.
   */
  connect(locator: PeerLocator): Promise<TcpTestingOnlyConnection>;
}

interface Resolved {
  readonly host: string;
  readonly port: number;
  readonly designator: string;
  readonly framing: Framing;
  readonly maxMessageBytes: number;
  readonly connectTimeoutMs: number;
  readonly closeLingerMs: number;
  readonly syrup: DecodeOptions | undefined;
}

function resolveOptions(options: TcpTestingOnlyOptions | undefined, where: string): Resolved {
  options = optionsObject(options, where);
  const { host = '127.0.0.1', designator = randomBytes(16).toString('hex'), framing = 'raw', syrup } = options;
  checkHostOption(host, where);
  if (typeof designator !== 'string') throw new TypeError(`${where}: designator must be a string, got ${typeof designator}`);
  if (designator.length === 0) throw new RangeError(`${where}: designator must not be empty`);
  if (typeof framing !== 'string') throw new TypeError(`${where}: framing must be a string, got ${typeof framing}`);
  if (!FRAMINGS.includes(framing)) {
    throw new RangeError(`${where}: framing must be one of ${FRAMINGS.map((f) => `'${f}'`).join(', ')}, got '${framing}'`);
  }
  checkSyrupOption(syrup, where);
  return {
    host,
    port: intOption(options.port, 'port', 0, 65535, 0, where),
    designator,
    framing,
    maxMessageBytes: checkMaxMessageBytes(options.maxMessageBytes, where),
    connectTimeoutMs: intOption(options.connectTimeoutMs, 'connectTimeoutMs', 1, 2 ** 31 - 1, 10_000, where),
    closeLingerMs: intOption(options.closeLingerMs, 'closeLingerMs', 0, 2 ** 31 - 1, 2_000, where),
    syrup,
  };
}

/**
 * Starts a listening tcp-testing-only netlayer.
 * @returns once listening; `location.hints.port` holds the actual port.
 * @throws TypeError / RangeError (as rejections) for bad options; Error (with `cause`) if
 *   the address cannot be bound (e.g. EADDRINUSE).
 */
export async function listenTcpTestingOnly(options?: TcpTestingOnlyOptions): Promise<TcpTestingOnlyNetlayer> {
  const resolved = resolveOptions(options, 'listenTcpTestingOnly');
  const server = createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(new Error(`tcp-testing-only: cannot listen on ${resolved.host}:${resolved.port}: ${err.message}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port;
  return new TcpNetlayer(resolved, port, server);
}

/**
 * Creates a dial-only tcp-testing-only netlayer: it can {@link Netlayer.connect} but does not
 * listen. Its location advertises port `"0"`, which no one can dial (our `connect` rejects
 * it). `accept` may be called; it receives only nothing.
 * @throws TypeError / RangeError for bad options.
 */
export function createTcpTestingOnlyDialer(options?: TcpTestingOnlyDialerOptions): TcpTestingOnlyNetlayer {
  const where = 'createTcpTestingOnlyDialer';
  if (options !== undefined && typeof options === 'object' && options !== null && 'port' in options) {
    throw new TypeError(`${where}: a dial-only netlayer takes no port option`);
  }
  return new TcpNetlayer(resolveOptions(options, where), 0, undefined);
}

function parsePortHint(port: string): number {
  if (!/^[0-9]{1,5}$/.test(port)) throw new RangeError(`tcp-testing-only: port hint must be a decimal string, got ${JSON.stringify(port)}`);
  const n = Number(port);
  if (n > 65535) throw new RangeError(`tcp-testing-only: port hint ${port} is above 65535`);
  return n;
}

class TcpNetlayer implements TcpTestingOnlyNetlayer {
  readonly transport = TCP_TESTING_ONLY_TRANSPORT;
  /** Plain TCP proves nothing: every session's identity is only claimed. */
  readonly authenticates = 'none' as const;
  readonly location: PeerLocator;
  readonly listening: boolean;
  readonly framing: Framing;
  readonly #options: Resolved;
  readonly #server: Server | undefined;
  readonly #incomingQueue = new AcceptQueue<TcpConnection>('tcp-testing-only accept');
  readonly #connections = new OpenConnections(this.#incomingQueue);
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: Resolved, port: number, server: Server | undefined) {
    this.#options = options;
    this.#server = server;
    this.listening = server !== undefined;
    this.framing = options.framing;
    this.location = Object.freeze({
      transport: TCP_TESTING_ONLY_TRANSPORT,
      designator: options.designator,
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

  async connect(locator: PeerLocator): Promise<TcpTestingOnlyConnection> {
    if (typeof locator !== 'object' || locator === null) throw new TypeError('tcp-testing-only connect needs a PeerLocator');
    if (locator.transport !== TCP_TESTING_ONLY_TRANSPORT) {
      throw new TypeError(`tcp-testing-only connect: transport must be 'tcp-testing-only', got ${JSON.stringify(locator.transport)}`);
    }
    const hints = locator.hints;
    if (typeof hints !== 'object' || hints === null || typeof hints.host !== 'string' || typeof hints.port !== 'string') {
      throw new TypeError('tcp-testing-only connect: the locator needs hints {host: string, port: string}');
    }
    const host = hints.host;
    const port = parsePortHint(hints.port);
    const target = `${host}:${hints.port} (designator ${JSON.stringify(locator.designator)})`;
    if (port === 0) throw new Error(`tcp-testing-only: cannot connect to ${target}: the peer does not listen (port "0")`);
    if (this.#closed) throw new Error(`tcp-testing-only: cannot connect to ${target}: this netlayer is closed`);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const sock = netConnect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error(`tcp-testing-only: cannot connect to ${target}: timed out after ${this.#options.connectTimeoutMs} ms`));
      }, this.#options.connectTimeoutMs);
      sock.once('error', (err) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new Error(`tcp-testing-only: cannot connect to ${target}: ${err.message}`, { cause: err }));
      });
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve(sock);
      });
    });
    if (this.#closed) {
      socket.destroy();
      throw new Error(`tcp-testing-only: cannot connect to ${target}: this netlayer closed meanwhile`);
    }
    return this.#track(socket, true);
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const serverClosed = new Promise<void>((resolve) => {
      if (this.#server === undefined) resolve();
      else this.#server.close(() => resolve());
    });
    const gone = this.#connections.closeAll();
    this.#closing = Promise.all([serverClosed, ...gone]).then(() => undefined);
    return this.#closing;
  }

  #incoming(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#incomingQueue.offer(this.#track(socket, false));
  }

  #track(socket: Socket, outgoing: boolean): TcpConnection {
    return this.#connections.add(new TcpConnection(socket, outgoing, this.#options));
  }
}

/** A tcp-testing-only connection: the shared stream connection, proving nobody. */
class TcpConnection extends SocketConnection implements TcpTestingOnlyConnection {
  declare readonly provenDesignator: undefined;

  constructor(socket: Socket, outgoing: boolean, options: Resolved) {
    super(socket, outgoing, { ...options, transport: TCP_TESTING_ONLY_TRANSPORT, provenDesignator: undefined });
  }
}
