/**
 * Incremental Syrup reader for byte streams (the raw tcp framing: values back to back).
 *
 * @module
 */
import { decode } from './decode.js';
import { resolveOptions, SyrupError, type DecodeOptions, type ResolvedOptions } from './errors.js';
import { Scanner } from './scan.js';
import type { SyrupValue } from './types.js';

const INITIAL_SIZE = 4096;
const SHRINK_SIZE = 1024 * 1024;

/**
 * Splits a stream of canonical Syrup values, fed in chunks of any size, into decoded values.
 *
 * Each value is framed with a resumable scanner (so a large value arriving in many small
 * chunks is scanned once, not once per chunk), then decoded strictly with {@link decode}.
 * A value may be at most `maxValueBytes` long; other {@link DecodeOptions} apply as in
 * {@link decode}. Error offsets count bytes from the start of the stream.
 */
export class SyrupStreamReader {
  readonly #o: ResolvedOptions;
  readonly #scanner: Scanner;
  #buf = new Uint8Array(INITIAL_SIZE);
  /** Start of the pending value in #buf. */
  #head = 0;
  /** End of the data in #buf. */
  #tail = 0;
  /** Stream offset of #buf[0]. */
  #base = 0;
  #failed: SyrupError | undefined;
  #ended = false;

  /** @throws TypeError/RangeError for bad options. */
  constructor(options?: DecodeOptions) {
    this.#o = resolveOptions(options);
    this.#scanner = new Scanner(this.#o);
  }

  /** Bytes held for a value that is not complete yet. */
  get buffered(): number {
    return this.#tail - this.#head;
  }

  /**
   * Feeds the next bytes of the stream (any size, even empty or a single byte).
   * @returns every top-level value completed by these bytes, in stream order (possibly none).
   * @throws SyrupError on malformed input or a broken limit; the reader is then unusable and
   *   every later call throws the same error. TypeError if `chunk` is not a Uint8Array or the
   *   reader was ended.
   */
  push(chunk: Uint8Array): SyrupValue[] {
    if (this.#failed) throw this.#failed;
    if (this.#ended) throw new TypeError('SyrupStreamReader.push() called after end()');
    if (!(chunk instanceof Uint8Array)) throw new TypeError('SyrupStreamReader.push() expects a Uint8Array');
    const out: SyrupValue[] = [];
    if (chunk.length === 0) return out;
    this.#append(chunk);
    const scanner = this.#scanner;
    try {
      for (;;) {
        const view = this.#buf.subarray(0, this.#tail);
        const end = scanner.run(view);
        if (end < 0) break;
        const head = this.#head;
        try {
          out.push(decode(view.subarray(head, end), this.#o));
        } catch (e) {
          if (e instanceof SyrupError) throw new SyrupError(e.rule, e.offset + head);
          throw e;
        }
        this.#head = end;
        scanner.reset(end);
        if (end === this.#tail) break;
      }
    } catch (e) {
      if (e instanceof SyrupError) {
        this.#failed = new SyrupError(e.rule, e.offset + this.#base);
        throw this.#failed;
      }
      throw e;
    }
    if (this.#head === this.#tail) {
      this.#base += this.#tail;
      this.#head = this.#tail = 0;
      scanner.reset(0);
      if (this.#buf.length > SHRINK_SIZE) this.#buf = new Uint8Array(INITIAL_SIZE);
    }
    return out;
  }

  /**
   * Declares the end of the stream.
   * @throws SyrupError if a partial value is pending (the stream was truncated), or the reader
   *   had already failed.
   */
  end(): void {
    if (this.#failed) throw this.#failed;
    this.#ended = true;
    if (this.#tail > this.#head) {
      this.#failed = new SyrupError(
        `stream ended inside a value (${this.#tail - this.#head} bytes pending; truncated)`,
        this.#base + this.#tail,
      );
      throw this.#failed;
    }
  }

  #append(chunk: Uint8Array): void {
    let buf = this.#buf;
    if (this.#tail + chunk.length > buf.length) {
      const live = this.#tail - this.#head;
      let size = buf.length;
      while (size < live + chunk.length) size *= 2;
      const next = size === buf.length ? buf : new Uint8Array(size);
      if (next === buf) buf.copyWithin(0, this.#head, this.#tail);
      else next.set(buf.subarray(this.#head, this.#tail), 0);
      this.#scanner.shift(-this.#head);
      this.#base += this.#head;
      this.#head = 0;
      this.#tail = live;
      this.#buf = buf = next;
    }
    buf.set(chunk, this.#tail);
    this.#tail += chunk.length;
  }
}
