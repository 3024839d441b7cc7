/**
 * OCapN locators (Locators.md; notes §3): the peer and sturdyref data types, their Syrup
 * records, their `ocapn://` URIs, and peer identity (transport + designator).
 * @module
 */

import { LocatorError, checkDesignator, checkTransport } from './errors.js';
import type { PeerLocator } from './types.js';

export type { Hints, PeerLocator, SturdyRef } from './types.js';
export { LocatorError };
export { OcapnPeer, OcapnSturdyRef } from './values.js';
export { peerLocatorToSyrup, peerLocatorFromSyrup, sturdyRefToSyrup, sturdyRefFromSyrup } from './codec.js';
export {
  type SwissEncoding,
  type ParseUriOptions,
  type FormatUriOptions,
  DEFAULT_MAX_URI_LENGTH,
  parseOcapnUri,
  parsePeerUri,
  parseSturdyRefUri,
  formatPeerUri,
  formatSturdyRefUri,
} from './uri.js';

/**
 * Whether two locators name the same peer: equal transport and equal designator. Hints are
 * ignored (Locators.md).
 * @throws LocatorError if either argument lacks a valid transport or designator (hints are
 *   not looked at).
 */
export function sameLocator(a: PeerLocator, b: PeerLocator): boolean {
  checkIdentity(a, 'sameLocator');
  checkIdentity(b, 'sameLocator');
  return a.transport === b.transport && a.designator === b.designator;
}

/**
 * A stable string key for maps of peers (e.g. the active-session table, notes §5.3):
 * `<designator>.<transport>`, unencoded. It depends only on transport and designator, and
 * because a transport never contains `.`, different peers always get different keys.
 * Treat it as opaque; it is not a URI.
 * @throws LocatorError if `loc` lacks a valid transport (non-empty, no `.`) or designator
 *   (non-empty string); hints are not looked at.
 */
export function locatorKey(loc: PeerLocator): string {
  checkIdentity(loc, 'locatorKey');
  return `${loc.designator}.${loc.transport}`;
}

function checkIdentity(loc: unknown, where: string): void {
  if (typeof loc !== 'object' || loc === null) {
    throw new LocatorError(`${where}: expected a PeerLocator object, got ${loc === null ? 'null' : typeof loc}`);
  }
  const l = loc as Record<string, unknown>;
  checkTransport(l.transport, where);
  checkDesignator(l.designator, where);
}
