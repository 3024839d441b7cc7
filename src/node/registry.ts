/**
 * The swiss-number table behind the bootstrap object's `fetch` (notes §7).
 * @module
 */
import { randomBytes } from '../crypto/index.js';
import { toHex } from '../syrup/bytes.js';

/** Longest swiss number accepted by default, in bytes (ours are 32; the test suite's are short ASCII). */
export const DEFAULT_MAX_SWISS_BYTES = 256;

/** Options of a {@link SwissTable}. */
export interface SwissTableOptions {
  /** Longest swiss number registered or looked up, in bytes. Default {@link DEFAULT_MAX_SWISS_BYTES}. */
  readonly maxSwissBytes?: number | undefined;
}

/** Objects registered under swiss numbers. */
export class SwissTable {
  /** Keyed by the swiss number's hex: equal keys mean equal bytes. */
  private readonly bySwiss = new Map<string, unknown>();
  private readonly maxSwissBytes: number;

  /** @throws RangeError if `maxSwissBytes` is not a positive integer. */
  constructor(options: SwissTableOptions = {}) {
    const max = options.maxSwissBytes ?? DEFAULT_MAX_SWISS_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError(`maxSwissBytes must be a positive integer, got ${String(options.maxSwissBytes)}`);
    this.maxSwissBytes = max;
  }

  /**
   * Register `value` under `swiss` (32 fresh random bytes by default). Returns the swiss number.
   * @throws TypeError if `swiss` is neither bytes nor a string, or is taken by another object;
   *   RangeError if it is empty or longer than `maxSwissBytes` (default 256) bytes.
   */
  register(value: unknown, swiss?: Uint8Array | string): Uint8Array {
    const bytes = swiss === undefined ? randomBytes(32) : typeof swiss === 'string' ? new TextEncoder().encode(swiss) : swiss;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('swiss number must be a Uint8Array or a string');
    if (bytes.length === 0) throw new RangeError('swiss number must not be empty');
    if (bytes.length > this.maxSwissBytes) throw new RangeError(`swiss number of ${bytes.length} bytes is longer than maxSwissBytes (${this.maxSwissBytes})`);
    const key = toHex(bytes);
    if (this.bySwiss.has(key) && this.bySwiss.get(key) !== value) throw new TypeError(`swiss number ${key} is already registered to another object`);
    this.bySwiss.set(key, value);
    return bytes.slice();
  }

  /**
   * The object registered under `swiss`; throws (breaking the fetch) if none, or if `swiss` is
   * longer than `maxSwissBytes` (refused before any key is built from it).
   */
  lookup(swiss: unknown): unknown {
    if (!(swiss instanceof Uint8Array)) throw new TypeError('fetch takes a ByteArray swiss number');
    if (swiss.length > this.maxSwissBytes) throw new RangeError(`fetch refused: a swiss number of ${swiss.length} bytes is longer than the limit (${this.maxSwissBytes})`);
    const key = toHex(swiss);
    if (!this.bySwiss.has(key)) throw new Error('no object registered under that swiss number');
    return this.bySwiss.get(key);
  }

  /** Remove the registration under `swiss`. Returns whether one existed. */
  revoke(swiss: Uint8Array): boolean {
    return swiss.length <= this.maxSwissBytes && this.bySwiss.delete(toHex(swiss));
  }
}
