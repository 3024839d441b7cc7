/**
 * Message framing on byte streams, re-exported from the transport-neutral stream framer
 * (`src/netlayers/stream/`), which every stream netlayer shares. Kept so existing imports
 * keep working.
 * @module
 */
export { DEFAULT_MAX_MESSAGE_BYTES, FRAMINGS, FramingError, checkMaxMessageBytes, encodeFrame } from '../stream/framing.js';
export type { Framing } from '../stream/framing.js';
export { FrameReader } from '../stream/frame-reader.js';
export type { FrameReaderOptions, FrameReaderResult } from '../stream/frame-reader.js';
