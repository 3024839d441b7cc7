/**
 * Delivering a message to whatever a descriptor names: a local object (invoked), a remote
 * reference (forwarded), or a promise (delivered once it settles).
 * @module
 */
import { SyrupSymbol } from '../syrup/types.js';
import { Tagged, isRemotable, isStruct } from '../model/index.js';

/**
 * The method `name` of `target`: a data property holding a function, found on the object or
 * its prototype chain below Object.prototype. Getters never run; Object's own methods
 * (`constructor`, `toString`, `__proto__`…) are never reachable.
 */
function findMethod(target: object, name: string): ((...a: unknown[]) => unknown) | undefined {
  for (let o: object | null = target; o !== null && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d) return 'value' in d && typeof d.value === 'function' ? d.value : undefined;
  }
  return undefined;
}

/**
 * Invoke a local target with OCapN args. A function is applied to all the args; a remotable
 * object needs a Selector first, naming one of its methods. Data (arrays, bytes, Structs,
 * Maps…) is never invoked: messages are not sent to non-references (notes §8).
 */
export function invokeLocal(target: unknown, args: unknown[]): unknown {
  if (typeof target === 'function') return (target as (...a: unknown[]) => unknown)(...args);
  if (isRemotable(target)) {
    const [sel, ...rest] = args;
    if (!(sel instanceof SyrupSymbol)) throw new TypeError('target is not a function; a method call needs a Symbol as its first argument');
    const method = findMethod(target, sel.name);
    if (!method) throw new TypeError(`target has no method "${sel.name}"`);
    return method.apply(target, rest);
  }
  throw new TypeError(`messages cannot be sent to data (${target === null ? 'null' : Array.isArray(target) ? 'a List' : typeof target})`);
}

/** op:get / op:index / op:untag: take one part of a settled value; throws if it has no such part. */
export function selectPart(op: string, value: unknown, key: string | number): unknown {
  switch (op) {
    case 'op:get':
      if (!isStruct(value) || !Object.hasOwn(value, key)) throw new TypeError(`no field "${String(key)}" in a Struct`);
      return value[key as string];
    case 'op:index':
      if (!Array.isArray(value) || (key as number) >= value.length) throw new RangeError(`no element ${String(key)} in a List`);
      return value[key as number];
    case 'op:untag':
      if (!(value instanceof Tagged) || value.tag !== key) throw new TypeError(`not a Tagged value with tag "${String(key)}"`);
      return value.payload;
  }
  throw new TypeError(`unknown selection ${op}`);
}
