/**
 * The Node factories of the `websocket` netlayer (notes §10.5, §15): a listener and a
 * dial-only netlayer, both on the `ws` package (through node-socket.ts). The browser's
 * dial-only factory, over the platform `WebSocket`, is in browser-socket.ts.
 * @module
 */
import type { MessageSocket } from './message-socket.js';
import { WsNetlayer, resolveOptions } from './netlayer-core.js';
import type { WebSocketDialerOptions, WebSocketNetlayer, WebSocketOptions } from './netlayer-core.js';
import { dialMessageSocket, listenMessageSockets } from './node-socket.js';

/**
 * Starts a listening websocket netlayer (Node). Each incoming socket must authenticate us
 * first (`init:peer-auth`, answered with our signature), and prove its own key if it asked
 * for mutual proof in the upgrade (ocapn-ts diallers do); only then is it handed to `accept`.
 * @returns once listening; `location.hints.url` holds the actual port.
 * @throws TypeError / RangeError (as rejections) for bad options; Error (with `cause`) if
 *   the address cannot be bound (e.g. EADDRINUSE).
 */
export async function listenWebSocket(options?: WebSocketOptions): Promise<WebSocketNetlayer> {
  const resolved = resolveOptions(options, 'listenWebSocket');
  let netlayer: WsNetlayer | undefined;
  const early: MessageSocket[] = [];
  const server = await listenMessageSockets(resolved.host, resolved.port, resolved, (socket) => {
    if (netlayer === undefined) early.push(socket);
    else netlayer.incoming(socket);
  });
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  netlayer = new WsNetlayer(resolved, resolved.url ?? `ws://${host}:${server.port}`, server, dialMessageSocket);
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
  if (typeof options === 'object' && options !== null && ('port' in options || 'host' in options)) {
    throw new TypeError(`${where}: a dial-only netlayer takes no host or port option`);
  }
  const resolved = resolveOptions(options, where);
  return new WsNetlayer(resolved, resolved.url, undefined, dialMessageSocket);
}

