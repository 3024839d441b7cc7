/**
 * Locator data shapes (OCapN Locators.md; notes §3). Plain data: no codec here.
 * @module
 */

/** Hints of a peer locator: string keys to string values (e.g. `{host, port}`), or `false`. */
export type Hints = Readonly<Record<string, string>> | false;

/** `<ocapn-peer transport designator hints>`. Two locators name one peer when transport and designator are equal. */
export interface PeerLocator {
  /** The netlayer's transport name, e.g. `tcp-testing-only`; never contains `.`. */
  readonly transport: string;
  /** The peer's designator within that transport (e.g. a key or a uuid hex). */
  readonly designator: string;
  /** Transport-specific connection hints, or `false`. Ignored for peer identity. */
  readonly hints: Hints;
}

/** `<ocapn-sturdyref peer swiss-num>`: a persistent reference to an object on `peer`. */
export interface SturdyRef {
  readonly peer: PeerLocator;
  /** The swiss number: opaque bytes (ByteArray on the wire). */
  readonly swiss: Uint8Array;
}
