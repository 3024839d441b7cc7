/**
 * The platform-neutral netlayer exports: the contract, the event queue, the in-memory
 * netlayer, the stream framer and the websocket core (no `ws`, no Node built-in). Shared by
 * the package root (./index.ts) and the browser entry (src/browser.ts).
 * @module
 */
export type { Connection, ConnectionHandlers, Netlayer } from './interface.js';
export { checkNetlayerConformance, conformanceMessage } from './conformance.js';
export type { ConformanceCheck, ConformanceOptions, ConformancePair, ConformanceReport } from './conformance.js';
export { ConnectionEventQueue } from './event-queue.js';
export type { HandlerThrowCallback } from './event-queue.js';
export { MEMORY_TRANSPORT, MemoryConnection, MemoryNetlayer, MemoryNetwork } from './memory.js';
export type { MemoryDelivery, MemoryNetworkOptions } from './memory.js';
export { DEFAULT_MAX_MESSAGE_BYTES, FRAMINGS, FrameReader, FramingError, encodeFrame } from './stream/index.js';
export type { FrameReaderOptions, FrameReaderResult, Framing } from './stream/index.js';
export { DEFAULT_WEBSOCKET_MAX_MESSAGE_BYTES, WEBSOCKET_TRANSPORT } from './websocket/netlayer-core.js';
export type { WebSocketDialerOptions, WebSocketNetlayer, WebSocketOptions } from './websocket/netlayer-core.js';
export { WebSocketMessageError } from './websocket/connection.js';
export type { WebSocketConnection } from './websocket/connection.js';
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
} from './websocket/peer-auth.js';
export { base32Decode, base32Encode } from './websocket/base32.js';

// Only here: the browser's websocket dialer.
