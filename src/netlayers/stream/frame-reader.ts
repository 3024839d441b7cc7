/**
 * The stream framer shared by every byte-stream netlayer (tcp-testing-only today; onion and
 * tcp-tls later): splits a byte stream into whole CapTP messages, whatever framing each one
 * uses (notes §10.3, §15; the framings are listed in `framing.ts`). Platform-neutral.
 *
 * Work is linear in the stream length whatever the chunking: a raw record is delimited by a
 * resumable Syrup scanner that continues where the previous chunk stopped, and a
 * length-prefixed payload is scanned once, when it is complete.
 * @module
 */
import { SyrupError } from '../../syrup/index.js';
import type { DecodeOptions } from '../../syrup/index.js';
import { describeByte, resolveOptions } from '../../syrup/errors.js';
import { Scanner } from '../../syrup/scan.js';
import { FramingError, checkMaxMessageBytes } from './framing.js';

const LT = 0x3c; // '<'
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** Buffer size of an idle reader, and the size above which an idle reader's buffer is dropped. */
const INITIAL_SIZE = 4096;
const SHRINK_ABOVE = 64 * 1024;
/** Room for a length prefix and a trailing `,` beside the largest payload. */
const PREFIX_ROOM = 16;

/** Where the reader is in the message at `#start`. */
const IDLE = 0; // between messages
const RAW = 1; // inside a raw record; the scanner holds the progress
const PREFIX = 2; // reading the digits of a length prefix
const PAYLOAD = 3; // prefix read (`#length`); waiting for the payload

/** Options of {@link FrameReader}. */
export interface FrameReaderOptions {
  /** Largest accepted message, in bytes (payload only). Integer ≥ 1; default 16 MiB. */
  maxMessageBytes?: number | undefined;
  /**
   * Limits passed to the Syrup scanner for each message (see `scanValue`). Its
   * `maxValueBytes` is always replaced by `maxMessageBytes`.
   */
  syrup?: DecodeOptions | undefined;
}

/** What one {@link FrameReader.push} produced. */
export interface FrameReaderResult {
  /** Whole messages completed by this chunk, in order (fresh copies). */
  readonly messages: Uint8Array[];
  /** Set when this chunk made the stream malformed; the reader has stopped for good. */
  readonly error?: FramingError;
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
 * Memory: at most one message (≤ `maxMessageBytes` plus one chunk) is buffered; once a large
 * message has been delivered and little is pending, the buffer shrinks back to 4 KiB.
 * Work: each byte is examined a bounded number of times whatever the chunking (see
 * {@link FrameReader.scannedBytes}).
 */
export class FrameReader {
  #max: number;
  #maxDigits: number;
  readonly #scanner: Scanner;
  #buf = new Uint8Array(INITIAL_SIZE);
  /** Start of the message in progress (or of the unread bytes). */
  #start = 0;
  #end = 0;
  /** Stream offset of `#buf[0]`. */
  #base = 0;
  #state = IDLE;
  /** PREFIX: next prefix byte to read; PAYLOAD: offset of the `:`. */
  #pos = 0;
  /** PREFIX: value of the digits so far; PAYLOAD: the payload length. */
  #length = 0;
  /** Length-prefix bytes read (part of {@link scannedBytes}). */
  #prefixRead = 0;
  /** The previous message was a length-prefixed frame: one `,` may follow. */
  #afterFrame = false;
  #failed = false;

  /** @throws TypeError / RangeError on bad options (including bad `syrup` limits). */
  constructor(options: FrameReaderOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('FrameReader options must be an object');
    this.#max = checkMaxMessageBytes(options.maxMessageBytes, 'FrameReader');
    this.#maxDigits = String(this.#max).length;
    const syrup = options.syrup ?? {};
    if (typeof syrup !== 'object' || syrup === null) throw new TypeError('FrameReader: syrup options must be an object');
    this.#scanner = new Scanner(resolveOptions({ ...syrup, maxValueBytes: this.#max }));
  }

  /** `true` after an error: the reader ignores further input. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes buffered that do not yet form a whole message. */
  get pendingBytes(): number {
    return this.#end - this.#start;
  }

  /** The current largest accepted message, in bytes. */
  get maxMessageBytes(): number {
    return this.#max;
  }

  /** Diagnostic: bytes of buffer memory held (at most 64 KiB between messages). */
  get allocatedBytes(): number {
    return this.#buf.length;
  }

  /**
   * Diagnostic work counter: bytes examined so far to find message boundaries (by the Syrup
   * scanner, and length-prefix digits), counting a byte again each time it is re-read. It
   * grows linearly with the stream: about one per byte, plus at most two re-read bytes per
   * {@link push}. For tests and monitoring; never reset.
   */
  get scannedBytes(): number {
    return this.#scanner.examined + this.#prefixRead;
  }

  /**
   * Feeds the next chunk of the stream.
   * @throws TypeError if `chunk` is not a Uint8Array.
   */
  push(chunk: Uint8Array): FrameReaderResult {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('FrameReader.push needs a Uint8Array');
    const messages: Uint8Array[] = [];
    if (this.#failed || chunk.length === 0) return { messages };
    this.#append(chunk);
    const error = this.#guard(() => this.#drain(messages));
    if (error === undefined) this.#shrink();
    return error === undefined ? { messages } : { messages, error };
  }

  /**
   * Changes `maxMessageBytes` at run time, for the message in progress and every later one
   * (the Syrup scanner's `maxValueBytes` follows). Used to admit only a small first message
   * before a session is set up, then the full limit.
   * @param maxMessageBytes integer from 1 to 2^31-1.
   * @returns a FramingError if the message in progress already breaks the new limit (a raw
   *   message with more bytes pending, or a length prefix above it); the reader has then
   *   stopped for good. `undefined` otherwise, and after an earlier error.
   * @throws TypeError / RangeError on a bad argument.
   */
  setMaxMessageBytes(maxMessageBytes: number): FramingError | undefined {
    if (maxMessageBytes === undefined) throw new TypeError('FrameReader.setMaxMessageBytes needs a number');
    const max = checkMaxMessageBytes(maxMessageBytes, 'FrameReader.setMaxMessageBytes');
    if (this.#failed) return undefined;
    this.#max = max;
    this.#maxDigits = String(max).length;
    this.#scanner.o = { ...this.#scanner.o, maxValueBytes: max };
    return this.#guard(() => {
      if (this.#state === RAW && this.#end - this.#start > max) this.#rawTooLong();
      if ((this.#state === PREFIX || this.#state === PAYLOAD) && this.#length > max) this.#frameTooLong();
    });
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

  /** Runs `step`; a throw stops the reader and comes back as a FramingError. */
  #guard(step: () => void): FramingError | undefined {
    try {
      step();
      return undefined;
    } catch (err) {
      this.#failed = true;
      this.#start = this.#end = 0;
      this.#buf = new Uint8Array(0);
      if (err instanceof FramingError) return err;
      return new FramingError(`malformed message: ${(err as Error).message}`, this.#base, { cause: err });
    }
  }

  #append(chunk: Uint8Array): void {
    const buf = this.#buf;
    if (this.#end + chunk.length > buf.length) {
      const pending = this.#end - this.#start;
      const need = pending + chunk.length;
      if (need <= buf.length) {
        buf.copyWithin(0, this.#start, this.#end);
      } else {
        const roomy = Math.min(buf.length * 2, this.#max + PREFIX_ROOM);
        const next = new Uint8Array(Math.max(need, roomy));
        next.set(buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#rebase();
    }
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** After a large message: back to a small buffer when little is pending. */
  #shrink(): void {
    const pending = this.#end - this.#start;
    if (this.#buf.length <= SHRINK_ABOVE || pending > INITIAL_SIZE >>> 1) return;
    const next = new Uint8Array(INITIAL_SIZE);
    next.set(this.#buf.subarray(this.#start, this.#end));
    this.#buf = next;
    this.#rebase();
  }

  /** The pending bytes now start at `#buf[0]`: moves every offset. */
  #rebase(): void {
    const delta = this.#start;
    this.#base += delta;
    this.#scanner.shift(-delta);
    this.#pos -= delta;
    this.#end -= delta;
    this.#start = 0;
  }

  #fail(message: string, at: number, cause?: unknown): never {
    throw new FramingError(message, this.#base + at, cause === undefined ? undefined : { cause });
  }

  #rawTooLong(): never {
    this.#fail(`raw message exceeds maxMessageBytes (${this.#max}) and is still incomplete`, this.#start);
  }

  #frameTooLong(): never {
    this.#fail(`frame length ${this.#length} exceeds maxMessageBytes (${this.#max})`, this.#start);
  }

  #drain(out: Uint8Array[]): void {
    for (;;) {
      let message: Uint8Array | undefined;
      switch (this.#state) {
        case IDLE:
          if (!this.#begin()) return;
          continue;
        case RAW:
          message = this.#readRaw();
          break;
        case PREFIX:
          if (!this.#readPrefix()) return;
          continue;
        default:
          message = this.#readPayload();
      }
      if (message === undefined) return;
      out.push(message);
      this.#state = IDLE;
    }
  }

  /** Starts the next message from its first byte; `false` if none has arrived. */
  #begin(): boolean {
    const start = this.#start;
    if (start === this.#end) return false;
    const first = this.#buf[start];
    if (this.#afterFrame) {
      this.#afterFrame = false;
      if (first === COMMA) {
        this.#start++;
        return true;
      }
    }
    if (first >= ZERO && first <= NINE) {
      this.#state = PREFIX;
      this.#pos = start;
      this.#length = 0;
    } else if (first === LT) {
      this.#state = RAW;
      this.#scanner.reset(start);
    } else if (first === COLON) {
      this.#fail('empty frame length prefix', start);
    } else {
      this.#fail(`expected a message (a '<' record or a digit length prefix), got ${describeByte(first)}`, start);
    }
    return true;
  }

  /** Continues the raw record at `#start`: the record, or `undefined` if incomplete. */
  #readRaw(): Uint8Array | undefined {
    const start = this.#start;
    const limit = Math.min(this.#end, start + this.#max);
    const end = this.#scan(limit, start);
    if (end === -1) {
      if (this.#end - start > this.#max) this.#rawTooLong();
      return undefined;
    }
    this.#start = end;
    return this.#buf.slice(start, end);
  }

  /** Continues a length prefix; `true` once its `:` has been read. */
  #readPrefix(): boolean {
    const buf = this.#buf;
    const start = this.#start;
    let i = this.#pos;
    let length = this.#length;
    while (i < this.#end) {
      const b = buf[i];
      this.#prefixRead++;
      if (b === COLON) break;
      if (b < ZERO || b > NINE) this.#fail(`non-digit ${describeByte(b)} in a frame length prefix`, i);
      if (i > start && buf[start] === ZERO) this.#fail('leading zero in a frame length prefix', start);
      if (i - start >= this.#maxDigits) this.#fail(`frame length prefix of more than ${this.#maxDigits} digits exceeds maxMessageBytes (${this.#max})`, start);
      length = length * 10 + (b - ZERO);
      i++;
    }
    this.#pos = i;
    this.#length = length;
    if (length > this.#max) this.#frameTooLong();
    if (i === this.#end) return false; // the ':' has not arrived yet
    if (length === 0) this.#fail('zero-length frame (a CapTP message is never empty)', start);
    this.#state = PAYLOAD;
    return true;
  }

  /** The payload after a complete prefix, or `undefined` until all of it has arrived. */
  #readPayload(): Uint8Array | undefined {
    const buf = this.#buf;
    const payloadStart = this.#pos + 1;
    const payloadEnd = payloadStart + this.#length;
    if (payloadStart < this.#end && buf[payloadStart] !== LT) {
      this.#fail(`frame payload must be a Syrup record, starts with ${describeByte(buf[payloadStart])}`, payloadStart);
    }
    if (this.#end < payloadEnd) return undefined;
    this.#scanner.reset(payloadStart);
    const scanned = this.#scan(payloadEnd, payloadStart);
    if (scanned === -1) this.#fail('frame payload is an incomplete Syrup value', payloadStart);
    if (scanned !== payloadEnd) this.#fail('frame payload holds bytes after its Syrup record', scanned);
    this.#start = payloadEnd;
    this.#afterFrame = true;
    return buf.slice(payloadStart, payloadEnd);
  }

  /** Runs the scanner over `#buf[..limit)`; a SyrupError becomes a FramingError at `from`. */
  #scan(limit: number, from: number): number {
    try {
      return this.#scanner.run(this.#buf.subarray(0, limit));
    } catch (err) {
      if (!(err instanceof SyrupError)) throw err;
      // The scanner's maxValueBytes is our maxMessageBytes: say so in our terms.
      if (err.rule === `value longer than maxValueBytes (${this.#max})`) {
        this.#fail(`message exceeds maxMessageBytes (${this.#max}): a Syrup value in it runs past the limit`, from, err);
      }
      this.#fail(`malformed Syrup message: ${err.message}`, from, err);
    }
  }
}
