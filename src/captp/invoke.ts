/**
 * Delivering a message to whatever a descriptor names: a local object (invoked), a remote
 * reference (forwarded), or a promise (delivered once it settles).
 * @module
 */
import { SyrupSymbol } from '../syrup/types.js';
import { Tagged, isStruct } from '../model/index.js';
import { refInfo, targetOf } from './refs.js';

const objectProtoNames = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Invoke a local target with OCapN args. A function is applied to all the args; an object
 * needs a Selector first, naming one of its methods (never one inherited from Object).
 */
export function invokeLocal(target: unknown, args: unknown[]): unknown {
  if (typeof target === 'function') return (target as (...a: unknown[]) => unknown)(...args);
  if (typeof target === 'object' && target !== null) {
    const [sel, ...rest] = args;
    if (!(sel instanceof SyrupSymbol)) throw new TypeError('target is not a function; a method call needs a Symbol as its first argument');
    const name = sel.name;
    const method = (target as Record<string, unknown>)[name];
    if (typeof method !== 'function' || (objectProtoNames.has(name) && !Object.hasOwn(target, name))) {
      throw new TypeError(`target has no method "${name}"`);
    }
    return (method as (...a: unknown[]) => unknown).apply(target, rest);
  }
  throw new TypeError(`cannot deliver a message to ${target === null ? 'null' : typeof target}`);
}

/** Deliver `args` to `target` once it settles; returns a promise for the result. */
export function deliverTo(target: unknown, args: unknown[]): Promise<unknown> {
  return Promise.resolve(target).then((t) => {
    const info = typeof t === 'object' && t !== null ? refInfo.get(t) : undefined;
    if (info) return info.session.question(targetOf(info), args);
    return invokeLocal(t, args);
  });
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
