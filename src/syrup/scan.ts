/**
 * Finding where a Syrup value ends without building it: the framing step of the raw tcp
 * netlayer and of {@link SyrupStreamReader}.
 *
 * @module
 */
import { resolveOptions, SyrupError, type DecodeOptions, type ResolvedOptions } from './errors.js';
import * as grammar from './grammar.js';
import {
  badTypeAfterDigits,
  digitRunTooLong,
  integerTooLong,
  leadingZero,
  lengthTooLong,
  negativeZero,
  notAValue,
  setsNotAllowed,
  tooDeep,
  tooManyItems,
} from './grammar.js';

// Module-local copies: V8 folds module-local constants into the hot loop but reloads imported
// bindings each time (measured: about 4% more instructions per small message).
const { DICT, RECORD, SET, CLOSERS, OPENER_KIND } = grammar;

/**
 * A resumable scanner for one top-level value. Checks the structure: type bytes, digit runs
 * (leading zeros, `0-`), lengths against the limits, Float32 and non-canonical NaN, matching
 * closers, dictionary pairs, record labels, depth and container sizes, and `maxValueBytes`.
 * It does not check dictionary/set order or UTF-8; {@link decode} does. @internal
 */
export class Scanner {
  /** Offset where the value starts. */
  start = 0;
  /** Next byte to examine (the start of the atom that was incomplete, after a -1). */
  pos = 0;
  /**
   * Diagnostic work counter: bytes examined by {@link run} since construction, counting a
   * byte again each time it is re-read and a skipped bytestring body as examined. Never reset.
   * Runs resume where the previous one stopped (after the digits already read, or waiting for
   * a bytestring body without reading), so a run re-reads at most one byte: feeding a value
   * in k pieces costs at most its length plus k.
   */
  examined = 0;
  /** One past the furthest byte examined for the current value. */
  private reach = 0;
  /** Bytes before `reach` that the next run reads again. */
  private reread = 0;
  /** Digits of the atom at `pos` already read (0 if none), and their value: a run resumes after them. */
  private digitsRead = 0;
  private digitsValue = 0;
  /** End of the bytestring body the scanner waits for (its prefix is read), or -1. */
  private bodyEnd = -1;
  private readonly kinds: number[] = [];
  private readonly counts: number[] = [];
  constructor(public o: ResolvedOptions) {}

  /** Starts scanning a new value at `start`. */
  reset(start: number): void {
    this.start = start;
    this.pos = start;
    this.reach = start;
    this.reread = 0;
    this.digitsRead = 0;
    this.bodyEnd = -1;
    this.kinds.length = 0;
    this.counts.length = 0;
  }

  /** Moves all offsets by `delta` (the caller moved its buffer). */
  shift(delta: number): void {
    this.start += delta;
    this.pos += delta;
    this.reach += delta;
    if (this.bodyEnd >= 0) this.bodyEnd += delta;
  }

  /** Records a stop: `reach` is one past the furthest byte this run examined. */
  private stop(reach: number, reread: number): void {
    this.examined += reach - this.reach + this.reread;
    this.reach = reach;
    this.reread = reread;
  }

  /**
   * Continues over `bytes` (which must hold the same bytes as before, possibly more).
   * @returns the exclusive end of the value, or -1 if more bytes are needed.
   */
  run(bytes: Uint8Array): number {
    const o = this.o;
    const kinds = this.kinds;
    const counts = this.counts;
    const limitEnd = this.start + o.maxValueBytes;
    const end = bytes.length < limitEnd ? bytes.length : limitEnd;
    const tooBig = (): SyrupError =>
      new SyrupError(`value longer than maxValueBytes (${o.maxValueBytes})`, this.start);
    let pos = this.pos;
    if (this.bodyEnd >= 0) {
      // Waiting for a bytestring body: nothing to read until all of it is there.
      if (this.bodyEnd > limitEnd) throw tooBig(); // maxValueBytes lowered since
      if (this.bodyEnd > bytes.length) {
        this.stop(this.reach, 0);
        return -1;
      }
      pos = this.bodyEnd;
      this.bodyEnd = -1;
      if (this.itemEnded(pos)) {
        this.pos = pos;
        this.stop(pos, 0);
        return pos;
      }
    }
    // A digit run left incomplete at `pos` resumes after the digits already read.
    const resumeAt = this.digitsRead > 0 ? pos : -1;
    for (;;) {
      if (pos >= end) {
        if (end === limitEnd && bytes.length > end) throw tooBig();
        this.pos = pos;
        this.digitsRead = 0;
        this.stop(pos, 0);
        return -1;
      }
      const c = bytes[pos];
      if (c >= 0x30 && c <= 0x39) {
        const start = pos;
        let n = 0;
        let p = pos;
        let t = 0;
        if (start === resumeAt) {
          p += this.digitsRead;
          n = this.digitsValue;
        }
        while (p < end && (t = bytes[p]) >= 0x30 && t <= 0x39) {
          n = n * 10 + (t - 0x30);
          p++;
        }
        const digits = p - start;
        if (digits > 1 && bytes[start] === 0x30) throw leadingZero(start);
        if (digits > 15 && digits > o.maxIntegerDigits) throw digitRunTooLong(o, start);
        if (p >= end) {
          if (end === limitEnd && bytes.length > end) throw tooBig();
          this.suspendDigits(start, digits, n, p);
          return -1;
        }
        if (t === 0x2b || t === 0x2d) {
          if (digits > o.maxIntegerDigits) throw integerTooLong(o, start);
          if (t === 0x2d && n === 0) throw negativeZero(start);
          pos = p + 1;
        } else if (t === 0x3a || t === 0x22 || t === 0x27) {
          if (digits > 15 || n > o.maxBytesLength) throw lengthTooLong(o, start);
          const dataEnd = p + 1 + n;
          if (dataEnd > limitEnd) throw tooBig();
          if (dataEnd > bytes.length) {
            this.pos = start;
            this.digitsRead = 0;
            this.bodyEnd = dataEnd;
            this.stop(p + 1, 0);
            return -1;
          }
          pos = dataEnd;
        } else {
          throw badTypeAfterDigits(t, p);
        }
      } else if (c === 0x74 || c === 0x66) {
        pos++;
      } else if (c === 0x44) {
        if (pos + 9 > end) {
          if (pos + 9 > limitEnd) throw tooBig();
          this.pos = pos;
          this.digitsRead = 0;
          this.stop(pos + 1, 1);
          return -1;
        }
        if ((bytes[pos + 1] & 0x7f) === 0x7f && (bytes[pos + 2] & 0xf0) === 0xf0) {
          // exponent all ones: infinity or NaN
          let rest = 0;
          for (let i = 3; i < 9; i++) rest |= bytes[pos + i];
          const isNaN = ((bytes[pos + 2] & 0x0f) | rest) !== 0;
          if (isNaN && !(bytes[pos + 1] === 0x7f && bytes[pos + 2] === 0xf8 && rest === 0)) {
            throw new SyrupError('non-canonical NaN (only 7ff8000000000000 is allowed)', pos);
          }
        }
        pos += 9;
      } else {
        const kind = OPENER_KIND[c];
        if (kind >= 0) {
          if (kind === SET && !o.allowSets) throw setsNotAllowed(pos);
          if (kinds.length >= o.maxDepth) throw tooDeep(o, pos);
          kinds.push(kind);
          counts.push(0);
          pos++;
          continue;
        }
        const depth = kinds.length;
        if (depth === 0 || c !== CLOSERS[kinds[depth - 1]]) throw notAValue(c, depth === 0 ? -1 : kinds[depth - 1], pos);
        const kind2 = kinds.pop()!;
        const count = counts.pop()!;
        if (kind2 === DICT && count & 1) throw new SyrupError('dictionary key without a value', pos);
        if (kind2 === RECORD && count === 0) throw new SyrupError('record without a label', pos);
        pos++;
      }
      // A value ended just before `pos` (as in itemEnded, kept inline in this hot loop).
      const depth = kinds.length;
      if (depth === 0) {
        this.pos = pos;
        this.digitsRead = 0;
        this.stop(pos, 0);
        return pos;
      }
      const count = ++counts[depth - 1];
      const kind = kinds[depth - 1];
      const items = kind === DICT ? (count + 1) >> 1 : kind === RECORD ? count - 1 : count;
      if (items > o.maxContainerLength) throw tooManyItems(o, pos);
    }
  }

  /**
   * A value ended just before `pos`: counts it in its container.
   * @returns true if it was the top-level value. @throws SyrupError on too many items.
   */
  private itemEnded(pos: number): boolean {
    const depth = this.kinds.length;
    if (depth === 0) return true;
    const count = ++this.counts[depth - 1];
    const kind = this.kinds[depth - 1];
    const items = kind === DICT ? (count + 1) >> 1 : kind === RECORD ? count - 1 : count;
    if (items > this.o.maxContainerLength) throw tooManyItems(this.o, pos);
    return false;
  }

  /** Stops inside the digit-prefixed atom at `start`; the next run resumes after its digits. */
  private suspendDigits(start: number, digits: number, value: number, reach: number): void {
    this.pos = start;
    this.digitsRead = digits;
    this.digitsValue = value;
    this.stop(reach, 1);
  }
}

/**
 * Finds where the complete top-level Syrup value starting at `start` ends, without building it
 * (iterative; no recursion).
 *
 * Checks structure and limits (see `Scanner` in the docs: type bytes, leading zeros, `0-`,
 * Float32, non-canonical NaN, closers, dictionary pairs, record labels, depth, lengths,
 * `maxValueBytes`), not dictionary/set order or UTF-8: {@link decode} the slice for that.
 *
 * @returns the exclusive end offset, or -1 if `bytes` ends before the value is complete.
 * @throws SyrupError if the bytes so far are malformed or exceed a limit (offsets are indexes
 *   into `bytes`); TypeError/RangeError for bad arguments or options.
 */
export function scanValue(bytes: Uint8Array, start: number, options?: DecodeOptions): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('scanValue expects a Uint8Array');
  if (!Number.isSafeInteger(start) || start < 0 || start > bytes.length) {
    throw new RangeError(`scanValue start must be an integer in 0..${bytes.length}, got ${String(start)}`);
  }
  const s = new Scanner(resolveOptions(options));
  s.reset(start);
  return s.run(bytes);
}
