/**
 * Errors and argument checks shared by the crypto module.
 * @module
 */

import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol } from '../syrup/types.js';

/**
 * Thrown when a Syrup value that should be an OCapN public key or signature
 * (notes §4) does not have exactly the expected shape.
 */
export class OcapnCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OcapnCryptoError';
  }
}

/**
 * Checks that `value` is a `Uint8Array` of exactly `length` bytes.
 * @throws TypeError when it is not a Uint8Array; RangeError when its length differs.
 * @internal
 */
export function requireBytes(value: unknown, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array, got ${describeValue(value)}`);
  }
  if (value.length !== length) {
    throw new RangeError(`${what} must be exactly ${length} bytes, got ${value.length}`);
  }
  return value;
}

/** A short description of a (Syrup or JS) value for error messages. @internal */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return `integer ${value}`;
  if (typeof value === 'number') return `float ${value}`;
  if (typeof value === 'string') return `string ${JSON.stringify(truncate(value))}`;
  if (value instanceof SyrupSymbol) return `symbol '${truncate(value.name)}`;
  if (value instanceof Uint8Array) return `bytestring of ${value.length} bytes`;
  if (Array.isArray(value)) return `list of ${value.length} items`;
  if (value instanceof SyrupRecord) {
    const name = value.labelName;
    return name === undefined ? 'record with a non-symbol label' : `record <${truncate(name)} …>`;
  }
  if (value instanceof SyrupDict) return 'dictionary';
  if (value instanceof SyrupSet) return 'set';
  return typeof value;
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
