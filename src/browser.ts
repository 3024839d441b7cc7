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
export { E, HandledPromise } from './captp/eventual-send.js';
export { Far } from '@endo/far';
export { OcapnNode, DEFAULT_CLOSE_DRAIN_MS, type NodeOptions, type Remote } from './node/node.js';
export {
  ReconnectError,
  DEFAULT_RECONNECT,
  reconnectState,
  type ReconnectOptions,
  type ReconnectState,
  type ReconnectStateChange,
} from './node/reconnect.js';
export { CaptpSession, type WireEvent, type SessionHost, type SessionOptions } from './captp/session.js';
export { SessionClosedError, ProtocolError } from './captp/errors.js';
export { withCallOptions } from './captp/refs.js';
export { CallTimeoutError, type CallOptions } from './captp/call-options.js';
export { DEFAULT_LIVENESS, type LivenessOptions } from './captp/liveness.js';
export type { NodeEventMap, NodeListener } from './node/events.js';
export type { PeerIdentity } from './captp/session.js';
export { GOBLINS, ENDO, SUITE, PROFILES, resolveProfile, type CompatProfile } from './captp/profile.js';
export { DEFAULT_LIMITS, type SessionLimits } from './captp/limits.js';
export { DEFAULT_NODE_LIMITS, type NodeLimits } from './node/limits.js';
export { OPS, DESCRIPTORS, SIGNED_SHAPES, WireShapeError } from './captp/ops.js';
export {
  Selector,
  selector,
  Tagged,
  RemoteError,
  OcapnSturdyRef,
  OcapnPeer,
  SigEnvelope,
  ModelError,
  type Passable,
} from './model/index.js';
export {
  parseOcapnUri,
  parsePeerUri,
  parseSturdyRefUri,
  formatPeerUri,
  formatSturdyRefUri,
  sameLocator,
  locatorKey,
  LocatorError,
  type PeerLocator,
  type SturdyRef,
  type Hints,
} from './locator/index.js';
export {
  HandoffManager,
  HandoffError,
  DEFAULT_HANDOFF_OPTIONS,
  refusePrivateAddresses,
  allowAnyPeer,
  type HandoffOptions,
  type DialPolicy,
  type DialContext,
} from './handoff/index.js';

// Netlayers: the platform-neutral part of src/netlayers/index.ts.
export type { Connection, ConnectionHandlers, Netlayer } from './netlayers/interface.js';
export { ConnectionEventQueue } from './netlayers/event-queue.js';
export type { HandlerThrowCallback } from './netlayers/event-queue.js';
export { MEMORY_TRANSPORT, MemoryConnection, MemoryNetlayer, MemoryNetwork } from './netlayers/memory.js';
export type { MemoryDelivery, MemoryNetworkOptions } from './netlayers/memory.js';
export { DEFAULT_MAX_MESSAGE_BYTES, FRAMINGS, FrameReader, FramingError, encodeFrame } from './netlayers/stream/index.js';
export type { FrameReaderOptions, FrameReaderResult, Framing } from './netlayers/stream/index.js';
export { DEFAULT_WEBSOCKET_MAX_MESSAGE_BYTES, WEBSOCKET_TRANSPORT } from './netlayers/websocket/netlayer-core.js';
export type { WebSocketDialerOptions, WebSocketNetlayer, WebSocketOptions } from './netlayers/websocket/netlayer-core.js';
export { WebSocketMessageError } from './netlayers/websocket/connection.js';
export type { WebSocketConnection } from './netlayers/websocket/connection.js';
export {
  PEER_AUTH_LABEL,
  PEER_AUTH_NONCE_BYTES,
  PeerAuthError,
  SIG_ENVELOPE_LABEL,
  answerPeerAuth,
  designatorFromPublicKey,
  encodePeerAuth,
  parsePeerAuth,
  publicKeyFromDesignator,
  verifyPeerAuthAnswer,
} from './netlayers/websocket/peer-auth.js';
export { base32Decode, base32Encode } from './netlayers/websocket/base32.js';

// Only here: the browser's websocket dialer.
export { createBrowserWebSocketDialer, DEFAULT_DRAIN_POLL_MS } from './netlayers/websocket/browser-socket.js';
export type { BrowserWebSocketDialerOptions, WebSocketConstructor } from './netlayers/websocket/browser-socket.js';
