/**
 * Locators as passable values (notes §2 last row, §3): a peer locator and a sturdyref that
 * the value codec writes as `<ocapn-peer …>` and `<ocapn-sturdyref <ocapn-peer …> swiss>`
 * (ocapn/ocapn PR #227) instead of as a Struct. {@link parseOcapnUri} returns these, so a
 * parsed URI can be passed as an argument to a peer's sturdyref enlivener as it is.
 * @module
 */

import { LocatorError, checkPeerLocator, makeHints } from './errors.js';
import type { Hints, PeerLocator, SturdyRef } from './types.js';

/**
 * A peer locator passed as a value: `<ocapn-peer transport designator hints>` on the wire.
 * Frozen; its hints object is a frozen copy.
 */
export class OcapnPeer implements PeerLocator {
  readonly transport: string;
  readonly designator: string;
  readonly hints: Hints;
  /**
   * @param transport - the netlayer's transport name (non-empty, no `.`).
   * @param designator - the peer's designator (non-empty).
   * @param hints - `false`, or an object of string values (copied).
   * @throws LocatorError (a TypeError) for a field of the wrong type or shape.
   */
  constructor(transport: string, designator: string, hints: Hints) {
    // Copy first and check the copy: a getter must not answer the check and the copy differently.
    const copy = typeof hints === 'object' && hints !== null && !Array.isArray(hints) ? makeHints(Object.entries(hints)) : hints;
    checkPeerLocator({ transport, designator, hints: copy }, 'OcapnPeer');
    this.transport = transport;
    this.designator = designator;
    this.hints = copy;
    Object.freeze(this);
  }

  /** `loc` itself if it already is an {@link OcapnPeer}, else a frozen copy as one. @throws LocatorError */
  static from(loc: PeerLocator): OcapnPeer {
    if (loc instanceof OcapnPeer) return loc;
    checkPeerLocator(loc, 'OcapnPeer.from');
    return new OcapnPeer(loc.transport, loc.designator, loc.hints);
  }
}

/**
 * A sturdyref passed as a value: `<ocapn-sturdyref <ocapn-peer …> swiss>` on the wire (the
 * swiss number as a ByteArray). Frozen; `peer` is an {@link OcapnPeer}, `swiss` a copy.
 *
 * The swiss number is the capability: whoever learns it can fetch the object. Passing a
 * sturdyref to a peer hands it that authority.
 */
export class OcapnSturdyRef implements SturdyRef {
  readonly peer: OcapnPeer;
  readonly swiss: Uint8Array;
  /**
   * @param peer - the peer locator (a plain {@link PeerLocator} is copied into an OcapnPeer).
   * @param swiss - the swiss number's bytes (copied).
   * @throws LocatorError (a TypeError) for a bad locator or a swiss number that is not a Uint8Array.
   */
  constructor(peer: PeerLocator, swiss: Uint8Array) {
    if (!(swiss instanceof Uint8Array)) {
      throw new LocatorError(`OcapnSturdyRef: swiss must be a Uint8Array, got ${swiss === null ? 'null' : typeof swiss}`);
    }
    this.peer = OcapnPeer.from(peer);
    this.swiss = new Uint8Array(swiss);
    Object.freeze(this);
  }

  /** `ref` itself if it already is an {@link OcapnSturdyRef}, else a copy as one. @throws LocatorError */
  static from(ref: SturdyRef): OcapnSturdyRef {
    if (ref instanceof OcapnSturdyRef) return ref;
    if (typeof ref !== 'object' || ref === null) throw new LocatorError('OcapnSturdyRef.from: expected a SturdyRef object');
    return new OcapnSturdyRef(ref.peer, ref.swiss);
  }
}
