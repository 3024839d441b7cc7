/**
 * The CLI's netlayers: which ones `ocapn test-peer` serves on, the identity file that keeps
 * their URIs across restarts, and the dialler `ocapn call` picks for a URI's transport.
 *
 * Key file (`--key-file F`): one JSON object, one optional entry per netlayer, created (mode
 * 0600) if missing, reused if present; an entry missing for a netlayer in use is generated
 * and written back. Keep it secret: it holds private keys.
 * ```json
 * {
 *   "websocket": { "seed": "<32 bytes, base64url>", "publicKey": "<32 bytes, base64url>" },
 *   "tcp-tls": { "key": "-----BEGIN PRIVATE KEY-----\n…", "cert": "-----BEGIN CERTIFICATE-----\n…" },
 *   "onion": { "privateKey": "ED25519-V3:…" }
 * }
 * ```
 * `websocket` is the Ed25519 designator key pair, `tcp-tls` the PEM key and self-signed
 * certificate (the designator is derived from the certificate), `onion` tor's
 * `ADD_ONION` key. `tcp-testing-only` has no key (its designator is `--designator`).
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPair, keyPairFromSeed, type SessionKeyPair } from '../crypto/index.js';
import type { Netlayer } from '../netlayers/interface.js';
import { listenTcpTestingOnly, createTcpTestingOnlyDialer, type Framing } from '../netlayers/tcp-testing-only/index.js';
import { listenWebSocket, createWebSocketDialer } from '../netlayers/websocket/index.js';
import { listenTcpTls, createTcpTlsDialer, generateTcpTlsIdentity, type TcpTlsIdentity } from '../netlayers/tcp-tls/index.js';
import { listenOnion, createOnionDialer, type OnionNetlayer } from '../netlayers/onion/index.js';
import type { TorEndpoint } from '../netlayers/onion/endpoint.js';

/** A mistake in the command line (printed with the usage text, exit 2). */
export class UsageError extends Error {}

/** The transports the CLI serves on and dials. */
export const TRANSPORTS = ['tcp-testing-only', 'websocket', 'onion', 'tcp-tls'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** What `test-peer` was asked to serve on. */
export interface ServeOptions {
  readonly transports: readonly Transport[];
  readonly host: string;
  /** One port per transport (0 = ephemeral). */
  readonly ports: readonly number[];
  readonly designator: string | undefined;
  readonly framing: Framing | undefined;
  readonly torControl: TorEndpoint | undefined;
  readonly torSocks: TorEndpoint | undefined;
  readonly keyFile: string | undefined;
}

/** The identities kept in a key file (see the module comment). */
interface KeyFile {
  websocket?: { seed: string; publicKey: string };
  'tcp-tls'?: TcpTlsIdentity;
  onion?: { privateKey: string };
}

/** Check `--netlayer` values (default: tcp-testing-only alone). */
export function checkTransports(values: readonly string[] | undefined): Transport[] {
  const list = values?.length ? values : ['tcp-testing-only'];
  for (const t of list) {
    if (!(TRANSPORTS as readonly string[]).includes(t)) throw new UsageError(`--netlayer must be one of ${TRANSPORTS.join(', ')}, got "${t}"`);
  }
  if (new Set(list).size !== list.length) throw new UsageError('--netlayer names each netlayer at most once');
  return list as Transport[];
}

/** Check `--port` values against the netlayers: none (all 0), or one per netlayer, in order. */
export function checkPorts(values: readonly string[] | undefined, count: number): number[] {
  const list = values ?? [];
  if (list.length === 0) return new Array<number>(count).fill(0);
  if (list.length !== count) throw new UsageError(`give --port once per --netlayer (${count}), got ${list.length}`);
  return list.map((p) => {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n > 65535) throw new UsageError(`--port must be 0–65535, got "${p}"`);
    return n;
  });
}

/** Parse a tor endpoint given as `host:port` or `unix:/path`. */
export function parseEndpoint(text: string | undefined, flag: string): TorEndpoint | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    if (!path) throw new UsageError(`${flag} unix: needs a path, e.g. unix:/run/tor/socks`);
    return { path };
  }
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !host || !/^\d+$/.test(text.slice(i + 1)) || port < 1 || port > 65535) {
    throw new UsageError(`${flag} must be host:port or unix:/path, got "${text}"`);
  }
  return { host, port };
}

function readKeyFile(path: string): KeyFile {
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`--key-file ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`--key-file ${path}: expected a JSON object`);
  return parsed as KeyFile;
}

function websocketKey(keys: KeyFile, path: string): SessionKeyPair {
  const entry = keys.websocket;
  if (entry === undefined) {
    const kp = generateKeyPair();
    keys.websocket = { seed: Buffer.from(kp.privateKey).toString('base64url'), publicKey: Buffer.from(kp.publicKey).toString('base64url') };
    return kp;
  }
  if (typeof entry.seed !== 'string' || typeof entry.publicKey !== 'string') throw new Error(`--key-file ${path}: websocket needs seed and publicKey strings (base64url)`);
  const kp = keyPairFromSeed(new Uint8Array(Buffer.from(entry.seed, 'base64url')));
  if (Buffer.from(kp.publicKey).toString('base64url') !== entry.publicKey) throw new Error(`--key-file ${path}: websocket publicKey does not belong to its seed`);
  return kp;
}

async function tcpTlsIdentity(keys: KeyFile, path: string): Promise<TcpTlsIdentity> {
  const entry = keys['tcp-tls'];
  if (entry === undefined) {
    const id = await generateTcpTlsIdentity();
    keys['tcp-tls'] = { key: id.key, cert: id.cert };
    return id;
  }
  if (typeof entry.key !== 'string' || typeof entry.cert !== 'string') throw new Error(`--key-file ${path}: tcp-tls needs key and cert PEM strings`);
  return entry;
}

/**
 * Start listening on every netlayer in `options`, in order. Resolves once each is reachable
 * (an onion service once tor reports its descriptor uploaded); writes the key file back if
 * an identity was created. On failure, closes those already started.
 * @throws UsageError for flags that do not fit together; Error if a netlayer cannot start.
 */
export async function serveNetlayers(options: ServeOptions): Promise<Netlayer[]> {
  if (options.transports.includes('onion') && (!options.torControl || !options.torSocks)) {
    throw new UsageError('--netlayer onion needs --tor-control ADDR and --tor-socks ADDR (host:port or unix:/path)');
  }
  const keyPath = options.keyFile;
  const keys: KeyFile = keyPath === undefined ? {} : readKeyFile(keyPath);
  const before = JSON.stringify(keys);
  const started: Netlayer[] = [];
  const { host, framing } = options;
  try {
    for (const [i, transport] of options.transports.entries()) {
      const port = options.ports[i]!;
      switch (transport) {
        case 'tcp-testing-only':
          started.push(await listenTcpTestingOnly({ host, port, designator: options.designator, framing: framing ?? 'raw' }));
          break;
        case 'websocket':
          started.push(await listenWebSocket({ host, port, keyPair: keyPath === undefined ? undefined : websocketKey(keys, keyPath) }));
          break;
        case 'tcp-tls': {
          const id = keyPath === undefined ? undefined : await tcpTlsIdentity(keys, keyPath);
          started.push(await listenTcpTls({ host, port, framing, ...(id ? { key: id.key, cert: id.cert } : {}) }));
          break;
        }
        case 'onion': {
          const stored = keys.onion?.privateKey;
          if (stored !== undefined && typeof stored !== 'string') throw new Error(`--key-file ${keyPath}: onion.privateKey must be a string`);
          const onion: OnionNetlayer = await listenOnion({
            control: options.torControl,
            socks: options.torSocks,
            localTarget: { host, port },
            privateKey: stored,
            framing,
          });
          started.push(onion);
          if (keyPath !== undefined && stored === undefined && onion.privateKey !== undefined) keys.onion = { privateKey: onion.privateKey };
          break;
        }
      }
    }
  } catch (e) {
    await Promise.allSettled(started.map((n) => n.close()));
    throw e;
  }
  if (keyPath !== undefined && JSON.stringify(keys) !== before) writeFileSync(keyPath, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return started;
}

/**
 * A dial-only netlayer for `transport` (the transport a URI names).
 * @throws UsageError for an unknown transport, or onion without `torSocks`.
 */
export async function dialerFor(transport: string, torSocks: TorEndpoint | undefined): Promise<Netlayer> {
  switch (transport) {
    case 'tcp-testing-only':
      return createTcpTestingOnlyDialer();
    case 'websocket':
      return createWebSocketDialer();
    case 'tcp-tls':
      return createTcpTlsDialer();
    case 'onion':
      if (!torSocks) throw new UsageError('an onion URI needs --tor-socks ADDR (host:port or unix:/path)');
      return createOnionDialer({ socks: torSocks });
    default:
      throw new UsageError(`no netlayer for transport "${transport}" (known: ${TRANSPORTS.join(', ')})`);
  }
}
