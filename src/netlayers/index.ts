/**
 * Netlayers: the contract ({@link Netlayer}, {@link Connection}), the in-memory netlayer for
 * tests, the stream framer shared by byte-stream netlayers, `tcp-testing-only`,
 * `onion` (Tor) and `websocket`. See docs/netlayers.md.
 * @module
 */
export type { Connection, ConnectionHandlers, Netlayer } from './interface.js';
export { ConnectionEventQueue } from './event-queue.js';
export type { HandlerThrowCallback } from './event-queue.js';
export { MEMORY_TRANSPORT, MemoryConnection, MemoryNetlayer, MemoryNetwork } from './memory.js';
export type { MemoryDelivery, MemoryNetworkOptions } from './memory.js';
export { DEFAULT_MAX_MESSAGE_BYTES, FRAMINGS, FrameReader, FramingError, encodeFrame } from './stream/index.js';
export type { FrameReaderOptions, FrameReaderResult, Framing } from './stream/index.js';
export * from './tcp-testing-only/index.js';
export * from './onion/index.js';
export * from './websocket/index.js';
export * from './tcp-tls/index.js';
