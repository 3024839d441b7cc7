/**
 * The stream framer shared by byte-stream netlayers (tcp-testing-only; onion and tcp-tls
 * later): {@link FrameReader} splits a stream into messages, {@link encodeFrame} writes one.
 * Platform-neutral. See docs/netlayers.md, "Framing".
 * @module
 */
export { DEFAULT_MAX_MESSAGE_BYTES, FRAMINGS, FramingError, checkMaxMessageBytes, encodeFrame } from './framing.js';
export type { Framing } from './framing.js';
export { FrameReader } from './frame-reader.js';
export type { FrameReaderOptions, FrameReaderResult } from './frame-reader.js';
