/**
 * ocapn-ts for browsers (`import … from 'ocapn-ts/browser'`): everything the package root
 * exports that does not need Node, plus {@link createBrowserWebSocketDialer}, a dial-only
 * websocket netlayer over the platform's `WebSocket`. No Node built-in is reachable from
 * here (test/browser/bundle.test.ts bundles it for the browser platform to check); Ed25519
 * comes from @noble (package.json "imports" `#ed25519`). Not here: `listenWebSocket` and
 * `createWebSocketDialer` (the `ws` package), the `tcp-testing-only` netlayer (`node:net`).
 * See docs/netlayers.md, "Browser".
 *
 * ```ts
 * import { OcapnNode, E, createBrowserWebSocketDialer } from 'ocapn-ts/browser';
 * const node = new OcapnNode({ netlayers: [createBrowserWebSocketDialer()] });
 * const greeter = await node.enliven('ocapn://….websocket/s/…?url=ws://127.0.0.1:8080');
 * console.log(await E(greeter).greet('browser'));
 * ```
 * @module
 */
export * from './core.js';
export { createBrowserWebSocketDialer, DEFAULT_DRAIN_POLL_MS } from './netlayers/websocket/browser-socket.js';
export type { BrowserWebSocketDialerOptions, WebSocketConstructor } from './netlayers/websocket/browser-socket.js';
