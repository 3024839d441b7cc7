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
export * from './websocket/neutral.js';

