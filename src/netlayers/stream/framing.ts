/**
 * Message framing on byte streams (notes §10.3, §15): the framing names, the writer
 * ({@link encodeFrame}), the error type and the message-size limit shared by every stream
 * netlayer. Platform-neutral. Three framings are in use:
 *
 * | name          | one message on the wire | spoken by                                        |
 * |---------------|-------------------------|--------------------------------------------------|
 * | `raw`         | `<…>` (the record itself) | Goblins 0.18, the test suite's main branch, Endo `framing:'none'` |
 * | `netstring`   | `<len>:<…>,`            | test-suite PR #41, the agreed future default     |
 * | `syrup-frame` | `<len>:<…>`             | Endo HEAD's default (`@endo/syrup-frame`)        |
 *
 * The reader ({@link FrameReader}, in `frame-reader.ts`) accepts all three, detected per
 * message; the writer uses one, chosen by option.
 * @module
 */

/** The writer framings (see the module table). */
export type Framing = 'raw' | 'netstring' | 'syrup-frame';

/** All writer framings, for validation. */
export const FRAMINGS: readonly Framing[] = Object.freeze(['raw', 'netstring', 'syrup-frame'] as const);

/** Default largest message: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const COMMA = 0x2c;
const ASCII = new TextEncoder();

/** Malformed framing or an oversized message on a stream. `cause` holds a SyrupError, if any. */
export class FramingError extends Error {
  /** Byte offset in the stream (counted from its first byte) where the problem was found. */
  readonly offset: number;
  constructor(message: string, offset: number, options?: { cause?: unknown }) {
    super(`${message} (stream byte ${offset})`, options);
    this.name = 'FramingError';
    this.offset = offset;
  }
}

/**
 * Checks a `maxMessageBytes` option (`undefined` gives the 16 MiB default).
 * @throws TypeError if not a number, RangeError if not an integer from 1 to 2^31-1. @internal
 */
export function checkMaxMessageBytes(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof value !== 'number') throw new TypeError(`${where}: maxMessageBytes must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new RangeError(`${where}: maxMessageBytes must be an integer from 1 to 2^31-1, got ${value}`);
  }
  return value;
}

/**
 * Frames one message for the wire.
 * @param message one whole Syrup record (not checked here).
 * @param framing `raw` returns `message` itself (not copied); the others return a new buffer.
 * @throws TypeError on a bad argument.
 */
export function encodeFrame(message: Uint8Array, framing: Framing): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new TypeError('encodeFrame needs a Uint8Array message');
  if (framing === 'raw') return message;
  if (framing !== 'netstring' && framing !== 'syrup-frame') {
    throw new TypeError(`framing must be one of ${FRAMINGS.join(', ')}, got ${String(framing)}`);
  }
  const prefix = ASCII.encode(`${message.length}:`);
  const trailer = framing === 'netstring' ? 1 : 0;
  const out = new Uint8Array(prefix.length + message.length + trailer);
  out.set(prefix, 0);
  out.set(message, prefix.length);
  if (trailer) out[out.length - 1] = COMMA;
  return out;
}
