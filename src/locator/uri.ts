/**
 * OCapN URIs (notes §3.3):
 *
 * ```
 * ocapn://<designator>.<transport>[?k1=v1&k2=v2]            peer locator
 * ocapn://<designator>.<transport>/s/<swiss>[?k1=v1&...]    sturdyref
 * ```
 *
 * Decisions (the spec leaves them open):
 * - The host is split on its **last** `.`: designators may contain dots, transports may not.
 *   Designator and transport are percent-decoded after the split (a `%2E` in the transport
 *   is rejected).
 * - Hints are the query string, `&`-separated `key=value` pairs, percent-decoded per
 *   RFC 3986 (`+` is a literal plus, not a space). Every pair needs a non-empty key and an
 *   `=`; duplicate keys are rejected. No `?` at all means `hints = false`; an empty query
 *   (`…?`) means hints `{}`, and {@link formatPeerUri} writes `{}` that way.
 * - The swiss segment is percent-decoded to bytes, then, with `swissEncoding: 'base64url'`
 *   (the default; what Goblins writes), decoded as base64url **without padding**, canonical
 *   (unused trailing bits must be zero). With `swissEncoding: 'raw'` the percent-decoded
 *   bytes are the swiss number itself, which is how the official test suite writes its ASCII
 *   swiss numbers (e.g. `…/s/JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ`).
 * - The scheme is matched case-insensitively; fragments, user info, ports and characters
 *   outside RFC 3986's sets are rejected.
 * @module
 */

import { base64urlnopad } from '@scure/base';
import { LocatorError, checkPeerLocator, checkTransport, makeHints } from './errors.js';
import type { Hints, PeerLocator, SturdyRef } from './types.js';
import { OcapnPeer, OcapnSturdyRef } from './values.js';

/** How a sturdyref URI writes the swiss number: base64url without padding, or its raw bytes. */
export type SwissEncoding = 'base64url' | 'raw';

/** Options for {@link parseOcapnUri} and {@link parseSturdyRefUri}. */
export interface ParseUriOptions {
  /** How the `/s/<swiss>` segment is encoded. Default `'base64url'`. */
  readonly swissEncoding?: SwissEncoding | undefined;
  /** Longest URI accepted, in UTF-16 code units. Default {@link DEFAULT_MAX_URI_LENGTH}. */
  readonly maxLength?: number | undefined;
}

/** Options for {@link formatSturdyRefUri}. */
export interface FormatUriOptions {
  /** How to write the swiss number. Default `'base64url'`. */
  readonly swissEncoding?: SwissEncoding | undefined;
}

/** Default limit on the length of a URI given to the parsers (8 KiB). */
export const DEFAULT_MAX_URI_LENGTH = 8192;

const SCHEME = 'ocapn://';
/** RFC 3986 reg-name characters (unreserved, sub-delims) plus `%` for escapes. */
const HOST_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=%]*$/;
/** RFC 3986 pchar characters plus `%`. */
const SEGMENT_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$/;
/** RFC 3986 query characters (pchar, `/`, `?`) plus `%`. */
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
/** Bytes written as themselves in a raw swiss segment (pchar minus `%`). */
const RAW_SEGMENT_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
/** One character of the URL-safe base64 alphabet (RFC 4648 §5). */
const BASE64URL_CHAR = /^[A-Za-z0-9_-]$/;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses an OCapN URI into a peer locator or a sturdyref (see the module notes for the
 * exact rules). A result with a `swiss` property is a sturdyref.
 *
 * The results are passable values: passed as an argument to a peer, an {@link OcapnSturdyRef}
 * arrives as `<ocapn-sturdyref <ocapn-peer …> swiss>` and an {@link OcapnPeer} as
 * `<ocapn-peer …>` (notes §3), not as a Struct.
 * @param uri - e.g. `ocapn://a2ef….tcp-testing-only?host=127.0.0.1&port=22045`.
 * @param options - swiss encoding (default `'base64url'`) and length limit.
 * @returns a frozen {@link OcapnPeer} or {@link OcapnSturdyRef}; hints objects are frozen.
 * @throws LocatorError for any malformed URI (wrong scheme, no `.` in the host, empty
 *   designator or transport, bad percent escapes, bad base64url, unexpected path, …);
 *   TypeError/RangeError for bad options.
 */
export function parseOcapnUri(uri: string, options: ParseUriOptions = {}): OcapnPeer | OcapnSturdyRef {
  const swissEncoding = checkSwissEncoding(options.swissEncoding);
  const maxLength = options.maxLength ?? DEFAULT_MAX_URI_LENGTH;
  if (!Number.isSafeInteger(maxLength) || maxLength < SCHEME.length) {
    throw new RangeError(`maxLength must be an integer ≥ ${SCHEME.length}, got ${String(maxLength)}`);
  }
  if (typeof uri !== 'string') throw new LocatorError(`OCapN URI must be a string, got ${typeof uri}`);
  if (uri.length > maxLength) {
    throw new LocatorError(`OCapN URI is ${uri.length} characters long; the limit is ${maxLength} (option maxLength)`);
  }
  if (uri.slice(0, SCHEME.length).toLowerCase() !== SCHEME) {
    throw new LocatorError(`not an OCapN URI: expected it to start with "${SCHEME}", got ${quote(uri)}`);
  }
  const rest = uri.slice(SCHEME.length);
  if (rest.includes('#')) throw new LocatorError(`OCapN URI must not have a fragment ("#…"): ${quote(uri)}`);

  const q = rest.indexOf('?');
  const beforeQuery = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? undefined : rest.slice(q + 1);
  const slash = beforeQuery.indexOf('/');
  const host = slash === -1 ? beforeQuery : beforeQuery.slice(0, slash);
  const path = slash === -1 ? '' : beforeQuery.slice(slash);

  const { transport, designator } = parseHost(host);
  const peer = new OcapnPeer(transport, designator, parseQuery(query));

  if (path === '' || path === '/') return peer;
  if (!path.startsWith('/s/')) {
    throw new LocatorError(`OCapN URI path must be empty or "/s/<swiss>", got ${quote(path)}`);
  }
  const segment = path.slice(3);
  if (segment === '') throw new LocatorError('OCapN sturdyref URI has an empty swiss number ("/s/")');
  if (segment.includes('/')) {
    throw new LocatorError(`OCapN sturdyref URI path must be exactly "/s/<swiss>", got ${quote(path)}`);
  }
  if (!SEGMENT_CHARS.test(segment)) {
    throw new LocatorError(`swiss segment has a character that must be percent-encoded: ${quote(firstBad(segment, SEGMENT_CHARS))}`);
  }
  const bytes = percentDecode(segment, 'swiss segment');
  const swiss = swissEncoding === 'raw' ? bytes : base64urlDecode(asciiOf(bytes, 'swiss segment'));
  return new OcapnSturdyRef(peer, swiss);
}

/**
 * Parses an OCapN peer URI (`ocapn://<designator>.<transport>[?hints]`).
 * @returns an {@link OcapnPeer}, which travels as `<ocapn-peer …>` when passed.
 * @throws LocatorError for a malformed URI or a sturdyref URI.
 */
export function parsePeerUri(uri: string, options: Omit<ParseUriOptions, 'swissEncoding'> = {}): OcapnPeer {
  const parsed = parseOcapnUri(uri, options);
  if ('swiss' in parsed) throw new LocatorError(`expected a peer URI, got a sturdyref URI: ${quote(uri)}`);
  return parsed;
}

/**
 * Parses an OCapN sturdyref URI (`ocapn://<designator>.<transport>/s/<swiss>[?hints]`).
 * @returns an {@link OcapnSturdyRef}, which travels as `<ocapn-sturdyref <ocapn-peer …> swiss>`
 *   when passed as an argument or returned (not as a Struct).
 * @param options - `swissEncoding` `'base64url'` (default) or `'raw'`; see the module notes.
 * @throws LocatorError for a malformed URI or a peer URI without `/s/<swiss>`.
 */
export function parseSturdyRefUri(uri: string, options: ParseUriOptions = {}): OcapnSturdyRef {
  const parsed = parseOcapnUri(uri, options);
  if (!('swiss' in parsed)) throw new LocatorError(`expected a sturdyref URI ("…/s/<swiss>"), got a peer URI: ${quote(uri)}`);
  return parsed;
}

/**
 * Writes a peer locator as `ocapn://<designator>.<transport>[?hints]`. Designator,
 * transport, hint keys and values are percent-encoded with `encodeURIComponent`; hint keys
 * are sorted (JS string order). Hints `false` give no query; hints `{}` give a bare `?`.
 * @throws LocatorError for an invalid locator (see {@link peerLocatorToSyrup}) or a string
 *   with a lone surrogate.
 */
export function formatPeerUri(loc: PeerLocator): string {
  checkPeerLocator(loc, 'formatPeerUri');
  return `${SCHEME}${hostOf(loc)}${queryOf(loc.hints)}`;
}

/**
 * Writes a sturdyref as `ocapn://<designator>.<transport>/s/<swiss>[?hints]`.
 * @param options - `swissEncoding`: `'base64url'` (default; no padding) or `'raw'` (bytes
 *   outside RFC 3986 pchar are percent-encoded).
 * @throws LocatorError for an invalid locator or an empty swiss number; TypeError for bad options.
 */
export function formatSturdyRefUri(ref: SturdyRef, options: FormatUriOptions = {}): string {
  const swissEncoding = checkSwissEncoding(options.swissEncoding);
  if (typeof ref !== 'object' || ref === null) throw new LocatorError('formatSturdyRefUri: expected a SturdyRef object');
  checkPeerLocator(ref.peer, 'formatSturdyRefUri');
  if (!(ref.swiss instanceof Uint8Array)) throw new LocatorError('formatSturdyRefUri: swiss must be a Uint8Array');
  if (ref.swiss.length === 0) throw new LocatorError('formatSturdyRefUri: an empty swiss number cannot be written in a URI');
  const segment = swissEncoding === 'raw' ? rawSegment(ref.swiss) : base64urlEncode(ref.swiss);
  return `${SCHEME}${hostOf(ref.peer)}/s/${segment}${queryOf(ref.peer.hints)}`;
}

function checkSwissEncoding(value: unknown): SwissEncoding {
  if (value === undefined) return 'base64url';
  if (value === 'base64url' || value === 'raw') return value;
  throw new TypeError(`swissEncoding must be 'base64url' or 'raw', got ${String(value)}`);
}

function parseHost(host: string): { transport: string; designator: string } {
  if (host === '') throw new LocatorError('OCapN URI has an empty host (expected "<designator>.<transport>")');
  if (!HOST_CHARS.test(host)) {
    throw new LocatorError(`OCapN URI host has a character that is not allowed there: ${quote(firstBad(host, HOST_CHARS))}`);
  }
  const dot = host.lastIndexOf('.');
  if (dot === -1) {
    throw new LocatorError(`OCapN URI host ${quote(host)} has no "." between designator and transport`);
  }
  if (dot === 0) throw new LocatorError(`OCapN URI host ${quote(host)} has an empty designator`);
  if (dot === host.length - 1) throw new LocatorError(`OCapN URI host ${quote(host)} has an empty transport`);
  const designator = decodeText(host.slice(0, dot), 'designator');
  const transport = checkTransport(decodeText(host.slice(dot + 1), 'transport'), 'OCapN URI');
  return { transport, designator };
}

function parseQuery(query: string | undefined): Hints {
  if (query === undefined) return false;
  if (query === '') return makeHints([]);
  if (!QUERY_CHARS.test(query)) {
    throw new LocatorError(`OCapN URI query has a character that must be percent-encoded: ${quote(firstBad(query, QUERY_CHARS))}`);
  }
  const seen = new Set<string>();
  const entries: [string, string][] = [];
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new LocatorError(`OCapN URI hint ${quote(part)} is not of the form key=value with a non-empty key`);
    }
    const key = decodeText(part.slice(0, eq), 'hint key');
    const value = decodeText(part.slice(eq + 1), 'hint value');
    if (seen.has(key)) throw new LocatorError(`OCapN URI repeats the hint ${quote(key)}`);
    seen.add(key);
    entries.push([key, value]);
  }
  return makeHints(entries);
}

/** Percent-decodes an ASCII string (already checked against a character set) to bytes. */
function percentDecode(s: string, what: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x25) {
      out.push(c);
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
      throw new LocatorError(`${what} has a bad percent escape ${quote(s.slice(i, i + 3))}`);
    }
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

function decodeText(s: string, what: string): string {
  const bytes = percentDecode(s, what);
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new LocatorError(`${what} ${quote(s)} does not percent-decode to valid UTF-8`);
  }
}

function asciiOf(bytes: Uint8Array, what: string): string {
  let s = '';
  for (const b of bytes) {
    if (b >= 0x80) throw new LocatorError(`${what} is not valid base64url (non-ASCII byte 0x${b.toString(16)})`);
    s += String.fromCharCode(b);
  }
  return s;
}

/** Strict base64url decoding (@scure/base's codec): URL-safe alphabet, no padding, zero trailing bits. */
function base64urlDecode(text: string): Uint8Array {
  if (text.includes('=')) {
    throw new LocatorError('swiss segment is not valid base64url: padding "=" is not allowed (use swissEncoding "raw" for raw bytes)');
  }
  if (text.length % 4 === 1) {
    throw new LocatorError(`swiss segment is not valid base64url: length ${text.length} is impossible (length mod 4 = 1)`);
  }
  for (const ch of text) {
    if (!BASE64URL_CHAR.test(ch)) {
      throw new LocatorError(`swiss segment is not valid base64url: unexpected character ${quote(ch)} (use swissEncoding "raw" for raw bytes)`);
    }
  }
  try {
    return base64urlnopad.decode(text);
  } catch {
    // Padding, length and alphabet were checked above: what is left is a non-canonical tail.
    throw new LocatorError('swiss segment is not canonical base64url: unused trailing bits are not zero');
  }
}

function base64urlEncode(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

function rawSegment(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    s += b < 0x80 && RAW_SEGMENT_SAFE.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return s;
}

function encodeComponent(s: string, what: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    throw new LocatorError(`${what} is not well-formed Unicode (lone surrogate)`);
  }
}

function hostOf(loc: PeerLocator): string {
  return `${encodeComponent(loc.designator, 'designator')}.${encodeComponent(loc.transport, 'transport')}`;
}

function queryOf(hints: Hints): string {
  if (hints === false) return '';
  const keys = Object.keys(hints).sort();
  return `?${keys.map((k) => `${encodeComponent(k, 'hint key')}=${encodeComponent(hints[k], 'hint value')}`).join('&')}`;
}

function firstBad(s: string, allowed: RegExp): string {
  for (const ch of s) if (!allowed.test(ch)) return ch;
  return s;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
