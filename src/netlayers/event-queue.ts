/**
 * The event side of a {@link Connection}: buffers `message` / `error` / `drain` / `close`
 * events until the user installs handlers, then delivers them in order, asynchronously, at
 * most one `error` and exactly one `close`. Every netlayer in this package uses it, and netlayer
 * authors may too (docs/netlayers.md).
 * @module
 */
import type { Connection, ConnectionHandlers } from './interface.js';

/**
 * An `error`, `drain` or `close` event. A message is queued as its bytes (no wrapper object per
 * message), so events are told apart by this class, never by `instanceof Uint8Array`: a
 * netlayer's bytes may come from another realm (a vm context, an iframe).
 */
class ControlEvent {
  constructor(
    readonly kind: 'error' | 'drain' | 'close',
    readonly error: Error | undefined,
  ) {}
}
const DRAIN = new ControlEvent('drain', undefined);

type ConnectionEvent = Uint8Array | ControlEvent;

/**
 * Called when a user's `message`, `error` or `drain` handler throws. The connection should end
 * itself abnormally (typically: drop the transport, then {@link ConnectionEventQueue.close}
 * with that error). A throwing `close` handler is rethrown from a fresh macrotask instead,
 * as Node does for a throwing event listener.
 */
export type HandlerThrowCallback = (thrown: Error) => void;

/** Turns anything thrown into an Error. @internal */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/**
 * Implements the event half of the netlayer contract ({@link Connection.setHandlers},
 * notes §10.2):
 * - events that arrive before {@link setHandlers} are buffered, then delivered in order;
 * - handlers are never called synchronously from `setHandlers`, `message`, `error` or
 *   `close` (always from a microtask), so a netlayer may report events from inside the
 *   user's own `send()`/`close()` calls;
 * - after `error`, later messages are dropped (no more messages follow an error), but
 *   `drain` still is (the connection stays writable, e.g. for `op:abort`);
 * - `close` is delivered once; anything pushed after it is dropped, so `drain` never
 *   follows `close`;
 * - `drain` is delivered only if the handlers have one; a `drain` pushed right behind an
 *   undelivered `drain` is merged into it;
 * - a message longer than {@link setMaxMessageBytes}'s limit at delivery time becomes the
 *   `error` instead;
 * - once a `message`/`error`/`drain` handler throws, nothing but `close` is delivered.
 */
export class ConnectionEventQueue {
  #handlers: ConnectionHandlers | undefined;
  /** Events from #head to #tail are undelivered; slots are reused, so the array keeps its capacity. */
  readonly #pending: Array<ConnectionEvent | undefined> = [];
  #head = 0;
  #tail = 0;
  #scheduled = false;
  #errorQueued = false;
  #closeQueued = false;
  #handlerThrew = false;
  /** An `error` was delivered (or a message refused as too large): deliver no message or error. */
  #refused = false;
  #maxMessageBytes = Number.MAX_SAFE_INTEGER;
  #tooLarge: (length: number, max: number) => Error = defaultTooLarge;
  readonly #onHandlerThrow: HandlerThrowCallback;

  /** @param onHandlerThrow see {@link HandlerThrowCallback}. */
  constructor(onHandlerThrow: HandlerThrowCallback) {
    if (typeof onHandlerThrow !== 'function') {
      throw new TypeError('ConnectionEventQueue needs an onHandlerThrow function');
    }
    this.#onHandlerThrow = onHandlerThrow;
  }

  /** `true` once handlers are installed. */
  get hasHandlers(): boolean {
    return this.#handlers !== undefined;
  }

  /** `true` once `close` has been pushed (whether or not it has been delivered yet). */
  get closed(): boolean {
    return this.#closeQueued;
  }

  /** `true` once `error` has been pushed: no more messages will be delivered. */
  get errored(): boolean {
    return this.#errorQueued;
  }

  /**
   * Installs the user's handlers (see {@link Connection.setHandlers}).
   * @throws TypeError if called twice, or if a handler is not a function.
   */
  setHandlers(handlers: ConnectionHandlers): void {
    if (this.#handlers !== undefined) throw new TypeError('Connection.setHandlers was already called');
    if (typeof handlers !== 'object' || handlers === null) {
      throw new TypeError('Connection.setHandlers needs an object with message, error and close functions');
    }
    for (const name of ['message', 'error', 'close'] as const) {
      if (typeof handlers[name] !== 'function') {
        throw new TypeError(`Connection.setHandlers: handlers.${name} must be a function, got ${typeof handlers[name]}`);
      }
    }
    if (handlers.drain !== undefined && typeof handlers.drain !== 'function') {
      throw new TypeError(`Connection.setHandlers: handlers.drain must be a function or undefined, got ${typeof handlers.drain}`);
    }
    this.#handlers = handlers;
    this.#schedule();
  }

  /** Queues one whole message. Ignored after `error` or `close`. */
  message(bytes: Uint8Array): void {
    if (this.#errorQueued || this.#closeQueued) return;
    this.#push(bytes);
  }

  /** Queues the (single) malformed-input error. Ignored after a first `error` or `close`. */
  error(error: Error): void {
    if (this.#errorQueued || this.#closeQueued) return;
    this.#errorQueued = true;
    this.#push(new ControlEvent('error', error));
  }

  /**
   * Queues a `drain` (the outgoing buffer emptied). Ignored after `close`, and when the last
   * queued event is an undelivered `drain`.
   */
  drain(): void {
    if (this.#closeQueued) return;
    const last = this.#tail > this.#head ? this.#pending[this.#tail - 1] : undefined;
    if (last === DRAIN) return;
    this.#push(DRAIN);
  }

  /**
   * Sets the largest message delivered from now on (checked at delivery, so it covers
   * messages already queued): a longer one is delivered as the `error` instead (made by
   * `tooLarge`), and no message follows. The netlayer validates the user's value and applies
   * its own ceiling first (see {@link Connection.setMaxMessageBytes}).
   * @param max bytes, an integer ≥ 1.
   * @param tooLarge makes the error for a message of `length` bytes; default a plain Error.
   * @throws RangeError if `max` is not a safe integer ≥ 1.
   */
  setMaxMessageBytes(max: number, tooLarge?: (length: number, max: number) => Error): void {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`ConnectionEventQueue.setMaxMessageBytes: expected an integer ≥ 1, got ${String(max)}`);
    this.#maxMessageBytes = max;
    if (tooLarge !== undefined) this.#tooLarge = tooLarge;
  }

  /** Queues the (single) close event; `error` when the connection ended abnormally. */
  close(error?: Error): void {
    if (this.#closeQueued) return;
    this.#closeQueued = true;
    this.#push(new ControlEvent('close', error));
  }

  #push(event: ConnectionEvent): void {
    this.#pending[this.#tail++] = event;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#handlers === undefined || this.#head >= this.#tail) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    const handlers = this.#handlers!;
    const pending = this.#pending;
    while (this.#head < this.#tail) {
      const event = pending[this.#head]!;
      pending[this.#head++] = undefined;
      const isMessage = !(event instanceof ControlEvent);
      if (this.#handlerThrew && (isMessage || event.kind !== 'close')) continue;
      try {
        if (isMessage) this.#deliverMessage(handlers, event);
        else if (event.kind === 'error') this.#deliverError(handlers, event.error!);
        else if (event.kind === 'drain') handlers.drain?.();
        else handlers.close(event.error);
      } catch (thrown) {
        const err = asError(thrown);
        if (!isMessage && event.kind === 'close') {
          setTimeout(() => {
            throw err;
          }, 0);
        } else {
          this.#handlerThrew = true;
          this.#errorQueued = true;
          this.#onHandlerThrow(err);
        }
      }
    }
    this.#head = 0;
    this.#tail = 0;
    // After a burst, give the room back.
    if (pending.length > 1024) pending.length = 0;
  }

  /** A message, unless an earlier one was refused as too large or is now over the limit. */
  #deliverMessage(handlers: ConnectionHandlers, bytes: Uint8Array): void {
    if (this.#refused) return;
    if (bytes.length > this.#maxMessageBytes) {
      this.#refused = true;
      this.#errorQueued = true;
      handlers.error(this.#tooLarge(bytes.length, this.#maxMessageBytes));
      return;
    }
    handlers.message(bytes);
  }

  /** The netlayer's error, unless a too-large message was already reported as the error. */
  #deliverError(handlers: ConnectionHandlers, error: Error): void {
    if (!this.#refused) handlers.error(error);
    this.#refused = true;
  }
}

function defaultTooLarge(length: number, max: number): Error {
  return new Error(`incoming message of ${length} bytes exceeds maxMessageBytes (${max})`);
}
