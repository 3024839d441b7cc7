/**
 * Types of remote references and of the values that cross to a peer (docs/value-model.md).
 *
 * A {@link Remote} is opaque: it has no methods of its own, so calling one without `E()`
 * is a compile error. `E(ref)` offers the remote object's methods, each returning a promise
 * for its {@link CallResult}: the value model applied to the method's declared result (data
 * stays data, an object with a method becomes a `Remote`, promises flatten, errors reject).
 * Type-only: nothing here exists at run time.
 * @module
 */
import type { RemotableBrand } from '@endo/eventual-send';
import type { SyrupSymbol } from '../syrup/types.js';
import type { OcapnPeer, OcapnSturdyRef, SigEnvelope } from '../model/codec.js';
import type { RemoteError, Tagged } from '../model/passable.js';

declare const REMOTE: unique symbol;

/**
 * A reference to an object of type `T` on another node (an imported Target or a promise for
 * one): use it only through `E(ref).method(...)` or `E.sendOnly(ref).method(...)`. It has no
 * properties of its own to read; `T` only says which methods `E()` offers.
 */
export interface Remote<T> {
  /** Type-only brand: no such property exists at run time. */
  readonly [REMOTE]: () => T;
}

/** Endo's brand on objects made with `Far`: `P` is the type of their methods. */
type FarBrand<P> = RemotableBrand<unknown, P>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** True when `T` is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** OCapN atoms that cross unchanged (Undefined, Null, Boolean, Float64, Integer, String). */
type Atom = undefined | null | boolean | number | bigint | string | void;

/** Values the model carries as data objects of their own (they have methods, yet pass by copy). */
type DataClass = SyrupSymbol | Tagged | OcapnSturdyRef | OcapnPeer | SigEnvelope;

/**
 * True when `T` is one of the {@link DataClass} types itself, not merely assignable to one: a
 * function or `{ name: string; greet(): void }` is assignable to `SyrupSymbol` (its only
 * property is `name`), yet crosses as a Target.
 */
type IsDataClass<T> = true extends (DataClass extends infer D ? (D extends unknown ? ([T] extends [D] ? ([D] extends [T] ? true : false) : false) : never) : never)
  ? true
  : false;

/**
 * True when `T` looks like an Error: assignable to `Error` and with its `stack` key (a record
 * type `{ name: string; message: string }` is assignable to `Error` but is a Struct).
 */
type IsError<T> = T extends Error ? ('stack' extends keyof T ? true : false) : false;

/** Objects the model refuses (TypeError at the sender): never Targets by accident. */
type Refused =
  | symbol
  | ReadonlyMap<unknown, unknown>
  | ReadonlySet<unknown>
  | WeakMap<object, unknown>
  | WeakSet<object>
  | Date
  | RegExp
  | ArrayBufferLike
  | DataView
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** The keys of `T` whose values are functions (methods). */
type MethodKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends AnyFunction ? K : never }[keyof T];

/** True when an object type has a method, i.e. it crosses as a Target, not as a Struct. */
type HasMethod<T> = [MethodKeys<T>] extends [never] ? false : true;

/**
 * How the value model passes a value of type `T` (docs/value-model.md), decided in this order:
 * atoms; references we hold already; what the model refuses; byte arrays; the model's own
 * data classes; errors; promises; `Far` objects; functions; lists; objects with a method
 * (Targets); other objects (Structs).
 */
type Kind<T> = T extends Atom
  ? 'atom'
  : T extends Remote<unknown>
    ? 'remote'
    : T extends Refused
      ? 'refused'
      : T extends Uint8Array
        ? 'bytes'
        : IsDataClass<T> extends true
          ? 'data-class'
          : IsError<T> extends true
            ? 'error'
            : T extends PromiseLike<unknown>
              ? 'promise'
              : T extends FarBrand<unknown>
                ? 'far'
                : T extends AnyFunction
                  ? 'function'
                  : T extends readonly unknown[]
                    ? 'list'
                    : T extends object
                      ? HasMethod<T> extends true
                        ? 'target'
                        : 'struct'
                      : 'refused';

/** The methods of a `Far` object. */
type FarMethods<T> = T extends FarBrand<infer P> ? P : never;

/** The value a promise for `T` settles with. */
type Settled<T> = T extends PromiseLike<infer U> ? U : never;

/** One row per {@link Kind}: what a value of that kind arrives as. */
type Arrives<T> = {
  atom: T;
  remote: T;
  'data-class': T;
  refused: never;
  bytes: Uint8Array;
  error: RemoteError;
  promise: Promise<RemoteValue<Settled<T>>>;
  far: Remote<FarMethods<T>>;
  function: Remote<T>;
  target: Remote<T>;
  list: { [K in keyof T]: RemoteValue<T[K]> };
  struct: { [K in keyof T as K extends symbol ? never : K]: RemoteValue<T[K]> };
};

/**
 * What a value of type `T` becomes on the other side when passed inside an argument or a
 * result: atoms, byte arrays, Selectors, Tagged values, sturdyrefs and peers stay as they are;
 * lists and Structs are mapped element by element; an object with any method, a function, or
 * a `Far` object becomes a {@link Remote}; a promise stays a promise for the passed value; an
 * Error arrives as a {@link RemoteError}; what the model refuses (JS symbols, `Map`, `Date`,
 * typed arrays other than `Uint8Array`…) is `never`.
 *
 * Class instances without methods are typed as Structs, though they cross as Targets: the
 * type system cannot tell a class instance from a record.
 */
export type RemoteValue<T> =
  IsAny<T> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : unknown extends T
      ? unknown
      : T extends unknown
        ? Arrives<T>[Kind<T>]
        : never;

/**
 * The value a remote call's promise fulfills with, for a method declared to return `R`:
 * promises flatten, a thrown or returned Error rejects (so it adds nothing), anything else is
 * {@link RemoteValue}.
 */
export type CallResult<R> =
  IsAny<R> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : RemoteValue<DropErrors<Awaited<R>>>;

/** `T` without its Error members (a returned or thrown Error rejects the call). */
type DropErrors<T> = T extends unknown ? (IsError<T> extends true ? never : T) : never;

/** The object type that `E(x)` talks to: `T` for a `Remote<T>`, a `Far` object or a local one. */
export type TargetOf<X> =
  IsAny<X> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : Awaited<X> extends infer A
      ? A extends Remote<infer T>
        ? T
        : A extends FarBrand<infer P>
          ? P
          : A
      : never;

/** Per {@link Kind}, what a caller may pass where the receiver declares that kind. */
type Accepts<P> = {
  atom: P;
  remote: P | RemoteTarget<P> | PromiseLike<P>;
  'data-class': P;
  refused: P;
  bytes: P;
  error: P;
  promise: PromiseLike<Sendable<Settled<P>>>;
  far: P | Remote<FarMethods<P>> | PromiseLike<Remote<FarMethods<P>>>;
  function: P | Remote<P> | PromiseLike<Remote<P>>;
  target: P | Remote<P> | PromiseLike<Remote<P>>;
  list: { [K in keyof P]: Sendable<P[K]> };
  struct: { [K in keyof P]: Sendable<P[K]> };
};

/** The `T` of a `Remote<T>`. */
type RemoteTarget<P> = P extends Remote<infer T> ? T : never;

/**
 * What a caller may pass where the receiver declares a parameter of type `P`: `P` itself, and
 * where `P` is an object with methods or a function (the receiver gets a reference), also a
 * `Remote` to one or a promise for it. {@link CheckPassable} then refuses what the model refuses.
 */
export type Sendable<P> =
  IsAny<P> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : unknown extends P
      ? unknown
      : P extends unknown
        ? Accepts<P>[Kind<P>]
        : never;

/** A marker type in error messages for an argument the value model refuses. */
export interface NotPassable<Why extends string> {
  readonly 'not passable': Why;
}

/** Per {@link Kind} of an actual argument: itself when passable (deeply), else why not. */
type Checked<X> = {
  atom: X;
  remote: X;
  'data-class': X;
  refused: X extends symbol
    ? NotPassable<'a JS symbol: use selector(name) for an OCapN Symbol'>
    : NotPassable<'Map, Set, Date, RegExp, ArrayBuffer, DataView and typed arrays other than Uint8Array are refused'>;
  bytes: X;
  error: X;
  promise: X;
  far: X;
  function: X;
  target: X;
  list: { [K in keyof X]: CheckPassable<X[K]> };
  struct: { [K in keyof X]: CheckPassable<X[K]> };
};

/** `X` unchanged when it is passable (deeply), else a {@link NotPassable} explaining why. */
export type CheckPassable<X> =
  IsAny<X> extends true ? X : unknown extends X ? X : X extends unknown ? Checked<X>[Kind<X>] : never;

/** Turns a union into an intersection (used to rebuild overloads). */
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** The signatures of a (possibly overloaded, up to four) function, as a union of [params, result]. */
type Signatures<F> = F extends {
  (...args: infer A1): infer R1;
  (...args: infer A2): infer R2;
  (...args: infer A3): infer R3;
  (...args: infer A4): infer R4;
}
  ? [A1, R1] | [A2, R2] | [A3, R3] | [A4, R4]
  : F extends (...args: infer A) => infer R
    ? [A, R]
    : never;

/** One signature called remotely: arguments as {@link Sendable}, checked, result a promise. */
type RemoteSignature<A extends unknown[], R, Out> = <Args extends { [K in keyof A]: Sendable<A[K]> }>(
  ...args: Args & { [K in keyof Args]: CheckPassable<Args[K]> }
) => Out extends 'void' ? void : Promise<CallResult<R>>;

/** A function called remotely (overloads kept, up to four; type parameters erased to their constraints). */
export type RemoteCallable<F, Out = 'promise'> = UnionToIntersection<
  Signatures<F> extends infer S ? (S extends [infer A extends unknown[], infer R] ? RemoteSignature<A, R, Out> : never) : never
>;

/** The methods of `T` called remotely, as offered by `E(ref)` (`Out` 'void' for `E.sendOnly`). */
export type RemoteMethods<T, Out = 'promise'> =
  IsAny<T> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : { readonly [K in MethodKeys<T>]: RemoteCallable<NonNullable<T[K]>, Out> } & (T extends AnyFunction
        ? RemoteCallable<T, Out>
        : unknown);

/** The data properties of `T` read remotely, as offered by `E.get(ref)`. */
export type RemoteGetters<T> =
  IsAny<T> extends true
    ? any // eslint-disable-line @typescript-eslint/no-explicit-any
    : { readonly [K in Exclude<keyof T, MethodKeys<T> | symbol>]: Promise<CallResult<T[K]>> };

/**
 * The type of `E`: eventual send to a remote reference, a promise for one, or a local object.
 * `E(x).m(...args)` queues a call and returns a promise for its {@link CallResult};
 * `E.sendOnly(x).m(...args)` sends without asking for an answer; `E.get(x).p` reads a data
 * property; `E.when(x, onFulfilled?, onRejected?)` waits in a later turn.
 */
export interface ETypes {
  <X>(x: X): RemoteMethods<TargetOf<X>>;
  readonly sendOnly: <X>(x: X) => RemoteMethods<TargetOf<X>, 'void'>;
  readonly get: <X>(x: X) => RemoteGetters<TargetOf<X>>;
  readonly resolve: <X>(x: X) => Promise<Awaited<X>>;
  readonly when: <X, U = Awaited<X>>(
    x: X,
    onFulfilled?: (value: Awaited<X>) => U | PromiseLike<U>,
    onRejected?: (reason: unknown) => U | PromiseLike<U>,
  ) => Promise<U>;
}
