/**
 * The Node factories of the `websocket` netlayer (notes §10.5, §15): a listener and a
 * dial-only netlayer, both on the `ws` package (through node-socket.ts). The browser's
 * dial-only factory, over the platform `WebSocket`, is in browser-socket.ts.
 * @module
 */
import type { MessageSocket } from './message-socket.js';
import { WsNetlayer, resolveOptions } from './netlayer-core.js';
import type { Resolved, WebSocketDialerOptions, WebSocketNetlayer, WebSocketOptions } from './netlayer-core.js';
import type { DialMessageSocket } from './message-socket.js';
import { attachMessageSockets, dialNodeMessageSocket, listenMessageSockets } from './node-socket.js';

/** Our dialler, with the `tls` option applied to `wss://` URLs. */
function dialer(resolved: Resolved): DialMessageSocket {
  return (url, options, signal) => dialNodeMessageSocket(url, options, signal, resolved.tls);
}

/**
 * Starts a listening websocket netlayer (Node). Each incoming socket must authenticate us
 * first (`init:peer-auth`, answered with our signature), and prove its own key if it asked
 * for mutual proof in the upgrade (ocapn-ts diallers do); only then is it handed to `accept`.
 * With `server`, it serves on the user's own HTTP/HTTPS server instead (see
 * {@link WebSocketOptions.server}; e.g. `wss://` for pages served over https).
 * @returns once listening; `location.hints.url` holds the actual port (or the `url` option).
 * @throws TypeError / RangeError (as rejections) for bad options (including `server` without
 *   `url`, or with `host`/`port`); Error (with `cause`) if
 *   the address cannot be bound (e.g. EADDRINUSE).
 */
export async function listenWebSocket(options?: WebSocketOptions): Promise<WebSocketNetlayer> {
  const resolved = resolveOptions(options, 'listenWebSocket');
  let netlayer: WsNetlayer | undefined;
  const early: MessageSocket[] = [];
  const onSocket = (socket: MessageSocket): void => {
    if (netlayer === undefined) early.push(socket);
    else netlayer.incoming(socket);
  };
  const server =
    resolved.server === undefined
      ? await listenMessageSockets(resolved.host, resolved.port, resolved, onSocket)
      : attachMessageSockets(resolved.server, resolved.path, resolved, onSocket);
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  netlayer = new WsNetlayer(resolved, resolved.url ?? `ws://${host}:${server.port}`, server, dialer(resolved));
  for (const socket of early) netlayer.incoming(socket);
  return netlayer;
}

/**
 * Creates a dial-only websocket netlayer: it can {@link Netlayer.connect} but does not
 * listen. It still has a designator key: its designator names it in `op:start-session`,
 * and it proves that key to a listener that offers mutual proof (an ocapn-ts one).
 * Its location has `hints: false` unless `url` is given. `accept` may be called; it
 * receives nothing.
 * @throws TypeError / RangeError for bad options (including a `host` or `port`).
 */
export function createWebSocketDialer(options?: WebSocketDialerOptions): WebSocketNetlayer {
  const where = 'createWebSocketDialer';
  if (typeof options === 'object' && options !== null && ['port', 'host', 'server', 'path'].some((k) => k in options)) {
    throw new TypeError(`${where}: a dial-only netlayer takes no host, port, server or path option`);
  }
  const resolved = resolveOptions(options, where);
  return new WsNetlayer(resolved, resolved.url, undefined, dialer(resolved));
}

