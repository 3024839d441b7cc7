/**
 * The `onion` netlayer (OCapN Netlayers.md; notes §10.4): Tor v3 onion services. We listen by
 * asking a running tor (through its control port) to publish an onion service whose port
 * 9045 forwards to a local target we serve (a TCP port on 127.0.0.1 or a Unix socket); we
 * dial through tor's SOCKS5 port. Tor encrypts and authenticates the service end: a
 * connection we dial to `<id>.onion` reached the holder of that onion key.
 *
 * Locator: `<ocapn-peer 'onion <56-char service id> #f>`. Framing on the stream: the shared
 * stream framer (writer `raw` by default, as Goblins). See docs/netlayers.md#onion.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { PeerLocator } from '../../locator/types.js';
import type { DecodeOptions } from '../../syrup/index.js';
import { AcceptQueue, OpenConnections, checkSyrupOption, intOption, optionsObject } from '../common.js';
import type { Connection, Netlayer } from '../interface.js';
import { SocketConnection } from '../stream/socket-connection.js';
import { FRAMINGS, checkMaxMessageBytes } from '../stream/index.js';
import type { Framing } from '../stream/index.js';
import { DEFAULT_CONTROL_LIMITS, TorControl } from './control.js';
import { checkEndpoint, defaultControlEndpoint, defaultSocksEndpoint, describeEndpoint, type TorEndpoint } from './endpoint.js';
import { OCAPN_ONION_PORT, PRIVATE_KEY_PATTERN, SERVICE_ID_PATTERN, addOnionService, deleteOnionService } from './service.js';
import { dialThroughTor } from './socks.js';

/** The transport name. */
export const ONION_TRANSPORT = 'onion';

/** Options of {@link createOnionDialer}. */
export interface OnionDialerOptions {
  /**
   * Tor's SOCKS5 port: `{host, port}` (torrc `SocksPort 9050`) or `{path}` (torrc
   * `SocksPort unix:/path`). Default `{path: '~/.cache/goblins/tor/tor-socks-sock'}`, where
   * Goblins expects it.
   */
  socks?: TorEndpoint | undefined;
  /** How we frame what we WRITE (the reader accepts raw, netstring and syrup-frame). Default `'raw'`, as Goblins. */
  framing?: Framing | undefined;
  /** Largest incoming message in bytes (integer 1 – 2^31-1). Default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /**
   * How long {@link Netlayer.connect} may take, in ms (integer ≥ 1): reaching the SOCKS port
   * and tor building circuits to the service. Default 60,000 (first contact over the public
   * Tor network often takes 5–30 s).
   */
  connectTimeoutMs?: number | undefined;
  /** After our `close()`, how long (ms, integer ≥ 0) to wait for the peer's FIN. Default 2,000. */
  closeLingerMs?: number | undefined;
  /** Syrup scanner limits applied to incoming messages (see `DecodeOptions`). */
  syrup?: DecodeOptions | undefined;
}

/** Options of {@link listenOnion}. */
export interface OnionOptions extends OnionDialerOptions {
  /**
   * Tor's control port: `{host, port}` (torrc `ControlPort 9051`) or `{path}` (torrc
   * `ControlSocket unix:/path`). Default `{path: '~/.cache/goblins/tor/tor-control-sock'}`.
   */
  control?: TorEndpoint | undefined;
  /**
   * A key saved from {@link OnionNetlayer.privateKey} (`ED25519-V3:` + 88 base64 chars): the
   * service gets the same ID, so our locator and every sturdyref survive a restart. Default:
   * tor makes a new key. Keep it secret: whoever holds it can impersonate us.
   */
  privateKey?: string | undefined;
  /**
   * Where the onion service forwards to, which we serve: `{host, port}` (port 0 = ephemeral)
   * or `{path}` (a Unix socket we create; it must not exist yet). Default
   * `{host: '127.0.0.1', port: 0}`.
   */
  localTarget?: TorEndpoint | undefined;
  /** Tor's control cookie file, if tor wants cookie authentication and names another path. */
  cookieFile?: string | undefined;
  /** Password for tor's `HashedControlPassword`, if tor wants that. */
  password?: string | undefined;
  /** How long each control-port command may take, in ms. Default 10,000. */
  controlTimeoutMs?: number | undefined;
  /** How long to wait for tor to publish our descriptor (`HS_DESC UPLOADED`), in ms. Default 120,000. */
  publishTimeoutMs?: number | undefined;
}

/** One onion connection, with every optional member of {@link Connection}. */
export interface OnionConnection extends Connection {
  /**
   * On a connection we dialled, the service ID we dialled: tor reached the holder of that
   * onion key. `undefined` on an incoming connection (tor does not tell who the client is).
   */
  readonly provenDesignator: string | undefined;
  /** `<id>.onion` on a connection we dialled; `undefined` on an incoming one (every client arrives from tor). */
  readonly remoteAddress: string | undefined;
  readonly bufferedAmount: number;
  pauseReading(): void;
  resumeReading(): void;
  setMaxMessageBytes(bytes: number): void;
}

/** An onion netlayer, listening (an onion service) or dial-only. */
export interface OnionNetlayer extends Netlayer {
  readonly transport: typeof ONION_TRANSPORT;
  /**
   * `{transport:'onion', designator:<service id>, hints:false}`. A dial-only netlayer has
   * designator `dial-only-<hex>`, which is no onion address: nobody can dial it.
   */
  readonly location: PeerLocator;
  readonly authenticates: 'dialled';
  /** `false` for a dial-only netlayer. */
  readonly listening: boolean;
  /** Our 56-character service ID, `undefined` when dial-only. */
  readonly serviceId: string | undefined;
  /** `ED25519-V3:<base64>` to pass as `privateKey` after a restart; `undefined` when dial-only. */
  readonly privateKey: string | undefined;
  /** The writer framing. */
  readonly framing: Framing;
  /** Open connections, both directions. */
  readonly connectionCount: number;
  /**
   * Dials `<locator.designator>.onion` port 9045 through tor's SOCKS port.
   * Rejects with TypeError if `locator` is not an onion locator; RangeError if its designator
   * is not a v3 service ID; Error naming what to start when tor's SOCKS port does not answer;
   * TorSocksError (with `replyCode`) when tor cannot reach the service or time runs out.
   */
  connect(locator: PeerLocator): Promise<OnionConnection>;
}

interface Resolved {
  readonly socks: TorEndpoint;
  readonly framing: Framing;
  readonly maxMessageBytes: number;
  readonly connectTimeoutMs: number;
  readonly closeLingerMs: number;
  readonly syrup: DecodeOptions | undefined;
}

function resolveDialer(options: OnionDialerOptions, where: string): Resolved {
  const { framing = 'raw', syrup } = options;
  if (typeof framing !== 'string') throw new TypeError(`${where}: framing must be a string, got ${typeof framing}`);
  if (!FRAMINGS.includes(framing)) throw new RangeError(`${where}: framing must be one of ${FRAMINGS.map((f) => `'${f}'`).join(', ')}, got '${framing}'`);
  checkSyrupOption(syrup, where);
  return {
    socks: options.socks === undefined ? defaultSocksEndpoint() : checkEndpoint(options.socks, 'socks', where),
    framing,
    maxMessageBytes: checkMaxMessageBytes(options.maxMessageBytes, where),
    connectTimeoutMs: intOption(options.connectTimeoutMs, 'connectTimeoutMs', 1, 2 ** 31 - 1, 60_000, where),
    closeLingerMs: intOption(options.closeLingerMs, 'closeLingerMs', 0, 2 ** 31 - 1, 2_000, where),
    syrup,
  };
}

function optionalString(value: unknown, name: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`${where}: ${name} must be a string, got ${typeof value}`);
  if (value.length === 0 || /[\r\n\0]/.test(value)) throw new RangeError(`${where}: ${name} must be a non-empty single-line string`);
  return value;
}

/**
 * Publishes an onion service for us and starts accepting connections on it.
 * @returns once tor has uploaded the service's descriptor (typically a few seconds on a
 *   bootstrapped tor; up to `publishTimeoutMs`), so our locator is dialable.
 * @throws TypeError / RangeError (as rejections) for bad options; Error naming the torrc
 *   line to add when tor's control port does not answer; TorControlError when tor refuses
 *   (authentication, ADD_ONION) or does not publish in time; Error when the local target
 *   cannot be served (e.g. the Unix socket path exists).
 */
export async function listenOnion(options?: OnionOptions): Promise<OnionNetlayer> {
  const where = 'listenOnion';
  const o = optionsObject(options, where);
  const resolved = resolveDialer(o, where);
  const control = o.control === undefined ? defaultControlEndpoint() : checkEndpoint(o.control, 'control', where);
  const local = o.localTarget === undefined ? { host: '127.0.0.1', port: 0 } : checkEndpoint(o.localTarget, 'localTarget', where, true);
  const privateKey = optionalString(o.privateKey, 'privateKey', where);
  if (privateKey !== undefined && !PRIVATE_KEY_PATTERN.test(privateKey)) {
    throw new RangeError(`${where}: privateKey must be 'ED25519-V3:' followed by 88 base64 characters (as netlayer.privateKey gives it)`);
  }
  const cookieFile = optionalString(o.cookieFile, 'cookieFile', where);
  const password = optionalString(o.password, 'password', where);
  const timeoutMs = intOption(o.controlTimeoutMs, 'controlTimeoutMs', 1, 2 ** 31 - 1, DEFAULT_CONTROL_LIMITS.timeoutMs, where);
  const publishTimeoutMs = intOption(o.publishTimeoutMs, 'publishTimeoutMs', 1, 2 ** 31 - 1, 120_000, where);

  const server = createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`onion: cannot serve the local target ${describeEndpoint(local)}: ${err.message}`, { cause: err })));
    if ('path' in local) server.listen(local.path, resolve);
    else server.listen(local.port, local.host, resolve);
  });
  server.removeAllListeners('error');
  server.on('error', () => {
    /* after listen succeeded, errors are per-socket and handled there */
  });
  const address = server.address();
  const target = 'path' in local ? `unix:${local.path}` : `${local.host}:${typeof address === 'object' && address !== null ? address.port : local.port}`;
  let tor: TorControl | undefined;
  try {
    tor = await TorControl.connect(control, { ...DEFAULT_CONTROL_LIMITS, timeoutMs });
    await tor.authenticate({ cookieFile, password });
    const added = await addOnionService(tor, target, privateKey, publishTimeoutMs);
    return new OnionNetlayerImpl(resolved, { server, tor, ...added });
  } catch (err) {
    await tor?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
}

/**
 * Creates a dial-only onion netlayer: it dials through tor's SOCKS port and publishes
 * nothing (no control port needed). Its location's designator is `dial-only-<32 hex>`,
 * which no one can dial. `accept` may be called; it receives nothing.
 * @throws TypeError / RangeError for bad options.
 */
export function createOnionDialer(options?: OnionDialerOptions): OnionNetlayer {
  const where = 'createOnionDialer';
  const o = optionsObject(options, where);
  for (const key of ['control', 'privateKey', 'localTarget'] as const) {
    if (key in o) throw new TypeError(`${where}: a dial-only netlayer takes no ${key} option (use listenOnion)`);
  }
  return new OnionNetlayerImpl(resolveDialer(o, where), undefined);
}

interface Service {
  readonly server: Server;
  readonly tor: TorControl;
  readonly serviceId: string;
  readonly privateKey: string;
}

type OnionSocketConnection = SocketConnection & OnionConnection;

class OnionNetlayerImpl implements OnionNetlayer {
  readonly transport = ONION_TRANSPORT;
  /** A connection we dial reached the holder of the onion key; incoming ones prove nothing. */
  readonly authenticates = 'dialled' as const;
  readonly location: PeerLocator;
  readonly listening: boolean;
  readonly serviceId: string | undefined;
  readonly privateKey: string | undefined;
  readonly framing: Framing;
  readonly #options: Resolved;
  readonly #service: Service | undefined;
  readonly #incomingQueue = new AcceptQueue<OnionSocketConnection>('onion accept');
  readonly #connections = new OpenConnections(this.#incomingQueue);
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: Resolved, service: Service | undefined) {
    this.#options = options;
    this.#service = service;
    this.listening = service !== undefined;
    this.serviceId = service?.serviceId;
    this.privateKey = service?.privateKey;
    this.framing = options.framing;
    const designator = service?.serviceId ?? `dial-only-${randomBytes(16).toString('hex')}`;
    this.location = Object.freeze({ transport: ONION_TRANSPORT, designator, hints: false as const });
    service?.server.on('connection', (socket) => this.#incoming(socket));
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  accept(onConnection: (connection: Connection) => void): void {
    this.#incomingQueue.accept(onConnection);
  }

  async connect(locator: PeerLocator): Promise<OnionConnection> {
    if (typeof locator !== 'object' || locator === null) throw new TypeError('onion connect needs a PeerLocator');
    if (locator.transport !== ONION_TRANSPORT) throw new TypeError(`onion connect: transport must be 'onion', got ${JSON.stringify(locator.transport)}`);
    const id = locator.designator;
    if (typeof id !== 'string' || !SERVICE_ID_PATTERN.test(id)) {
      throw new RangeError(`onion connect: designator must be a v3 onion service id (56 characters a-z2-7 ending in 'd', no '.onion'), got ${JSON.stringify(id)}`);
    }
    if (this.#closed) throw new Error(`onion: cannot connect to ${id}.onion: this netlayer is closed`);
    const socket = await dialThroughTor(this.#options.socks, id, OCAPN_ONION_PORT, this.#options.connectTimeoutMs);
    if (this.#closed) {
      socket.destroy();
      throw new Error(`onion: cannot connect to ${id}.onion: this netlayer closed meanwhile`);
    }
    return this.#track(socket, true, id);
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closed = true;
    const service = this.#service;
    const serviceGone = (async () => {
      if (service === undefined) return;
      await deleteOnionService(service.tor, service.serviceId);
      await service.tor.close();
      await new Promise<void>((resolve) => service.server.close(() => resolve()));
    })();
    const gone = this.#connections.closeAll();
    this.#closing = Promise.all([serviceGone, ...gone]).then(() => undefined);
    return this.#closing;
  }

  #incoming(socket: Socket): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#incomingQueue.offer(this.#track(socket, false, undefined));
  }

  #track(socket: Socket, outgoing: boolean, serviceId: string | undefined): OnionSocketConnection {
    const o = this.#options;
    const conn = new SocketConnection(socket, outgoing, {
      transport: ONION_TRANSPORT,
      framing: o.framing,
      maxMessageBytes: o.maxMessageBytes,
      closeLingerMs: o.closeLingerMs,
      syrup: o.syrup,
      provenDesignator: serviceId,
      remoteAddress: serviceId === undefined ? undefined : `${serviceId}.onion`,
    });
    return this.#connections.add(conn as OnionSocketConnection);
  }
}
