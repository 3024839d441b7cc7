/**
 * Plumbing shared by this package's netlayers: option checks, the queue of incoming
 * connections waiting for {@link Netlayer.accept}, the set of open connections a netlayer
 * closes on `close()`, and the argument check of {@link Connection.send}. Internal: not
 * exported from the package.
 * @module
 */
import type { DecodeOptions } from '../syrup/index.js';
import type { Connection, Netlayer } from './interface.js';

/**
 * Checks an optional integer option.
 * @param value the option as given (`undefined` → `fallback`).
 * @param name the option's name, for messages.
 * @param min smallest accepted value.
 * @param max largest accepted value.
 * @param fallback the default.
 * @param where the function the options were given to, for messages.
 * @throws TypeError if `value` is not a number; RangeError if it is not an integer from
 *   `min` to `max`.
 * @internal
 */
export function intOption(value: unknown, name: string, min: number, max: number, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * Checks a netlayer factory's options argument.
 * @returns `options`, or `{}` when it is `undefined`.
 * @throws TypeError if it is neither `undefined` nor an object.
 * @internal
 */
export function optionsObject<T extends object>(options: T | undefined, where: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`);
  return options;
}

/**
 * Checks the `host` option (already defaulted).
 * @throws TypeError if it is not a non-empty string.
 * @internal
 */
export function checkHostOption(host: unknown, where: string): string {
  if (typeof host !== 'string' || host.length === 0) throw new TypeError(`${where}: host must be a non-empty string`);
  return host;
}

/**
 * Checks the optional `syrup` option (Syrup scanner limits for incoming messages).
 * @throws TypeError if it is neither `undefined` nor an object.
 * @internal
 */
export function checkSyrupOption(syrup: unknown, where: string): DecodeOptions | undefined {
  if (syrup !== undefined && (typeof syrup !== 'object' || syrup === null)) {
    throw new TypeError(`${where}: syrup must be an object of Syrup DecodeOptions`);
  }
  return syrup as DecodeOptions | undefined;
}

/**
 * The argument check of {@link Connection.send}.
 * @throws TypeError if `bytes` is not a Uint8Array.
 * @internal
 */
export function checkSendBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`Connection.send needs a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
}

/**
 * Incoming connections on their way to the user's {@link Netlayer.accept} callback: those
 * that arrive before `accept` wait here, in arrival order. If the callback throws, that
 * connection is closed and the error is rethrown from a fresh macrotask (as Node does for a
 * throwing listener), so one bad call does not stop the netlayer.
 * @internal
 */
export class AcceptQueue<C extends Connection> {
  readonly #where: string;
  readonly #waiting: C[] = [];
  #onConnection: ((connection: Connection) => void) | undefined;

  /** @param where how `accept` is named in error messages, e.g. `'websocket accept'`. */
  constructor(where: string) {
    this.#where = where;
  }

  /**
   * Installs the callback and hands it the connections that arrived earlier.
   * @throws TypeError if `onConnection` is not a function or accept was already called.
   */
  accept(onConnection: (connection: Connection) => void): void {
    if (typeof onConnection !== 'function') throw new TypeError(`${this.#where} needs a function`);
    if (this.#onConnection !== undefined) throw new TypeError(`${this.#where} was already called`);
    this.#onConnection = onConnection;
    for (const conn of this.#waiting.splice(0)) this.#handOver(conn);
  }

  /** A new incoming connection: handed over now if `accept` was called, else queued. */
  offer(conn: C): void {
    if (this.#onConnection === undefined) this.#waiting.push(conn);
    else this.#handOver(conn);
  }

  /** Removes `conn` from the queue (when its transport is gone before `accept`). */
  withdraw(conn: C): void {
    const i = this.#waiting.indexOf(conn);
    if (i !== -1) this.#waiting.splice(i, 1);
  }

  /** Empties the queue. @returns the connections that were waiting. */
  takeAll(): C[] {
    return this.#waiting.splice(0);
  }

  #handOver(conn: C): void {
    try {
      this.#onConnection!(conn);
    } catch (thrown) {
      conn.close();
      setTimeout(() => {
        throw thrown;
      }, 0);
    }
  }
}

/** A connection whose transport reports when it is fully closed. @internal */
export interface GoneConnection extends Connection {
  /** Resolves once the transport is fully closed. */
  readonly gone: Promise<void>;
}

/**
 * The open connections of a netlayer (both directions). Each leaves the set, and the
 * netlayer's {@link AcceptQueue}, once its transport is gone.
 * @internal
 */
export class OpenConnections<C extends GoneConnection> {
  readonly #open = new Set<C>();
  readonly #queue: AcceptQueue<C>;

  /** @param queue the netlayer's queue of connections waiting for `accept`. */
  constructor(queue: AcceptQueue<C>) {
    this.#queue = queue;
  }

  /** How many are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Adds `conn` until its transport is gone. @returns `conn`. */
  add(conn: C): C {
    this.#open.add(conn);
    void conn.gone.then(() => {
      this.#open.delete(conn);
      this.#queue.withdraw(conn);
    });
    return conn;
  }

  /**
   * Closes every open connection and empties the accept queue.
   * @returns one promise per connection, settled once its transport is gone.
   */
  closeAll(): Promise<void>[] {
    const gone = [...this.#open].map((conn) => {
      conn.close();
      return conn.gone;
    });
    this.#queue.takeAll();
    return gone;
  }
}

/**
 * The argument check of {@link Connection.setMaxMessageBytes}.
 * @param bytes the user's value.
 * @param ceiling the netlayer's own `maxMessageBytes`.
 * @returns the limit to apply: `bytes`, clamped to `ceiling`.
 * @throws TypeError if `bytes` is not a number; RangeError if it is not a safe integer ≥ 1.
 * @internal
 */
export function checkMessageLimit(bytes: unknown, ceiling: number): number {
  if (typeof bytes !== 'number') throw new TypeError(`Connection.setMaxMessageBytes needs a number, got ${typeof bytes}`);
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new RangeError(`Connection.setMaxMessageBytes needs an integer from 1 to 2^53-1, got ${bytes}`);
  }
  return Math.min(bytes, ceiling);
}
