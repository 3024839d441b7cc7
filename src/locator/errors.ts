/**
 * Locator errors and the shared validation of {@link PeerLocator} values.
 * @module
 */

import type { Hints, PeerLocator } from './types.js';

/**
 * Thrown for a malformed locator: a bad OCapN URI, a Syrup value that is not a valid
 * `ocapn-peer` / `ocapn-sturdyref` record, or a {@link PeerLocator} object with bad fields.
 * It extends TypeError, so callers that treat bad arguments as TypeErrors keep working.
 */
export class LocatorError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'LocatorError';
  }
}

/**
 * Checks a transport name: a non-empty string without `.` (Locators.md: "cannot contain .").
 * @throws LocatorError
 * @internal
 */
export function checkTransport(transport: unknown, where: string): string {
  if (typeof transport !== 'string') {
    throw new LocatorError(`${where}: transport must be a string, got ${typeof transport}`);
  }
  if (transport.length === 0) throw new LocatorError(`${where}: transport must not be empty`);
  if (transport.includes('.')) {
    throw new LocatorError(`${where}: transport ${JSON.stringify(transport)} must not contain "."`);
  }
  return transport;
}

/**
 * Checks a designator: a non-empty string.
 * @throws LocatorError
 * @internal
 */
export function checkDesignator(designator: unknown, where: string): string {
  if (typeof designator !== 'string') {
    throw new LocatorError(`${where}: designator must be a string, got ${typeof designator}`);
  }
  if (designator.length === 0) throw new LocatorError(`${where}: designator must not be empty`);
  return designator;
}

/**
 * Checks hints: `false`, or a plain object whose own enumerable values are all strings.
 * @throws LocatorError
 * @internal
 */
export function checkHints(hints: unknown, where: string): Hints {
  if (hints === false) return false;
  if (typeof hints !== 'object' || hints === null || Array.isArray(hints)) {
    throw new LocatorError(`${where}: hints must be false or an object of string values`);
  }
  for (const [key, value] of Object.entries(hints)) {
    if (typeof value !== 'string') {
      throw new LocatorError(`${where}: hint ${JSON.stringify(key)} must have a string value, got ${typeof value}`);
    }
  }
  return hints as Hints;
}

/**
 * Checks a whole {@link PeerLocator} supplied by an API user.
 * @throws LocatorError
 * @internal
 */
export function checkPeerLocator(loc: unknown, where: string): PeerLocator {
  if (typeof loc !== 'object' || loc === null) {
    throw new LocatorError(`${where}: expected a PeerLocator object, got ${loc === null ? 'null' : typeof loc}`);
  }
  const l = loc as Record<string, unknown>;
  checkTransport(l.transport, where);
  checkDesignator(l.designator, where);
  checkHints(l.hints, where);
  return loc as PeerLocator;
}

/** Builds a frozen hints object from entries; `__proto__` stays an ordinary own key. @internal */
export function makeHints(entries: Iterable<readonly [string, string]>): Readonly<Record<string, string>> {
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}
