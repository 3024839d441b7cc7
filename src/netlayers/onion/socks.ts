/**
 * Dialling an onion service through Tor's SOCKS5 port (notes §10.4): the `socks` package
 * speaks SOCKS5 on a stream we open ourselves (TCP or Unix socket), always with the domain
 * name `<id>.onion` (ATYP 3), never a resolved address. Tor's reply codes, with and without
 * `ExtendedErrors` on its SocksPort, become readable errors. Node only.
 * @module
 */
import type { Socket } from 'node:net';
import { SocksClient } from 'socks';
import { SOCKS_ADVICE, connectEndpoint, describeEndpoint, type TorEndpoint } from './endpoint.js';

/** What each SOCKS5 reply code means when tor sends it (RFC 1928 §6; tor's prop. 304). */
export const SOCKS_REPLY_MEANINGS: Readonly<Record<number, string>> = Object.freeze({
  0x01: 'general failure (without ExtendedErrors tor also says this for a malformed onion address)',
  0x02: "not allowed by tor's exit policy",
  0x03: 'network unreachable',
  0x04: 'host unreachable (without ExtendedErrors: the onion service is unknown, not yet published, or gone)',
  0x05: 'connection refused (the onion service is gone or does not listen on this port)',
  0x06: 'TTL expired: tor timed out building the circuit',
  0x07: 'command not supported',
  0x08: 'address type not supported',
  0xf0: 'onion service descriptor not found: the service is unknown, not yet published, or gone',
  0xf1: 'onion service descriptor is invalid',
  0xf2: 'onion service introduction failed',
  0xf3: 'onion service rendezvous failed',
  0xf4: 'onion service needs client authorization',
  0xf5: 'onion service client authorization is wrong',
  0xf6: 'malformed onion address',
  0xf7: 'onion service introduction timed out',
});

/** Dialling through tor's SOCKS port failed. */
export class TorSocksError extends Error {
  /** The SOCKS5 reply code tor sent (e.g. 0xF0), or `undefined` when it sent none. */
  readonly replyCode: number | undefined;
  constructor(message: string, replyCode: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TorSocksError';
    this.replyCode = replyCode;
  }
}

/** `0xf0` → `'0xF0'`. */
function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Opens a stream to `<serviceId>.onion:port` through tor's SOCKS5 port.
 * @param timeoutMs for everything: reaching the SOCKS port and tor reaching the service.
 * @returns the socket, carrying the service's bytes from now on.
 * @throws Error naming what to start when the SOCKS port does not answer; TorSocksError
 *   with `replyCode` and its meaning when tor refuses; TorSocksError on a timeout or a
 *   malformed SOCKS reply.
 */
export async function dialThroughTor(socks: TorEndpoint, serviceId: string, port: number, timeoutMs: number): Promise<Socket> {
  const started = Date.now();
  const target = `${serviceId}.onion:${port}`;
  const socket = await connectEndpoint(socks, timeoutMs, SOCKS_ADVICE);
  // The `socks` client reports an unknown reply code only as text: keep the first bytes
  // (method reply 05 00, then 05 REP …) to read the code ourselves. At most 4 are kept.
  const head: number[] = [];
  const record = (chunk: Buffer): void => {
    for (let i = 0; i < chunk.length && head.length < 4; i++) head.push(chunk[i]!);
  };
  socket.on('data', record);
  const left = Math.max(1, timeoutMs - (Date.now() - started));
  try {
    const { socket: established } = await SocksClient.createConnection({
      command: 'connect',
      destination: { host: `${serviceId}.onion`, port },
      // With existing_socket the proxy address only has to pass validation.
      proxy: { host: 'path' in socks ? 'localhost' : socks.host, port: 'path' in socks ? 1 : socks.port, type: 5 },
      existing_socket: socket,
      timeout: left,
    });
    return established as Socket;
  } catch (err) {
    socket.destroy();
    const message = (err as Error).message;
    const via = `through Tor's SOCKS port at ${describeEndpoint(socks)}`;
    if (head.length >= 4 && head[0] === 0x05 && head[1] === 0x00 && head[2] === 0x05 && head[3] !== 0x00) {
      const code = head[3]!;
      const meaning = SOCKS_REPLY_MEANINGS[code] ?? 'an unknown reply code';
      throw new TorSocksError(`cannot reach ${target} ${via}: tor replied ${hex(code)}, ${meaning}`, code, { cause: err });
    }
    if (/timed out/i.test(message)) {
      throw new TorSocksError(`cannot reach ${target} ${via}: no answer within ${timeoutMs} ms (connectTimeoutMs)`, undefined, { cause: err });
    }
    throw new TorSocksError(`cannot reach ${target} ${via}: ${message}`, undefined, { cause: err });
  } finally {
    socket.off('data', record);
  }
}
