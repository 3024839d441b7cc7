/**
 * One notion of "a reference" (style.md): remote presences (imported Targets), remote
 * promises (imported Promises) and answer promises (our pipelined questions) are all
 * HandledPromise-based objects registered in {@link refInfo}, so encoding, pipelining and GC
 * are written once.
 * @module
 */
import type { TargetDesc } from './ops.js';
import { SyrupSymbol } from '../syrup/types.js';
import { HandledPromise } from './eventual-send.js';
import { checkCallOptions, type CallOptions } from './call-options.js';
import { printable, shortDesignator } from './trace-format.js';

/** What a reference object stands for. */
export interface RefInfo {
  /** The session whose peer hosts the referent. */
  readonly session: RefOwner;
  readonly kind: 'import-object' | 'import-promise' | 'answer';
  readonly pos: number;
  /** For answers and imported promises: set once the result is known. */
  settled?: boolean;
}

/** The part of a session that references need. */
export interface RefOwner {
  /** The peer, once known (for {@link describeRef}). */
  readonly peerLocation?: { readonly designator: string; readonly transport: string } | undefined;
  question(target: TargetDesc, args: unknown[], options?: CallOptions): Promise<unknown>;
  sendOnly(target: TargetDesc, args: unknown[]): void;
  getField(target: TargetDesc, field: string, options?: CallOptions): Promise<unknown>;
}

/** Every live reference object → what it stands for (shared by all sessions of the process). */
export const refInfo = new WeakMap<object, RefInfo>();

/** The target descriptor to use when messaging through `info`. */
export function targetOf(info: RefInfo): TargetDesc {
  return { kind: info.kind === 'answer' ? 'answer' : 'export', pos: info.pos };
}

function methodArgs(prop: PropertyKey | undefined, args: unknown[]): unknown[] {
  if (prop === undefined || prop === null) return args;
  if (typeof prop !== 'string') throw new TypeError(`method names must be strings, got ${String(prop)}`);
  return [new SyrupSymbol(prop), ...args];
}

/** A HandledPromise handler that sends every eventual operation to `target` on `owner`. */
export function makeHandler(owner: RefOwner, target: () => TargetDesc, options?: CallOptions) {
  return {
    applyMethod: (_p: unknown, prop: PropertyKey | undefined, args: unknown[]) => owner.question(target(), methodArgs(prop, args), options),
    applyFunction: (_p: unknown, args: unknown[]) => owner.question(target(), args, options),
    get: (_p: unknown, prop: PropertyKey) => {
      if (typeof prop !== 'string') throw new TypeError(`field names must be strings, got ${String(prop)}`);
      return owner.getField(target(), prop, options);
    },
    applyMethodSendOnly: (_p: unknown, prop: PropertyKey | undefined, args: unknown[]) => owner.sendOnly(target(), methodArgs(prop, args)),
    applyFunctionSendOnly: (_p: unknown, args: unknown[]) => owner.sendOnly(target(), args),
  };
}

/**
 * The handler of {@link makeHandler} for a reference whose target is `info` itself, as one
 * object whose methods live on a shared prototype: no closures per reference (one is made
 * per call, for the answer's promise). State is in private fields, which `harden` does not
 * walk into; HandledPromise calls the methods with the handler as `this`.
 */
class RefHandler {
  readonly #owner: RefOwner;
  readonly #info: RefInfo;
  constructor(owner: RefOwner, info: RefInfo) {
    this.#owner = owner;
    this.#info = info;
  }
  applyMethod(_p: unknown, prop: PropertyKey | undefined, args: unknown[]): unknown {
    return this.#owner.question(targetOf(this.#info), methodArgs(prop, args), undefined);
  }
  applyFunction(_p: unknown, args: unknown[]): unknown {
    return this.#owner.question(targetOf(this.#info), args, undefined);
  }
  get(_p: unknown, prop: PropertyKey): unknown {
    if (typeof prop !== 'string') throw new TypeError(`field names must be strings, got ${String(prop)}`);
    return this.#owner.getField(targetOf(this.#info), prop, undefined);
  }
  applyMethodSendOnly(_p: unknown, prop: PropertyKey | undefined, args: unknown[]): void {
    this.#owner.sendOnly(targetOf(this.#info), methodArgs(prop, args));
  }
  applyFunctionSendOnly(_p: unknown, args: unknown[]): void {
    this.#owner.sendOnly(targetOf(this.#info), args);
  }
}

/** A remote presence for the peer's export at `pos` (an imported Target). */
export function makePresence(owner: RefOwner, pos: number): object {
  let presence: object | undefined;
  const info: RefInfo = { session: owner, kind: 'import-object', pos };
  // eslint-disable-next-line no-new
  new HandledPromise((_res: unknown, _rej: unknown, resolveWithPresence: (h: unknown) => object) => {
    presence = resolveWithPresence(new RefHandler(owner, info));
  });
  refInfo.set(presence!, info);
  Object.setPrototypeOf(presence!, REMOTE_REF_PROTO);
  return presence!;
}

/** Settlement functions of a promise made by {@link makeRemotePromise}. */
export interface Settler {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

/**
 * A promise hosted by the peer: an answer we asked for, or a promise it exported. Messages sent
 * to it before it settles are pipelined to `kind`/`pos`.
 */
export function makeRemotePromise(owner: RefOwner, kind: RefInfo['kind'], pos: number): { promise: Promise<unknown>; settler: Settler; info: RefInfo } {
  const info: RefInfo = { session: owner, kind, pos };
  let settler!: Settler;
  // Constructed with a new.target whose prototype adds the debug members below (a HandledPromise
  // instance is frozen, so they cannot be added afterwards).
  const promise: Promise<unknown> = Reflect.construct(HandledPromise, [
    (resolve: (v: unknown) => void, reject: (e: unknown) => void) => {
      settler = new RefSettler(info, resolve, reject);
    },
    new RefHandler(owner, info),
  ], RemotePromise) as Promise<unknown>;
  promise.catch(ignore); // rejections are the caller's to observe; never unhandled
  refInfo.set(promise, info);
  return { promise, settler, info };
}

const ignore = (): void => {};

/** Settles a remote promise and marks its {@link RefInfo} settled (one object, no closures). */
class RefSettler implements Settler {
  readonly #info: RefInfo;
  readonly #resolve: (v: unknown) => void;
  readonly #reject: (e: unknown) => void;
  constructor(info: RefInfo, resolve: (v: unknown) => void, reject: (e: unknown) => void) {
    this.#info = info;
    this.#resolve = resolve;
    this.#reject = reject;
  }
  resolve(value: unknown): void {
    this.#info.settled = true;
    this.#resolve(value);
  }
  reject(reason: unknown): void {
    this.#info.settled = true;
    this.#reject(reason);
  }
}

/**
 * The same remote reference, with options for every call made through it: a deadline
 * (`timeoutMs`) and/or an AbortSignal (see {@link CallOptions}). Use it with `E()`:
 *
 * ```ts
 * await E(withCallOptions(counter, { timeoutMs: 5_000 })).increment(1n);
 * ```
 *
 * The result passes as the same reference if sent to the peer, and keeps `ref` alive.
 * @throws TypeError if `ref` is not a remote reference (a presence or a remote promise);
 *   TypeError / RangeError for bad options.
 */
export function withCallOptions<T>(ref: T, options: CallOptions): T {
  const info = typeof ref === 'object' || typeof ref === 'function' ? refInfo.get(ref as object) : undefined;
  if (!info) throw new TypeError('withCallOptions needs a remote reference (a presence or a promise from a peer)');
  const checked = checkCallOptions(options, 'withCallOptions');
  let wrapper: object | undefined;
  const keep = ref; // the wrapper keeps the original alive (its import is released when both are gone)
  // eslint-disable-next-line no-new
  new HandledPromise((_res: unknown, _rej: unknown, resolveWithPresence: (h: unknown) => object) => {
    wrapper = resolveWithPresence(makeHandler(info.session, () => (void keep, targetOf(info)), checked));
  });
  refInfo.set(wrapper!, info);
  Object.setPrototypeOf(wrapper!, REMOTE_REF_PROTO);
  return wrapper as T;
}

/**
 * What a remote reference is, for people: `RemoteRef import-object 3 @ab12cd34 (websocket)`
 * or `RemotePromise answer 7 @ab12cd34 (tcp-testing-only)` (the peer's designator cut to 8
 * characters, control characters escaped; `@?` before it is known). `undefined` for anything that is not one.
 */
export function describeRef(ref: unknown): string | undefined {
  const info = (typeof ref === 'object' || typeof ref === 'function') && ref !== null ? refInfo.get(ref) : undefined;
  if (!info) return undefined;
  const loc = info.session.peerLocation;
  const where = loc ? `@${shortDesignator(loc.designator)} (${printable(loc.transport)})` : '@?';
  const settled = info.kind !== 'import-object' && info.settled ? ' settled' : '';
  return `${info.kind === 'import-object' ? 'RemoteRef' : 'RemotePromise'} ${info.kind} ${info.pos} ${where}${settled}`;
}

/**
 * The prototypes of remote references carry only what debugging needs, under symbols (no
 * string key, nothing enumerable, nothing an `E()` call reaches: those go to the handler):
 * Node's `util.inspect` hook (by its registered symbol, so no `node:util` import) and
 * `Symbol.toStringTag` (`Object.prototype.toString.call(ref)`). No `toString` method: a remote
 * reference has no local methods.
 */
function debugMembers(base: object | null, extra: PropertyDescriptorMap = {}): object {
  return Object.freeze(
    Object.create(base, {
      ...extra,
      [Symbol.for('nodejs.util.inspect.custom')]: {
        value: function inspect(this: unknown): string {
          return `[${describeRef(this) ?? 'RemoteRef'}]`;
        },
      },
      [Symbol.toStringTag]: {
        get(this: unknown): string {
          return describeRef(this) ?? 'RemoteRef';
        },
      },
    }),
  );
}

/** Prototype of presences (they were null-prototype objects). */
const REMOTE_REF_PROTO = debugMembers(null);

/**
 * Only a `new.target` for remote promises: its prototype is Promise.prototype plus
 * {@link debugMembers}, with `constructor` still `Promise`, so `then` and `await` treat a remote
 * promise exactly as before (no subclass species, no extra ticks).
 */
function RemotePromise(): void {}
RemotePromise.prototype = debugMembers(Promise.prototype, { constructor: { value: Promise } });
