/**
 * The swiss-number table behind the bootstrap object's `fetch` (notes §7).
 * @module
 */
import { randomBytes } from '../crypto/index.js';
import { toHex } from '../syrup/bytes.js';
import { parseSturdyRefUri } from '../locator/index.js';
import type { PeerLocator, SturdyRef } from '../locator/types.js';
import type { Netlayer } from '../netlayers/interface.js';

/** Longest swiss number accepted by default, in bytes (ours are 32; the test suite's are short ASCII). */
export const DEFAULT_MAX_SWISS_BYTES = 256;

/** Options of a {@link SwissTable}. */
export interface SwissTableOptions {
  /** Longest swiss number registered or looked up, in bytes. Default {@link DEFAULT_MAX_SWISS_BYTES}. */
  readonly maxSwissBytes?: number | undefined;
}

/** How many revoked swiss numbers are remembered, to say "revoked" rather than "unknown" (oldest forgotten first). */
export const REMEMBERED_REVOCATIONS = 10_000;

/** Objects registered under swiss numbers. */
export class SwissTable {
  /** Keyed by the swiss number's hex: equal keys mean equal bytes. */
  private readonly bySwiss = new Map<string, unknown>();
  /** Hex keys of revoked swiss numbers (insertion order: oldest first), at most {@link REMEMBERED_REVOCATIONS}. */
  private readonly revoked = new Set<string>();
  private readonly maxSwissBytes: number;

  /** @throws RangeError if `maxSwissBytes` is not a positive integer. */
  constructor(options: SwissTableOptions = {}) {
    const max = options.maxSwissBytes ?? DEFAULT_MAX_SWISS_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError(`maxSwissBytes must be a positive integer, got ${String(options.maxSwissBytes)}`);
    this.maxSwissBytes = max;
  }

  /**
   * Register `value` under `swiss` (32 fresh random bytes by default). Returns the swiss number.
   * A string is taken as its UTF-8 bytes. Registering a revoked swiss number again makes it
   * valid again.
   * @throws TypeError if `swiss` is neither bytes nor a string, is a string with a lone
   *   surrogate (it has no UTF-8 form), or is taken by another object; RangeError if it is
   *   empty or longer than `maxSwissBytes` (default 256) bytes.
   */
  register(value: unknown, swiss?: Uint8Array | string): Uint8Array {
    if (typeof swiss === 'string' && !swiss.isWellFormed()) throw new TypeError('swiss number string is not well-formed UTF-16 (lone surrogate)');
    const bytes = swiss === undefined ? randomBytes(32) : typeof swiss === 'string' ? new TextEncoder().encode(swiss) : swiss;
    if (!(bytes instanceof Uint8Array)) throw new TypeError('swiss number must be a Uint8Array or a string');
    if (bytes.length === 0) throw new RangeError('swiss number must not be empty');
    if (bytes.length > this.maxSwissBytes) throw new RangeError(`swiss number of ${bytes.length} bytes is longer than maxSwissBytes (${this.maxSwissBytes})`);
    const key = toHex(bytes);
    if (this.bySwiss.has(key) && this.bySwiss.get(key) !== value) throw new TypeError(`swiss number ${key} is already registered to another object`);
    this.bySwiss.set(key, value);
    this.revoked.delete(key);
    return new Uint8Array(bytes);
  }

  /**
   * The object registered under `swiss`; throws (breaking the fetch) if none, or if `swiss` is
   * longer than `maxSwissBytes` (refused before any key is built from it).
   */
  lookup(swiss: unknown): unknown {
    if (!(swiss instanceof Uint8Array)) throw new TypeError('fetch takes a ByteArray swiss number');
    if (swiss.length > this.maxSwissBytes) throw new RangeError(`fetch refused: a swiss number of ${swiss.length} bytes is longer than the limit (${this.maxSwissBytes})`);
    const key = toHex(swiss);
    if (!this.bySwiss.has(key)) {
      if (this.revoked.has(key)) throw new Error('sturdyref revoked: the object once registered under that swiss number was withdrawn');
      throw new Error('no object registered under that swiss number');
    }
    return this.bySwiss.get(key);
  }

  /**
   * Remove the registration under `swiss`: a later {@link lookup} fails with "sturdyref
   * revoked" (for the last {@link REMEMBERED_REVOCATIONS} revocations; "no object registered"
   * after that). Returns whether one existed.
   */
  revoke(swiss: Uint8Array): boolean {
    if (swiss.length > this.maxSwissBytes) return false;
    const key = toHex(swiss);
    if (!this.bySwiss.delete(key)) return false;
    this.revoked.delete(key);
    this.revoked.add(key);
    if (this.revoked.size > REMEMBERED_REVOCATIONS) this.revoked.delete(this.revoked.values().next().value!);
    return true;
  }
}

/**
 * Options of `OcapnNode.register` and `OcapnNode.sturdyRefUri`.
 */
export interface SturdyRefOptions {
  /**
   * A chosen swiss number (bytes, or a string taken as its UTF-8 bytes) instead of 32 fresh
   * random bytes, so that the sturdyref stays the same across restarts (docs/persistence.md).
   * **It is a secret**: whoever knows it can fetch the object, so make it long and random
   * (32 bytes from a CSPRNG, kept like a password), never a guessable name.
   */
  readonly swiss?: Uint8Array | string;
  /**
   * The transport whose locator the sturdyref names when the node has several netlayers
   * (e.g. `'websocket'`). Default: the first netlayer's.
   */
  readonly transport?: string;
}

/**
 * Sorts out `register(object, swiss?, options?)` / `register(object, options)`: the second
 * argument is options when it is a plain object (not bytes, not an array).
 * @throws TypeError for options that are not an object, a swiss number given twice, or a
 *   transport that is not a string.
 * @internal
 */
export function sturdyRefArgs(
  swissOrOptions: Uint8Array | string | SturdyRefOptions | undefined,
  options: SturdyRefOptions | undefined,
  where: string,
): { swiss: Uint8Array | string | undefined; transport: string | undefined } {
  let swiss: unknown = swissOrOptions;
  let opts: unknown = options;
  if (isPlainObject(swissOrOptions)) {
    if (options !== undefined) throw new TypeError(`${where}: give options once (as the second or the third argument)`);
    swiss = undefined;
    opts = swissOrOptions;
  }
  if (opts === undefined) return { swiss: swiss as Uint8Array | string | undefined, transport: undefined };
  if (!isPlainObject(opts)) throw new TypeError(`${where}: options must be an object like { transport: 'websocket' }`);
  const o = opts as SturdyRefOptions;
  if (o.swiss !== undefined) {
    if (swiss !== undefined) throw new TypeError(`${where}: the swiss number is given twice (argument and options.swiss)`);
    swiss = o.swiss;
  }
  if (o.transport !== undefined && typeof o.transport !== 'string') {
    throw new TypeError(`${where}: options.transport must be a transport name (a string), got ${typeof o.transport}`);
  }
  return { swiss: swiss as Uint8Array | string | undefined, transport: o.transport };
}

/**
 * The swiss number `OcapnNode.revokeSturdyRef` removes: `ref`'s bytes, or the swiss number of
 * a sturdyref (URI or object) that names this node.
 * @throws TypeError (LocatorError) for a malformed URI or argument; RangeError if the
 *   sturdyref names another peer.
 * @internal
 */
export function swissToRevoke(ref: unknown, isOwnLocation: (peer: PeerLocator) => boolean): Uint8Array {
  if (ref instanceof Uint8Array) return ref;
  const sturdy = (typeof ref === 'string' ? parseSturdyRefUri(ref) : ref) as SturdyRef | null;
  if (typeof sturdy !== 'object' || sturdy === null || !(sturdy.swiss instanceof Uint8Array)) {
    throw new TypeError('revokeSturdyRef needs an ocapn://…/s/… URI, a SturdyRef or the swiss number (Uint8Array)');
  }
  if (!isOwnLocation(sturdy.peer)) {
    throw new RangeError(`revokeSturdyRef: the sturdyref names another peer (${sturdy.peer.designator}.${sturdy.peer.transport}), not this node`);
  }
  return sturdy.swiss;
}

/**
 * Our locator on the netlayer for `transport`.
 * @throws RangeError if none of `netlayers` has that transport.
 * @internal
 */
export function locationOn(netlayers: readonly Netlayer[], transport: string): PeerLocator {
  const netlayer = netlayers.find((n) => n.transport === transport);
  if (!netlayer) {
    throw new RangeError(`this node has no ${JSON.stringify(transport)} netlayer (it has: ${netlayers.map((n) => n.transport).join(', ')})`);
  }
  return netlayer.location;
}

function isPlainObject(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
