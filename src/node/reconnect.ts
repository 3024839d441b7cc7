/**
 * References that reconnect (opt-in): a presence made from a sturdyref that forwards every
 * eventual send to the live reference of the moment, and enlivens the sturdyref again after
 * the session it came from ended. See docs/failures.md.
 *
 * What it promises:
 * - at-most-once delivery still holds: a call that was sent on a session that then failed
 *   breaks with that session's error and is never sent again;
 * - a call made while there is no live reference waits for the next one (`whileDown: 'wait'`,
 *   bounded by `maxQueued` and `waitTimeoutMs`) or fails at once (`'fail'`); either way it
 *   starts re-enlivening if nothing is under way (reconnection is lazy: an unused reference
 *   does not dial);
 * - re-enlivening retries with exponential backoff and jitter, and gives up after
 *   `maxAttempts` attempts in a row: the reference is then broken for good.
 *
 * References obtained through it (answers, presences in results) belong to the session they
 * came from and break with it: only the reconnecting reference itself moves on.
 * @module
 */
import { HandledPromise } from '../captp/eventual-send.js';
import { refInfo } from '../captp/refs.js';
import type { SturdyRef } from '../locator/types.js';

/** Options of {@link OcapnNode.enlivenReconnecting}. */
export interface ReconnectOptions {
  /** Delay before the second attempt, in ms (integer ≥ 1). Default 100. Each next delay doubles. */
  readonly initialDelayMs: number;
  /** Longest delay between attempts, in ms (integer ≥ `initialDelayMs`). Default 10,000. */
  readonly maxDelayMs: number;
  /** Attempts in a row before giving up for good (integer ≥ 1, or `Infinity`). Default 10. */
  readonly maxAttempts: number;
  /** Longest time one attempt (connect and `fetch`) may take, in ms (integer ≥ 1). Default 10,000. */
  readonly attemptTimeoutMs: number;
  /** What a call made while there is no live reference does: `'wait'` (default) or `'fail'` at once. */
  readonly whileDown: 'wait' | 'fail';
  /** With `'wait'`: most calls waiting at once; more fail at once (integer ≥ 1). Default 1,000. */
  readonly maxQueued: number;
  /** With `'wait'`: longest time a call waits for a live reference, in ms (integer ≥ 1). Default 30,000. */
  readonly waitTimeoutMs: number;
  /** Called on every change of state (a throwing listener is ignored). */
  readonly onStateChange?: ((change: ReconnectStateChange) => void) | undefined;
}

/**
 * - `connected`: calls go to a live reference;
 * - `down`: its session ended and nothing is under way (the next call re-enlivens);
 * - `reconnecting`: an attempt is under way or waiting for its backoff delay;
 * - `broken`: gave up (or the node closed); every call fails with {@link ReconnectError}.
 */
export type ReconnectState = 'connected' | 'down' | 'reconnecting' | 'broken';

/** What {@link ReconnectOptions.onStateChange} receives. */
export interface ReconnectStateChange {
  readonly state: ReconnectState;
  /** Attempts made since the reference was last connected. */
  readonly attempts: number;
  /** Why: the session's end (`down`), the last attempt's failure, or the final error (`broken`). */
  readonly error?: unknown;
}

/** A call through a reconnecting reference that could not be sent. `cause` is the underlying error, if any. */
export class ReconnectError extends Error {
  /**
   * `down` (no live reference, `whileDown: 'fail'`), `queue-full` (`maxQueued`),
   * `wait-timeout` (`waitTimeoutMs`), `gave-up` (`maxAttempts`), `closing` (the node closes).
   */
  readonly kind: 'down' | 'queue-full' | 'wait-timeout' | 'gave-up' | 'closing';
  constructor(kind: ReconnectError['kind'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ReconnectError';
    this.kind = kind;
  }
}

export const DEFAULT_RECONNECT: Omit<ReconnectOptions, 'onStateChange'> = Object.freeze({
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  maxAttempts: 10,
  attemptTimeoutMs: 10_000,
  whileDown: 'wait',
  maxQueued: 1_000,
  waitTimeoutMs: 30_000,
});

const MAX_MS = 2 ** 31 - 1;

function intOption(value: unknown, name: string, min: number, max = MAX_MS, allowInfinity = false): void {
  if (allowInfinity && value === Infinity) return;
  if (typeof value !== 'number') throw new TypeError(`enlivenReconnecting: ${name} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`enlivenReconnecting: ${name} must be an integer from ${min} to ${max}${allowInfinity ? ' or Infinity' : ''}, got ${String(value)}`);
  }
}

/**
 * Checks options and fills in defaults.
 * @throws TypeError / RangeError naming the bad option.
 */
export function resolveReconnectOptions(options: Partial<ReconnectOptions> | undefined): ReconnectOptions {
  if (options === undefined) return DEFAULT_RECONNECT as ReconnectOptions;
  if (typeof options !== 'object' || options === null) throw new TypeError('enlivenReconnecting: options must be an object');
  const known = new Set([...Object.keys(DEFAULT_RECONNECT), 'onStateChange']);
  for (const k of Object.keys(options)) if (!known.has(k)) throw new TypeError(`enlivenReconnecting: unknown option "${k}"`);
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)); // an explicit undefined means the default
  const o = { ...DEFAULT_RECONNECT, ...given } as ReconnectOptions;
  intOption(o.initialDelayMs, 'initialDelayMs', 1);
  intOption(o.maxDelayMs, 'maxDelayMs', o.initialDelayMs);
  intOption(o.maxAttempts, 'maxAttempts', 1, Number.MAX_SAFE_INTEGER, true);
  intOption(o.attemptTimeoutMs, 'attemptTimeoutMs', 1);
  intOption(o.maxQueued, 'maxQueued', 1, Number.MAX_SAFE_INTEGER);
  intOption(o.waitTimeoutMs, 'waitTimeoutMs', 1);
  if (o.whileDown !== 'wait' && o.whileDown !== 'fail') throw new TypeError(`enlivenReconnecting: whileDown must be 'wait' or 'fail', got ${String(o.whileDown)}`);
  if (o.onStateChange !== undefined && typeof o.onStateChange !== 'function') throw new TypeError('enlivenReconnecting: onStateChange must be a function');
  return Object.freeze(o);
}

/** What a reconnecting reference needs from the node. */
export interface ReconnectHost {
  /** Enliven `ref` (connect, reusing a session, and fetch). */
  enliven(ref: SturdyRef): Promise<unknown>;
  /** Why the node takes no new work (closing or closed), or `undefined`. */
  closing(): string | undefined;
}

/** The session a remote reference lives on, as far as reconnecting needs it. */
interface SessionLike {
  readonly isActive: boolean;
  readonly closed: Promise<unknown>;
}

function sessionOf(ref: unknown): SessionLike | undefined {
  const info = (typeof ref === 'object' || typeof ref === 'function') && ref !== null ? refInfo.get(ref) : undefined;
  const s = info?.session as Partial<SessionLike> | undefined;
  return s && typeof s.isActive === 'boolean' && s.closed instanceof Promise ? (s as SessionLike) : undefined;
}

/**
 * `value`, with its rejection marked as handled: the caller's promise (made by
 * HandledPromise around our handler) follows it and reports the rejection to the user.
 */
function quiet<V>(value: V): V {
  if (value instanceof Promise) value.catch(() => {});
  return value;
}

/** One eventual operation, replayed on the live reference. */
type Op = (target: unknown) => unknown;

interface Waiter {
  readonly op: Op;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
}

/** Reconnecting references → their state (for `whenBroken`). */
const reconnecting = new WeakMap<object, Reconnector>();

/** Resolves with the final error once a reconnecting reference gave up; `undefined` for any other object. */
export function whenReconnectingBroken(ref: object): Promise<ReconnectError> | undefined {
  return reconnecting.get(ref)?.broken;
}

/** The current state of a reconnecting reference; `undefined` for any other object. */
export function reconnectState(ref: object): ReconnectState | undefined {
  return reconnecting.get(ref)?.state;
}

class Reconnector {
  state: ReconnectState = 'down';
  #current: unknown;
  #session: SessionLike | undefined;
  #attempts = 0;
  #lastError: unknown;
  #final: ReconnectError | undefined;
  #queue: Waiter[] = [];
  #running = false;
  #resolveBroken!: (e: ReconnectError) => void;
  readonly broken = new Promise<ReconnectError>((resolve) => (this.#resolveBroken = resolve));

  constructor(
    private readonly host: ReconnectHost,
    private readonly sturdy: SturdyRef,
    private readonly options: ReconnectOptions,
  ) {}

  #set(state: ReconnectState, error?: unknown): void {
    this.state = state;
    try {
      this.options.onStateChange?.({ state, attempts: this.#attempts, error });
    } catch {
      // the listener's bug must not disturb the reference
    }
  }

  /** Whether calls can go to the current reference now. */
  #live(): boolean {
    if (this.state !== 'connected') return false;
    if (this.#session === undefined || this.#session.isActive) return true;
    this.#down(undefined);
    return false;
  }

  /** The session of the current reference ended. */
  sessionEnded(session: SessionLike, error: unknown): void {
    if (this.#session === session) this.#down(error);
  }

  #down(error: unknown): void {
    if (this.state !== 'connected') return;
    this.#current = undefined;
    this.#session = undefined;
    this.#set('down', error);
  }

  /**
   * Run `op` on the live reference (its result returned as is, so pipelining works), or as
   * `whileDown` says.
   */
  call(op: Op): unknown {
    if (this.#final) return Promise.reject(this.#final);
    if (this.#live()) return quiet(op(this.#current));
    const closing = this.host.closing();
    if (closing !== undefined) {
      this.#giveUp(new ReconnectError('closing', `node is closing: ${closing}`));
      return Promise.reject(this.#final);
    }
    this.#start();
    if (this.options.whileDown === 'fail') {
      return Promise.reject(new ReconnectError('down', `${this.#name()} is ${this.state === 'broken' ? 'broken' : 'reconnecting'}: no live reference now (whileDown 'fail')`, this.#lastError));
    }
    if (this.#queue.length >= this.options.maxQueued) {
      return Promise.reject(new ReconnectError('queue-full', `${this.#name()} is reconnecting and ${this.#queue.length} calls already wait (maxQueued ${this.options.maxQueued})`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        op,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.#queue.indexOf(waiter);
          if (i < 0) return;
          this.#queue.splice(i, 1);
          reject(new ReconnectError('wait-timeout', `${this.#name()} did not reconnect within waitTimeoutMs ${this.options.waitTimeoutMs}`, this.#lastError));
        }, this.options.waitTimeoutMs),
      };
      this.#queue.push(waiter);
    });
  }

  #name(): string {
    return `a reconnecting reference to ${this.sturdy.peer.designator}.${this.sturdy.peer.transport}`;
  }

  /** Start re-enlivening unless it is under way. */
  #start(): void {
    if (this.#running || this.#final) return;
    this.#running = true;
    if (this.state !== 'reconnecting') this.#set('reconnecting');
    void this.#loop();
  }

  async #loop(): Promise<void> {
    for (;;) {
      if (this.#final) return;
      const closing = this.host.closing();
      if (closing !== undefined) return this.#giveUp(new ReconnectError('closing', `node is closing: ${closing}`));
      this.#attempts++;
      try {
        const ref = await this.#attempt();
        if (this.#final) return;
        this.#running = false;
        this.#connected(ref);
        return;
      } catch (e) {
        this.#lastError = e;
      }
      if (this.#attempts >= this.options.maxAttempts) {
        const why = this.#lastError instanceof Error ? this.#lastError.message : String(this.#lastError);
        return this.#giveUp(new ReconnectError('gave-up', `${this.#name()} gave up after ${this.#attempts} attempts; last error: ${why}`, this.#lastError));
      }
      this.#set('reconnecting', this.#lastError);
      await new Promise((r) => setTimeout(r, this.#delay()));
    }
  }

  /** Exponential backoff with jitter: the nth delay is between half and all of `initialDelayMs·2^(n-1)`, capped at `maxDelayMs`. */
  #delay(): number {
    const { initialDelayMs, maxDelayMs } = this.options;
    const full = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.#attempts - 1, 30));
    return Math.round(full / 2 + (Math.random() * full) / 2);
  }

  #attempt(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`attempt took longer than attemptTimeoutMs ${this.options.attemptTimeoutMs}`)), this.options.attemptTimeoutMs);
      this.host.enliven(this.sturdy).then(
        (ref) => {
          clearTimeout(timer);
          resolve(ref);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  #connected(ref: unknown): void {
    const session = sessionOf(ref);
    this.#current = ref;
    this.#session = session;
    this.#attempts = 0;
    this.#lastError = undefined;
    this.#set('connected');
    // Weakly: a reconnecting reference its user dropped must not be kept (with the import it
    // holds) for as long as the session lives.
    const weak = new WeakRef(this);
    void session?.closed.then((error) => weak.deref()?.sessionEnded(session, error));
    for (const w of this.#queue.splice(0)) {
      clearTimeout(w.timer);
      try {
        w.resolve(w.op(ref));
      } catch (e) {
        w.reject(e);
      }
    }
  }

  #giveUp(error: ReconnectError): void {
    if (this.#final) return;
    this.#running = false;
    this.#final = error;
    this.#current = undefined;
    this.#session = undefined;
    this.#set('broken', error);
    for (const w of this.#queue.splice(0)) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.#resolveBroken(error);
  }

  /** The first enlivening (the reference is returned once it succeeds). */
  first(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ op: () => undefined, resolve: () => resolve(), reject, timer: undefined });
      this.#start();
    });
  }
}

/**
 * Make a reconnecting reference to `sturdy` (see this module's comment): resolves once the
 * first enlivening succeeded, rejects with a {@link ReconnectError} if it gave up.
 */
export async function makeReconnecting<T>(host: ReconnectHost, sturdy: SturdyRef, options: ReconnectOptions): Promise<T> {
  const r = new Reconnector(host, sturdy, options);
  const handler = {
    applyMethod: (_p: unknown, prop: PropertyKey | undefined, args: unknown[]) => r.call((t) => HandledPromise.applyMethod(t, prop, args)),
    applyFunction: (_p: unknown, args: unknown[]) => r.call((t) => HandledPromise.applyFunction(t, args)),
    get: (_p: unknown, prop: PropertyKey) => r.call((t) => HandledPromise.get(t, prop)),
    applyMethodSendOnly: (_p: unknown, prop: PropertyKey | undefined, args: unknown[]) => {
      void Promise.resolve(r.call((t) => HandledPromise.applyMethodSendOnly(t, prop, args))).catch(() => {});
    },
    applyFunctionSendOnly: (_p: unknown, args: unknown[]) => {
      void Promise.resolve(r.call((t) => HandledPromise.applyFunctionSendOnly(t, args))).catch(() => {});
    },
  };
  let presence: object | undefined;
  // eslint-disable-next-line no-new
  new HandledPromise((_res: unknown, _rej: unknown, resolveWithPresence: (h: unknown) => object) => {
    presence = resolveWithPresence(handler);
  });
  reconnecting.set(presence!, r);
  await r.first();
  return presence as T;
}
