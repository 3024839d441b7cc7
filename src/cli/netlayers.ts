/**
 * The CLI's netlayers: which ones `ocapn test-peer` serves on, the identity file that keeps
 * their URIs across restarts, and the dialler `ocapn call` picks for a URI's transport.
 *
 * Key file (`--key-file F`): a node identity file (src/node/identity.ts; docs/persistence.md),
 * created (mode 0600) if missing, reused if present; keys missing for a netlayer in use are
 * generated and the file is written back. Files written before the identity format had a
 * version (same layout, no `format`/`version`, onion as tor's `privateKey`) are still read.
 * Keep it secret: it holds private keys. `tcp-testing-only` has no key (its designator is
 * `--designator`).
 * @module
 */
import { loadOrCreateNodeIdentity } from '../node/identity-file.js';
import type { IdentityNetlayer, NodeIdentity } from '../node/identity.js';
import type { Netlayer } from '../netlayers/interface.js';
import { listenTcpTestingOnly, createTcpTestingOnlyDialer, type Framing } from '../netlayers/tcp-testing-only/index.js';
import { listenWebSocket, createWebSocketDialer } from '../netlayers/websocket/index.js';
import { listenTcpTls, createTcpTlsDialer } from '../netlayers/tcp-tls/index.js';
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

/** Load (or create, or complete) the key file for the netlayers in use. @throws Error naming the file and the field. */
async function keyFileIdentity(path: string, transports: readonly Transport[]): Promise<NodeIdentity> {
  const netlayers = transports.filter((t): t is IdentityNetlayer => t !== 'tcp-testing-only');
  try {
    return (await loadOrCreateNodeIdentity(path, { netlayers })).identity;
  } catch (e) {
    const message = (e as Error).message;
    const prefix = `identity file ${path}: `;
    throw new Error(`--key-file ${path}: ${message.startsWith(prefix) ? message.slice(prefix.length) : message}`);
  }
}

/**
 * Start listening on every netlayer in `options`, in order. Resolves once each is reachable
 * (an onion service once tor reports its descriptor uploaded). With `keyFile`, the key file
 * is read first, and written back if keys were missing. On failure, closes those already started.
 * @throws UsageError for flags that do not fit together; Error if a netlayer cannot start.
 */
export async function serveNetlayers(options: ServeOptions): Promise<Netlayer[]> {
  if (options.transports.includes('onion') && (!options.torControl || !options.torSocks)) {
    throw new UsageError('--netlayer onion needs --tor-control ADDR and --tor-socks ADDR (host:port or unix:/path)');
  }
  const keyPath = options.keyFile;
  const identity = keyPath === undefined ? undefined : await keyFileIdentity(keyPath, options.transports);
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
          started.push(await listenWebSocket({ host, port, keyPair: identity?.websocket }));
          break;
        case 'tcp-tls': {
          const id = identity?.tcpTls;
          started.push(await listenTcpTls({ host, port, framing, ...(id ? { key: id.key, cert: id.cert } : {}) }));
          break;
        }
        case 'onion': {
          const onion: OnionNetlayer = await listenOnion({
            control: options.torControl,
            socks: options.torSocks,
            localTarget: { host, port },
            privateKey: identity?.onion?.privateKey,
            framing,
          });
          started.push(onion);
          break;
        }
      }
    }
  } catch (e) {
    await Promise.allSettled(started.map((n) => n.close()));
    throw e;
  }
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
