/**
 * The swiss-number table behind the bootstrap object's `fetch` (notes §7).
 * @module
 */
import { randomBytes } from '../crypto/index.js';
import { toHex } from '../syrup/bytes.js';

/** Objects registered under swiss numbers. */
export class SwissTable {
  /** Keyed by the swiss number's hex: equal keys mean equal bytes. */
  private readonly bySwiss = new Map<string, unknown>();

  /** Register `value` under `swiss` (32 fresh random bytes by default). Returns the swiss number. */
  register(value: unknown, swiss?: Uint8Array | string): Uint8Array {
    const bytes = swiss === undefined ? randomBytes(32) : typeof swiss === 'string' ? new TextEncoder().encode(swiss) : swiss;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('swiss number must be a Uint8Array or a string');
    if (bytes.length === 0) throw new RangeError('swiss number must not be empty');
    const key = toHex(bytes);
    if (this.bySwiss.has(key) && this.bySwiss.get(key) !== value) throw new TypeError(`swiss number ${key} is already registered to another object`);
    this.bySwiss.set(key, value);
    return bytes.slice();
  }

  /** The object registered under `swiss`; throws (breaking the fetch) if none. */
  lookup(swiss: unknown): unknown {
    if (!(swiss instanceof Uint8Array)) throw new TypeError('fetch takes a ByteArray swiss number');
    const key = toHex(swiss);
    if (!this.bySwiss.has(key)) throw new Error('no object registered under that swiss number');
    return this.bySwiss.get(key);
  }

  /** Remove the registration under `swiss`. Returns whether one existed. */
  revoke(swiss: Uint8Array): boolean {
    return this.bySwiss.delete(toHex(swiss));
  }
}
