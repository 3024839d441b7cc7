/**
 * The `websocket` netlayer (notes §10.5, §15), wire-compatible with Spritely Goblins 0.18:
 * base32 Ed25519 designators, `init:peer-auth` server authentication, one binary WebSocket
 * message per CapTP message. See docs/netlayers.md.
 * @module
 */
export { createWebSocketDialer, listenWebSocket } from './netlayer.js';
export * from './neutral.js';
