/**
 * The OCapN value model in JS (OCapN Model.md; notes §2). See docs/value-model.md for the table.
 * @module
 */
import { SyrupSymbol } from '../syrup/types.js';

/** An OCapN Symbol. Method names travel as Selectors (`E(x).foo()` sends `['foo …]`). */
export { SyrupSymbol as Selector };

/** Make a Selector (an OCapN Symbol) from its name. */
export const selector = (name: string): SyrupSymbol => new SyrupSymbol(name);

/** An OCapN Tagged value: a String tag and exactly one payload value. */
export class Tagged {
  readonly tag: string;
  readonly payload: unknown;
  constructor(tag: string, payload: unknown) {
    if (typeof tag !== 'string') throw new TypeError(`Tagged tag must be a string, got ${typeof tag}`);
    this.tag = tag;
    this.payload = payload;
    Object.freeze(this);
  }
}

/**
 * Names that a peer's error fields may not set on a {@link RemoteError}. Besides these, a field
 * may not shadow anything the error already has or inherits (`toString`, `valueOf`…: with a
 * String there, `'failed: ' + e` would throw in the app's own catch block).
 */
const REMOTE_ERROR_RESERVED = new Set(['name', 'message', 'stack', 'label', 'cause', 'constructor', '__proto__', 'then']);

/**
 * An error received from a peer (docs/value-model.md "Errors"). `message` is whatever the peer
 * disclosed (possibly nothing: Goblins sends `<exn:fail:mystery>`); `name` the peer's error
 * name (`'TypeError'`…) when it said, else `'RemoteError'`; the peer's own data fields
 * (`code`…) are own enumerable properties. `label` is the wire form: the record's label
 * (`desc:error`, `exn:…`) or `'string'` for a String break reason. Its `stack` is local.
 */
export class RemoteError extends Error {
  readonly label: string;
  /**
   * @param message the peer's message.
   * @param label the wire form (see above); default `desc:error`.
   * @param details `name` (a String of up to 100 characters) and data `fields` to copy;
   *   `name`, `message`, `stack`, `label`, `cause`, `then` and any name the error has or
   *   inherits (`toString`…) among the fields are ignored.
   */
  constructor(message: string, label = 'desc:error', details: { name?: string | undefined; fields?: Record<string, unknown> } = {}) {
    super(message);
    const name = details.name;
    this.name = typeof name === 'string' && name.length > 0 && name.length <= 100 ? name : 'RemoteError';
    this.label = label;
    for (const [k, v] of Object.entries(details.fields ?? {})) {
      if (REMOTE_ERROR_RESERVED.has(k) || k in this) continue;
      Object.defineProperty(this, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
}

/**
 * The JS values that can be passed: atoms, containers, references and errors.
 * References are functions, remotables (plain objects whose properties include a function,
 * or objects made with `Far`), promises, and remote references.
 */
export type Passable =
  | undefined
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | SyrupSymbol
  | readonly Passable[]
  | { readonly [key: string]: Passable }
  | Tagged
  | Error
  | PromiseLike<unknown>
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  | Function
  | object;

const PASS_STYLE = Symbol.for('passStyle');

/** Built-in containers that must not be exported as Targets by accident (their methods would be callable). */
const BUILTIN_DATA_PROTOS = new Set<unknown>([
  Map.prototype,
  Set.prototype,
  WeakMap.prototype,
  WeakSet.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Object.getPrototypeOf(Int8Array.prototype),
]);

/** True for a value that crosses the wire as a Target (an object reference), not as data. */
export function isRemotable(v: unknown): v is object {
  if (typeof v === 'function') return true;
  if (typeof v !== 'object' || v === null) return false;
  const style = (v as Record<PropertyKey, unknown>)[PASS_STYLE];
  if (style === 'remotable') return true;
  if (Array.isArray(v) || v instanceof Uint8Array || v instanceof SyrupSymbol || v instanceof Tagged || v instanceof Error) {
    return false;
  }
  if (isPromise(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (BUILTIN_DATA_PROTOS.has(proto)) return false; // a Map or Date is neither data OCapN knows nor an object to expose
  if (proto !== Object.prototype && proto !== null) return true; // class instances are objects, not records
  for (const key of Object.keys(v)) {
    if (typeof (v as Record<string, unknown>)[key] === 'function') return true;
  }
  return false;
}

/** True for a native promise or thenable object (it crosses the wire as an OCapN Promise). */
export function isPromise(v: unknown): v is PromiseLike<unknown> {
  return v instanceof Promise || (typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function' && !((v as Record<PropertyKey, unknown>)[PASS_STYLE] === 'remotable'));
}

/** True for a plain data record (an OCapN Struct): a plain object with no function properties. */
export function isStruct(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  if ((v as Record<PropertyKey, unknown>)[PASS_STYLE] !== undefined) return false;
  for (const key of Object.keys(v)) {
    if (typeof (v as Record<string, unknown>)[key] === 'function') return false;
  }
  return !isPromise(v);
}
