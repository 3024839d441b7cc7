/**
 * The `websocket` netlayer (notes §10.5, §15), wire-compatible with Spritely Goblins 0.18:
 * base32 Ed25519 designators, `init:peer-auth` server authentication, one binary WebSocket
 * message per CapTP message. See docs/netlayers.md.
 * @module
 */
export { createWebSocketDialer, listenWebSocket } from './netlayer.js';
export { DEFAULT_WEBSOCKET_MAX_MESSAGE_BYTES, WEBSOCKET_TRANSPORT } from './netlayer-core.js';
export type { WebSocketDialerOptions, WebSocketHttpServer, WebSocketNetlayer, WebSocketOptions, WebSocketTlsOptions } from './netlayer-core.js';
export { WebSocketMessageError } from './connection.js';
export type { WebSocketConnection } from './connection.js';
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
} from './peer-auth.js';
export { base32Decode, base32Encode } from './base32.js';
