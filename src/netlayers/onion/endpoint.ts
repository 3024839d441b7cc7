/**
 * Where a tor listens (its control port, its SOCKS port) and where an onion service forwards
 * to (our local target): a TCP `{host, port}` or a Unix socket `{path}`. Option checks, the
 * Goblins default paths and a connect with a timeout whose errors say what to start. Node only.
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect, type Socket } from 'node:net';

/** A stream endpoint: TCP `{host, port}` or a Unix socket `{path}`. */
export type TorEndpoint = { readonly host: string; readonly port: number } | { readonly path: string };

/**
 * The directory Goblins keeps its tor sockets in: `~/.cache/goblins/tor`. The defaults of
 * {@link OnionOptions} (`control`, `socks`) are the sockets in it, so a tor started for
 * Goblins serves us too.
 */
export function goblinsTorDirectory(): string {
  return join(homedir(), '.cache', 'goblins', 'tor');
}

/** `~/.cache/goblins/tor/tor-control-sock`: the default control endpoint. */
export function defaultControlEndpoint(): TorEndpoint {
  return { path: join(goblinsTorDirectory(), 'tor-control-sock') };
}

/** `~/.cache/goblins/tor/tor-socks-sock`: the default SOCKS endpoint. */
export function defaultSocksEndpoint(): TorEndpoint {
  return { path: join(goblinsTorDirectory(), 'tor-socks-sock') };
}

/** `127.0.0.1:9051` or `/path/to/sock`, for messages. */
export function describeEndpoint(endpoint: TorEndpoint): string {
  return 'path' in endpoint ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
}

/** Characters that would let a value break out of a control-port command line. */
const UNSAFE = /[\u0000-\u0020\u007f"\\]/;

/**
 * Checks an endpoint option.
 * @param allowPortZero whether port 0 (an ephemeral port) is accepted.
 * @throws TypeError if it is not `{host: string, port: number}` or `{path: string}`;
 *   RangeError for an empty host or path, a path with spaces, quotes or control characters,
 *   or a port outside 1–65535 (0–65535 with `allowPortZero`).
 * @internal
 */
export function checkEndpoint(value: unknown, name: string, where: string, allowPortZero = false): TorEndpoint {
  if (typeof value !== 'object' || value === null) throw new TypeError(`${where}: ${name} must be {host, port} or {path}`);
  const v = value as { host?: unknown; port?: unknown; path?: unknown };
  if (v.path !== undefined) {
    if (typeof v.path !== 'string') throw new TypeError(`${where}: ${name}.path must be a string`);
    if (v.path.length === 0 || UNSAFE.test(v.path)) {
      throw new RangeError(`${where}: ${name}.path must be a non-empty path without spaces, quotes or control characters`);
    }
    return { path: v.path };
  }
  if (typeof v.host !== 'string' || typeof v.port !== 'number') throw new TypeError(`${where}: ${name} must be {host: string, port: number} or {path: string}`);
  if (v.host.length === 0 || UNSAFE.test(v.host)) throw new RangeError(`${where}: ${name}.host must be a non-empty host name without spaces`);
  const min = allowPortZero ? 0 : 1;
  if (!Number.isInteger(v.port) || v.port < min || v.port > 65535) throw new RangeError(`${where}: ${name}.port must be an integer from ${min} to 65535, got ${v.port}`);
  return { host: v.host, port: v.port };
}

/** What to tell a user whose tor is not there. */
export interface MissingTorAdvice {
  /** `"control port"` or `"SOCKS port"`. */
  readonly what: string;
  /** The torrc keyword: `ControlPort` or `SocksPort`. */
  readonly tcpKeyword: string;
  /** The torrc keyword for a Unix socket: `ControlSocket` or `SocksPort unix:`. */
  readonly unixKeyword: string;
}

/** The advice sentence: which torrc line starts the missing endpoint. @internal */
export function startTorAdvice(endpoint: TorEndpoint, advice: MissingTorAdvice): string {
  const line = 'path' in endpoint ? `${advice.unixKeyword}${endpoint.path} RelaxDirModeCheck` : `${advice.tcpKeyword} ${endpoint.host === '127.0.0.1' || endpoint.host === 'localhost' ? '' : `${endpoint.host}:`}${endpoint.port}`;
  return `start tor with \`${line}\` in its torrc (or point the option at where your tor listens); see docs/netlayers.md#onion`;
}

/**
 * Opens a stream to `endpoint`.
 * @param timeoutMs how long the connect may take.
 * @returns the connected socket (no listeners left on it).
 * @throws Error naming the endpoint and what to start, on refusal, a missing socket file or
 *   a timeout; `cause` holds the socket error.
 * @internal
 */
export function connectEndpoint(endpoint: TorEndpoint, timeoutMs: number, advice: MissingTorAdvice): Promise<Socket> {
  const at = `cannot reach Tor's ${advice.what} at ${describeEndpoint(endpoint)}`;
  return new Promise<Socket>((resolve, reject) => {
    const socket = 'path' in endpoint ? netConnect({ path: endpoint.path }) : netConnect({ host: endpoint.host, port: endpoint.port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${at}: no answer within ${timeoutMs} ms; ${startTorAdvice(endpoint, advice)}`));
    }, timeoutMs);
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`${at} (${err.code ?? err.message}): ${startTorAdvice(endpoint, advice)}`, { cause: err }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** Advice for the control port. @internal */
export const CONTROL_ADVICE: MissingTorAdvice = { what: 'control port', tcpKeyword: 'ControlPort', unixKeyword: 'ControlSocket unix:' };
/** Advice for the SOCKS port. @internal */
export const SOCKS_ADVICE: MissingTorAdvice = { what: 'SOCKS port', tcpKeyword: 'SocksPort', unixKeyword: 'SocksPort unix:' };
