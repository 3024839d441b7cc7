/**
 * The `tcp-testing-only` netlayer and its stream framing (notes §10.3, §15).
 * @module
 */
export {
  TCP_TESTING_ONLY_TRANSPORT,
  createTcpTestingOnlyDialer,
  listenTcpTestingOnly,
} from './netlayer.js';
export type {
  TcpTestingOnlyConnection,
  TcpTestingOnlyDialerOptions,
  TcpTestingOnlyNetlayer,
  TcpTestingOnlyOptions,
} from './netlayer.js';
export { DEFAULT_MAX_MESSAGE_BYTES, FRAMINGS, FrameReader, FramingError, encodeFrame } from './framing.js';
export type { FrameReaderOptions, FrameReaderResult, Framing } from './framing.js';
