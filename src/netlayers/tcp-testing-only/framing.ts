/**
 * Message framing on byte streams (notes §10.3, §15). Three framings are in use:
 *
 * | name          | one message on the wire | spoken by                                        |
 * |---------------|-------------------------|--------------------------------------------------|
 * | `raw`         | `<…>` (the record itself) | Goblins 0.18, the test suite's main branch, Endo `framing:'none'` |
 * | `netstring`   | `<len>:<…>,`            | test-suite PR #41, the agreed future default     |
 * | `syrup-frame` | `<len>:<…>`             | Endo HEAD's default (`@endo/syrup-frame`)        |
 *
 * The {@link FrameReader} accepts all three, detected per message; the writer
 * ({@link encodeFrame}) uses one, chosen by option.
 * @module
 */
import { SyrupError, scanValue } from '../../syrup/index.js';
import type { DecodeOptions } from '../../syrup/index.js';
import { describeByte } from '../../syrup/errors.js';

/** The writer framings (see the module table). */
export type Framing = 'raw' | 'netstring' | 'syrup-frame';

/** All writer framings, for validation. */
export const FRAMINGS: readonly Framing[] = Object.freeze(['raw', 'netstring', 'syrup-frame'] as const);

/** Default largest message: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const LT = 0x3c; // '<'
const GT = 0x3e; // '>'
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;
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

/** Options of {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Largest accepted message, in bytes (payload only). Integer ≥ 1; default 16 MiB. */
  maxMessageBytes?: number;
  /**
   * Limits passed to the Syrup scanner ({@link scanValue}) for each message. Its
   * `maxValueBytes` is always replaced by `maxMessageBytes`.
   */
  syrup?: DecodeOptions;
}

/** What one {@link FrameReader.push} produced. */
export interface FrameReaderResult {
  /** Whole messages completed by this chunk, in order (fresh copies). */
  readonly messages: Uint8Array[];
  /** Set when this chunk made the stream malformed; the reader has stopped for good. */
  readonly error?: FramingError;
}

/** Checks a `maxMessageBytes` option. @throws TypeError / RangeError. @internal */
export function checkMaxMessageBytes(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof value !== 'number') throw new TypeError(`${where}: maxMessageBytes must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < 1 || value > 0x7fffffff) {
    throw new RangeError(`${where}: maxMessageBytes must be an integer from 1 to 2^31-1, got ${value}`);
  }
  return value;
}

/**
 * Splits a byte stream into whole CapTP messages, whatever framing each one uses:
 * - first byte `<`: a raw Syrup record, delimited with the Syrup scanner;
 * - first byte a digit: a length-prefixed frame `<len>:<payload>`, then an optional `,`
 *   (netstring). The payload must be exactly one Syrup record;
 * - anything else is an error (a top-level CapTP message is always a record, so a raw
 *   bytestring cannot be one and a leading digit always means a frame).
 *
 * Rejected: non-digit bytes before `:`, an empty length, leading zeros, a zero length,
 * lengths above `maxMessageBytes` (rejected as soon as the prefix shows it, before any
 * payload is buffered), raw messages longer than `maxMessageBytes`, and payloads that are
 * not one well-formed Syrup record. After the first error the reader stops: later pushes
 * return nothing.
 *
 * Memory: at most one message (≤ `maxMessageBytes` plus one chunk) is buffered.
 */
export class FrameReader {
  #max: number;
  #maxDigits: number;
  #scanOptions: DecodeOptions;
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  /** Stream offset of `#buf[0]`. */
  #base = 0;
  /** The previous message was a length-prefixed frame: one `,` may follow. */
  #afterFrame = false;
  /** Raw message in progress: bytes after `#start` already searched for `>` in vain. */
  #rawSearched = 0;
  #failed = false;

  /** @throws TypeError / RangeError on bad options. */
  constructor(options: FrameReaderOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('FrameReader options must be an object');
    this.#max = checkMaxMessageBytes(options.maxMessageBytes, 'FrameReader');
    this.#maxDigits = String(this.#max).length;
    const syrup = options.syrup ?? {};
    if (typeof syrup !== 'object' || syrup === null) throw new TypeError('FrameReader: syrup options must be an object');
    this.#scanOptions = { ...syrup, maxValueBytes: this.#max };
  }

  /** `true` after an error: the reader ignores further input. */
  get failed(): boolean {
    return this.#failed;
  }

  /**
   * Sets the largest message accepted from now on (see {@link FrameReaderOptions}). A
   * message in progress that no longer fits is reported by the next {@link push} (an empty
   * chunk will do); messages already returned are not affected.
   * @throws TypeError / RangeError as for the `maxMessageBytes` option.
   */
  setMaxMessageBytes(bytes: number): void {
    this.#max = checkMaxMessageBytes(bytes, 'FrameReader.setMaxMessageBytes');
    this.#maxDigits = String(this.#max).length;
    this.#scanOptions = { ...this.#scanOptions, maxValueBytes: this.#max };
  }

  /** Bytes buffered that do not yet form a whole message. */
  get pendingBytes(): number {
    return this.#end - this.#start;
  }

  /**
   * Feeds the next chunk of the stream.
   * @throws TypeError if `chunk` is not a Uint8Array.
   */
  push(chunk: Uint8Array): FrameReaderResult {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('FrameReader.push needs a Uint8Array');
    const messages: Uint8Array[] = [];
    if (this.#failed) return { messages };
    this.#append(chunk);
    try {
      this.#drain(messages);
    } catch (err) {
      this.#failed = true;
      this.#start = this.#end = 0;
      this.#buf = new Uint8Array(0);
      const error =
        err instanceof FramingError ? err : new FramingError(`malformed message: ${(err as Error).message}`, this.#base, { cause: err });
      return { messages, error };
    }
    return { messages };
  }

  /**
   * Call at end of stream.
   * @returns a FramingError if the stream ended inside a message, else `undefined`.
   */
  end(): FramingError | undefined {
    if (this.#failed || this.#end === this.#start) return undefined;
    this.#failed = true;
    return new FramingError(`stream ended inside a message (${this.#end - this.#start} bytes pending)`, this.#base + this.#end);
  }

  #append(chunk: Uint8Array): void {
    const pending = this.#end - this.#start;
    if (this.#end + chunk.length > this.#buf.length) {
      if (pending + chunk.length <= this.#buf.length >>> 1 || (pending + chunk.length <= this.#buf.length && this.#start > 0)) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(Math.max(pending + chunk.length, this.#buf.length * 2));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#base += this.#start;
      this.#start = 0;
      this.#end = pending;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  #fail(message: string, at: number, cause?: unknown): never {
    throw new FramingError(message, this.#base + at, cause === undefined ? undefined : { cause });
  }

  #drain(out: Uint8Array[]): void {
    const buf = this.#buf;
    while (this.#start < this.#end) {
      const first = buf[this.#start];
      if (this.#afterFrame) {
        this.#afterFrame = false;
        if (first === COMMA) {
          this.#start++;
          continue;
        }
      }
      let message: Uint8Array | undefined;
      if (first >= ZERO && first <= NINE) message = this.#readFrame();
      else if (first === LT) message = this.#readRaw();
      else if (first === COLON) this.#fail('empty frame length prefix', this.#start);
      else this.#fail(`expected a message (a '<' record or a digit length prefix), got ${describeByte(first)}`, this.#start);
      if (message === undefined) return;
      out.push(message);
    }
  }

  /** A `<len>:<payload>` frame at `#start`, or `undefined` if incomplete. */
  #readFrame(): Uint8Array | undefined {
    const buf = this.#buf;
    const start = this.#start;
    let i = start;
    let length = 0;
    while (i < this.#end) {
      const b = buf[i];
      if (b === COLON) break;
      if (b < ZERO || b > NINE) this.#fail(`non-digit ${describeByte(b)} in a frame length prefix`, i);
      if (i > start && buf[start] === ZERO) this.#fail('leading zero in a frame length prefix', start);
      if (i - start >= this.#maxDigits) this.#fail(`frame length prefix of more than ${this.#maxDigits} digits exceeds maxMessageBytes (${this.#max})`, start);
      length = length * 10 + (b - ZERO);
      i++;
    }
    if (length > this.#max) this.#fail(`frame length ${length} exceeds maxMessageBytes (${this.#max})`, start);
    if (i === this.#end) return undefined; // the ':' has not arrived yet
    if (length === 0) this.#fail('zero-length frame (a CapTP message is never empty)', start);
    const payloadStart = i + 1;
    if (this.#end - payloadStart < length) return undefined;
    const payloadEnd = payloadStart + length;
    if (buf[payloadStart] !== LT) {
      this.#fail(`frame payload must be a Syrup record, starts with ${describeByte(buf[payloadStart])}`, payloadStart);
    }
    const scanned = this.#scan(payloadStart, payloadEnd);
    if (scanned === -1) this.#fail('frame payload is an incomplete Syrup value', payloadStart);
    if (scanned !== payloadEnd) this.#fail('frame payload holds bytes after its Syrup record', scanned);
    this.#start = payloadEnd;
    this.#afterFrame = true;
    return buf.slice(payloadStart, payloadEnd);
  }

  /** A raw record at `#start`, or `undefined` if incomplete. */
  #readRaw(): Uint8Array | undefined {
    const buf = this.#buf;
    const start = this.#start;
    // A record ends with '>': skip scanning until a new '>' arrives (keeps small-chunk feeding linear).
    const searchFrom = start + this.#rawSearched;
    const gt = buf.subarray(0, this.#end).indexOf(GT, searchFrom);
    let end = -1;
    if (gt !== -1) end = this.#scan(start, this.#end);
    if (end === -1) {
      const pending = this.#end - start;
      if (pending > this.#max) this.#fail(`raw message exceeds maxMessageBytes (${this.#max}) and is still incomplete`, start);
      this.#rawSearched = pending;
      return undefined;
    }
    this.#rawSearched = 0;
    if (end - start > this.#max) this.#fail(`raw message of ${end - start} bytes exceeds maxMessageBytes (${this.#max})`, start);
    this.#start = end;
    return buf.slice(start, end);
  }

  /** scanValue over `buf[from..limit)`, errors rethrown as FramingError. */
  #scan(from: number, limit: number): number {
    try {
      return scanValue(this.#buf.subarray(0, limit), from, this.#scanOptions);
    } catch (err) {
      if (err instanceof SyrupError) this.#fail(`malformed Syrup message: ${err.message}`, from, err);
      throw err;
    }
  }
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
