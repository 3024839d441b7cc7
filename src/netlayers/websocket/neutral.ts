/**
 * The platform-neutral part of the `websocket` netlayer's exports (no `ws`, no Node
 * built-in): shared by ./index.ts (Node) and the browser entry through ../neutral.ts.
 * @module
 */
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
