/**
 * Syrup codecs for peer and sturdyref locators (Locators.md; notes §3.1, §3.2).
 *
 * ```
 * <ocapn-peer transport:Symbol designator:String hints:(Struct | false)>
 * <ocapn-sturdyref <ocapn-peer …> swiss-num:ByteArray>
 * ```
 * @module
 */

import { SyrupDict, SyrupRecord, SyrupSymbol, rec, sym, type SyrupValue } from '../syrup/types.js';
import { LocatorError, checkDesignator, checkPeerLocator, checkTransport, makeHints } from './errors.js';
import type { Hints, PeerLocator, SturdyRef } from './types.js';

/** Current label of a peer locator. */
const PEER_LABEL = 'ocapn-peer';
/** Label used before the 2024-10-01 rename (older Goblins and Endo). Accepted on input. */
const LEGACY_PEER_LABEL = 'ocapn-node';
/** Label of a sturdyref locator. */
const STURDYREF_LABEL = 'ocapn-sturdyref';

const utf8 = new TextEncoder();

/**
 * Builds `<ocapn-peer 'transport "designator" hints>`: the transport as a Symbol, the
 * designator as a String, the hints as a Syrup dictionary of String → String (entries in
 * any order; the encoder sorts them) or `false`.
 * @param loc - the peer locator.
 * @throws LocatorError if the transport is empty or contains `.`, the designator is empty,
 *   or a hint value is not a string.
 */
export function peerLocatorToSyrup(loc: PeerLocator): SyrupRecord {
  checkPeerLocator(loc, 'peerLocatorToSyrup');
  const hints: SyrupValue =
    loc.hints === false ? false : new SyrupDict(Object.entries(loc.hints).map(([k, v]) => [k, v] as const));
  return rec(PEER_LABEL, sym(loc.transport), loc.designator, hints);
}

/**
 * Reads a peer locator record (the inverse of {@link peerLocatorToSyrup}).
 *
 * Strict: the label must be the symbol `ocapn-peer` (or the legacy `ocapn-node`), with
 * exactly three fields: a Symbol transport without `.`, a non-empty String designator, and
 * hints that are `false` or a dictionary whose keys and values are all Strings. For the
 * legacy label only, the pre-2025 field order `designator transport hints` is also accepted
 * (the two field types tell the orders apart).
 * @param v - a decoded Syrup value.
 * @returns a frozen {@link PeerLocator}; its hints object is frozen too.
 * @throws LocatorError naming what is wrong.
 */
export function peerLocatorFromSyrup(v: SyrupValue): PeerLocator {
  const where = 'peer locator';
  if (!(v instanceof SyrupRecord)) {
    throw new LocatorError(`${where}: expected a <${PEER_LABEL} …> record, got ${kindOf(v)}`);
  }
  const label = v.labelName;
  if (label !== PEER_LABEL && label !== LEGACY_PEER_LABEL) {
    throw new LocatorError(
      `${where}: expected label '${PEER_LABEL} (or legacy '${LEGACY_PEER_LABEL}), got ${label === undefined ? 'a non-symbol label' : `'${label}`}`,
    );
  }
  if (v.fields.length !== 3) {
    throw new LocatorError(`${where}: <${label} …> must have exactly 3 fields, got ${v.fields.length}`);
  }
  let [transportField, designatorField] = v.fields;
  const hintsField = v.fields[2];
  if (label === LEGACY_PEER_LABEL && typeof transportField === 'string' && designatorField instanceof SyrupSymbol) {
    [transportField, designatorField] = [designatorField, transportField];
  }
  if (!(transportField instanceof SyrupSymbol)) {
    throw new LocatorError(`${where}: transport must be a Symbol, got ${kindOf(transportField)}`);
  }
  const transport = checkTransport(transportField.name, where);
  if (typeof designatorField !== 'string') {
    throw new LocatorError(`${where}: designator must be a String, got ${kindOf(designatorField)}`);
  }
  const designator = checkDesignator(designatorField, where);
  const hints = hintsFromSyrup(hintsField, where);
  return Object.freeze({ transport, designator, hints });
}

/**
 * Builds `<ocapn-sturdyref <ocapn-peer …> swiss>` with the swiss number as a ByteArray
 * (as the CapTP spec, Endo and the test suite do; notes §3.2).
 * @param ref - the sturdyref.
 * @throws LocatorError for a bad peer locator or a swiss number that is not a Uint8Array.
 */
export function sturdyRefToSyrup(ref: SturdyRef): SyrupRecord {
  if (typeof ref !== 'object' || ref === null) {
    throw new LocatorError(`sturdyRefToSyrup: expected a SturdyRef object, got ${ref === null ? 'null' : typeof ref}`);
  }
  if (!(ref.swiss instanceof Uint8Array)) {
    throw new LocatorError(`sturdyRefToSyrup: swiss must be a Uint8Array, got ${typeof ref.swiss}`);
  }
  return rec(STURDYREF_LABEL, peerLocatorToSyrup(ref.peer), ref.swiss.slice());
}

/**
 * Reads a sturdyref record (the inverse of {@link sturdyRefToSyrup}). The swiss number may
 * be a ByteArray (what everyone sends) or a String (what Locators.md says); a String is
 * converted to its UTF-8 bytes.
 * @param v - a decoded Syrup value.
 * @returns a frozen {@link SturdyRef} (the swiss bytes are a copy).
 * @throws LocatorError naming what is wrong.
 */
export function sturdyRefFromSyrup(v: SyrupValue): SturdyRef {
  const where = 'sturdyref';
  if (!(v instanceof SyrupRecord) || v.labelName !== STURDYREF_LABEL) {
    throw new LocatorError(`${where}: expected a <${STURDYREF_LABEL} …> record, got ${kindOf(v)}`);
  }
  if (v.fields.length !== 2) {
    throw new LocatorError(`${where}: <${STURDYREF_LABEL} …> must have exactly 2 fields, got ${v.fields.length}`);
  }
  const peer = peerLocatorFromSyrup(v.fields[0]);
  const swissField = v.fields[1];
  let swiss: Uint8Array;
  if (swissField instanceof Uint8Array) swiss = swissField.slice();
  else if (typeof swissField === 'string') swiss = utf8.encode(swissField);
  else throw new LocatorError(`${where}: swiss number must be a ByteArray or String, got ${kindOf(swissField)}`);
  return Object.freeze({ peer, swiss });
}

function hintsFromSyrup(v: SyrupValue, where: string): Hints {
  if (v === false) return false;
  if (!(v instanceof SyrupDict)) {
    throw new LocatorError(`${where}: hints must be a dictionary or false, got ${kindOf(v)}`);
  }
  const seen = new Set<string>();
  const entries: [string, string][] = [];
  for (const [key, value] of v.entries) {
    if (typeof key !== 'string') throw new LocatorError(`${where}: hint keys must be Strings, got ${kindOf(key)}`);
    if (typeof value !== 'string') {
      throw new LocatorError(`${where}: hint ${JSON.stringify(key)} must have a String value, got ${kindOf(value)}`);
    }
    if (seen.has(key)) throw new LocatorError(`${where}: duplicate hint key ${JSON.stringify(key)}`);
    seen.add(key);
    entries.push([key, value]);
  }
  return makeHints(entries);
}

/** A short description of a Syrup value's kind, for error messages. */
function kindOf(v: unknown): string {
  if (v instanceof SyrupRecord) return v.labelName === undefined ? 'a record with a non-symbol label' : `a <${v.labelName} …> record`;
  if (v instanceof SyrupSymbol) return `the Symbol '${v.name}`;
  if (v instanceof SyrupDict) return 'a dictionary';
  if (v instanceof Uint8Array) return 'a ByteArray';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'a String';
  if (typeof v === 'bigint') return 'an Integer';
  if (typeof v === 'number') return 'a Float64';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v === null ? 'null' : typeof v;
}
