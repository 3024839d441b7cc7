/**
 * A node identity: the long-term keys of every netlayer a node listens on, in one versioned
 * JSON file format, so that its peer locators, and so its sturdyrefs, stay the same across
 * restarts (docs/persistence.md). Platform-neutral: making, serializing and parsing; reading
 * and writing files is in ./identity-file.ts (Node only).
 *
 * The file (UTF-8 JSON, one object; every entry optional):
 * ```json
 * {
 *   "format": "ocapn-ts-identity",
 *   "version": 1,
 *   "websocket": { "seed": "<32 bytes, base64url>", "publicKey": "<32 bytes, base64url>" },
 *   "onion": { "seed": "<32 bytes, base64url>", "serviceId": "<56 base32 characters>" },
 *   "tcp-tls": { "key": "-----BEGIN PRIVATE KEY-----\n…", "cert": "-----BEGIN CERTIFICATE-----\n…" }
 * }
 * ```
 * - `websocket`: the Ed25519 designator key (RFC 8032 seed); `publicKey` is derived from it
 *   and checked on reading (optional).
 * - `onion`: the onion service's Ed25519 key as a seed we generated; tor's `ED25519-V3` key
 *   and the service ID (the designator) follow from it (`serviceId` is checked on reading,
 *   optional). Instead of `seed`, `privateKey: "ED25519-V3:…"` (a key tor generated, as
 *   `OnionNetlayer.privateKey` gives it) is accepted.
 * - `tcp-tls`: the PEM private key and self-signed certificate; the designator is a hash of
 *   the certificate text, so both are kept byte for byte.
 * A file without `format` and `version` is read as the same layout (what `ocapn test-peer
 * --key-file` wrote before version 1). Anything else (unknown keys, other versions) is refused.
 *
 * Keep the file secret: it holds private keys (identity-file.ts writes it with mode 0600).
 * @module
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { generateKeyPair, keyPairFromSeed, randomBytes, type SessionKeyPair } from '../crypto/index.js';
import { base32Encode } from '../netlayers/websocket/base32.js';

/** The value of the file's `format` field. */
export const IDENTITY_FORMAT = 'ocapn-ts-identity';
/** The file format version this code writes (and the only one it reads, besides the unversioned layout). */
export const IDENTITY_VERSION = 1;
/** Longest identity text {@link parseNodeIdentity} accepts (64 KiB: an RSA-4096 PEM pair is about 5 KiB). */
export const MAX_IDENTITY_CHARS = 65_536;

/** The netlayers whose keys an identity holds. `tcp-testing-only` and `memory` have none. */
export type IdentityNetlayer = 'websocket' | 'onion' | 'tcp-tls';

/** An onion service key. */
export interface OnionIdentity {
  /** The 32-byte Ed25519 seed, when we generated the key (absent for a key tor generated). */
  readonly seed?: Uint8Array;
  /** The key as tor's `ADD_ONION` takes it (`ED25519-V3:` + base64 of the 64-byte expanded key): give it to `listenOnion({ privateKey })`. */
  readonly privateKey: string;
  /** The v3 service ID (56 lowercase base32 characters, the onion designator), when the seed is known. */
  readonly serviceId?: string;
}

/** A `tcp-tls` key and certificate, PEM text (same shape as `TcpTlsIdentity`). */
export interface TcpTlsKeys {
  readonly key: string;
  readonly cert: string;
}

/**
 * The long-term keys of a node's netlayers. Pass them to the netlayers:
 * `listenWebSocket({ keyPair: id.websocket })`, `listenOnion({ privateKey: id.onion.privateKey, … })`,
 * `listenTcpTls({ ...id.tcpTls })`.
 */
export interface NodeIdentity {
  /** The WebSocket designator key pair (32-byte seed, 32-byte public key). */
  readonly websocket?: SessionKeyPair;
  /** The onion service key. */
  readonly onion?: OnionIdentity;
  /** The tcp-tls key and certificate. */
  readonly tcpTls?: TcpTlsKeys;
}

/**
 * Makes fresh keys for the given netlayers that need no platform API: `websocket` and `onion`
 * (random 32-byte Ed25519 seeds). A `tcp-tls` certificate needs Node (see
 * `createNodeIdentity` in the package root) or one you pass in `tcpTls`.
 * @param options - `netlayers`: which keys to make (default `['websocket', 'onion']`);
 *   `tcpTls`: a tcp-tls key and certificate to include.
 * @returns a frozen {@link NodeIdentity}.
 * @throws TypeError for an unknown netlayer name or for `'tcp-tls'` without `tcpTls`.
 */
export function generateNodeIdentity(options: { netlayers?: readonly IdentityNetlayer[]; tcpTls?: TcpTlsKeys } = {}): NodeIdentity {
  const wanted = options.netlayers ?? ['websocket', 'onion'];
  checkNetlayerNames(wanted, 'generateNodeIdentity');
  if (wanted.includes('tcp-tls') && options.tcpTls === undefined) {
    throw new TypeError("generateNodeIdentity: 'tcp-tls' needs options.tcpTls (make one with generateTcpTlsIdentity, or use createNodeIdentity on Node)");
  }
  return Object.freeze({
    ...(wanted.includes('websocket') ? { websocket: generateKeyPair() } : {}),
    ...(wanted.includes('onion') ? { onion: onionIdentityFromSeed(randomBytes(32)) } : {}),
    ...(options.tcpTls !== undefined ? { tcpTls: checkTcpTls(options.tcpTls, 'generateNodeIdentity: tcpTls') } : {}),
  });
}

/**
 * The onion key for a 32-byte Ed25519 seed: tor's `ED25519-V3` private key (the RFC 8032
 * expanded key: SHA-512 of the seed, first half clamped) and the v3 service ID
 * (base32 of public key ‖ checksum ‖ 0x03, rend-spec-v3 §6).
 * @throws TypeError / RangeError unless `seed` is a 32-byte Uint8Array.
 */
export function onionIdentityFromSeed(seed: Uint8Array): OnionIdentity {
  const { publicKey } = keyPairFromSeed(seed);
  const expanded = sha512(seed);
  expanded[0]! &= 248;
  expanded[31]! &= 127;
  expanded[31]! |= 64;
  const version = Uint8Array.of(3);
  const checksum = sha3_256(concat(new TextEncoder().encode('.onion checksum'), publicKey, version)).subarray(0, 2);
  return Object.freeze({
    seed: new Uint8Array(seed),
    privateKey: `ED25519-V3:${toBase64(expanded)}`,
    serviceId: base32Encode(concat(publicKey, checksum, version)),
  });
}

/**
 * Writes an identity as the JSON text of the current format (version {@link IDENTITY_VERSION}),
 * with a final newline. The text holds private keys.
 * @throws TypeError if `identity` or one of its entries has the wrong shape.
 */
export function serializeNodeIdentity(identity: NodeIdentity): string {
  if (typeof identity !== 'object' || identity === null) throw new TypeError('serializeNodeIdentity: expected a NodeIdentity object');
  const out: Record<string, unknown> = { format: IDENTITY_FORMAT, version: IDENTITY_VERSION };
  if (identity.websocket !== undefined) {
    const { privateKey, publicKey } = identity.websocket;
    if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) throw new TypeError('serializeNodeIdentity: websocket.privateKey must be a 32-byte seed');
    out.websocket = { seed: toBase64url(privateKey), publicKey: toBase64url(keyPairFromSeed(privateKey).publicKey) };
    if (!(publicKey instanceof Uint8Array) || toBase64url(publicKey) !== (out.websocket as { publicKey: string }).publicKey) {
      throw new TypeError('serializeNodeIdentity: websocket.publicKey does not belong to websocket.privateKey');
    }
  }
  if (identity.onion !== undefined) {
    const { seed, privateKey } = identity.onion;
    if (seed !== undefined) {
      const derived = onionIdentityFromSeed(seed);
      out.onion = { seed: toBase64url(seed), serviceId: derived.serviceId };
    } else {
      out.onion = { privateKey: checkOnionKey(privateKey, 'serializeNodeIdentity: onion.privateKey') };
    }
  }
  if (identity.tcpTls !== undefined) out['tcp-tls'] = { ...checkTcpTls(identity.tcpTls, 'serializeNodeIdentity: tcpTls') };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/**
 * Reads identity JSON text (the current format, or the unversioned layout that `ocapn test-peer
 * --key-file` wrote before; see the module notes).
 * @returns a frozen {@link NodeIdentity}.
 * @throws TypeError if the text is not JSON, not an object, has an unknown key, or a field of
 *   the wrong type or encoding; RangeError for an unsupported `version`, a key of the wrong
 *   length, a text longer than {@link MAX_IDENTITY_CHARS}, or a derived field (`publicKey`,
 *   `serviceId`) that does not match its seed. Messages start with `identity file:` and name the field.
 */
export function parseNodeIdentity(text: string): NodeIdentity {
  const where = 'identity file';
  if (typeof text !== 'string') throw new TypeError(`${where}: expected JSON text, got ${typeof text}`);
  if (text.length > MAX_IDENTITY_CHARS) throw new RangeError(`${where}: ${text.length} characters, more than the ${MAX_IDENTITY_CHARS} allowed`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // Only the position: the parser's own message may quote the text around it (a key).
    const at = /at position (\d+)/.exec((e as Error).message);
    throw new TypeError(`${where}: not valid JSON${at ? ` (at position ${at[1]})` : ''}`);
  }
  const top = object(json, where);
  const versioned = 'format' in top || 'version' in top;
  if (versioned) {
    if (top.format !== IDENTITY_FORMAT) throw new TypeError(`${where}: "format" must be "${IDENTITY_FORMAT}", got ${JSON.stringify(top.format)}`);
    if (top.version !== IDENTITY_VERSION) throw new RangeError(`${where}: unsupported "version" ${JSON.stringify(top.version)} (this ocapn-ts reads version ${IDENTITY_VERSION})`);
  }
  onlyKeys(top, ['format', 'version', 'websocket', 'onion', 'tcp-tls'], where);
  const result: { websocket?: SessionKeyPair; onion?: OnionIdentity; tcpTls?: TcpTlsKeys } = {};
  if (top.websocket !== undefined) {
    const w = object(top.websocket, `${where}: websocket`);
    onlyKeys(w, ['seed', 'publicKey'], `${where}: websocket`);
    const kp = keyPairFromSeed(bytes32(w.seed, `${where}: websocket.seed`));
    if (w.publicKey !== undefined && w.publicKey !== toBase64url(kp.publicKey)) {
      throw new RangeError(`${where}: websocket.publicKey does not belong to websocket.seed`);
    }
    result.websocket = kp;
  }
  if (top.onion !== undefined) {
    const o = object(top.onion, `${where}: onion`);
    onlyKeys(o, ['seed', 'serviceId', 'privateKey'], `${where}: onion`);
    if ((o.seed === undefined) === (o.privateKey === undefined)) throw new TypeError(`${where}: onion needs exactly one of "seed" and "privateKey"`);
    if (o.seed !== undefined) {
      const id = onionIdentityFromSeed(bytes32(o.seed, `${where}: onion.seed`));
      if (o.serviceId !== undefined && o.serviceId !== id.serviceId) throw new RangeError(`${where}: onion.serviceId does not belong to onion.seed`);
      result.onion = id;
    } else {
      if (o.serviceId !== undefined) throw new TypeError(`${where}: onion.serviceId goes with "seed", not "privateKey"`);
      result.onion = Object.freeze({ privateKey: checkOnionKey(o.privateKey, `${where}: onion.privateKey`) });
    }
  }
  if (top['tcp-tls'] !== undefined) result.tcpTls = checkTcpTls(top['tcp-tls'], `${where}: tcp-tls`);
  return Object.freeze(result);
}

/** The netlayers `identity` has keys for. */
export function identityNetlayers(identity: NodeIdentity): IdentityNetlayer[] {
  const out: IdentityNetlayer[] = [];
  if (identity.websocket) out.push('websocket');
  if (identity.onion) out.push('onion');
  if (identity.tcpTls) out.push('tcp-tls');
  return out;
}

/** @throws TypeError for a name that is not an {@link IdentityNetlayer}. @internal */
export function checkNetlayerNames(names: unknown, where: string): asserts names is readonly IdentityNetlayer[] {
  if (!Array.isArray(names)) throw new TypeError(`${where}: netlayers must be an array like ['websocket', 'onion', 'tcp-tls']`);
  for (const n of names) {
    if (n !== 'websocket' && n !== 'onion' && n !== 'tcp-tls') {
      throw new TypeError(`${where}: no keys for netlayer ${JSON.stringify(n)} (known: websocket, onion, tcp-tls; tcp-testing-only needs none)`);
    }
  }
}

const ONION_KEY = /^ED25519-V3:[A-Za-z0-9+/]{86}==$/;
const BASE64URL_32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

function checkOnionKey(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new TypeError(`${where} must be a string, got ${typeof v}`);
  if (!ONION_KEY.test(v)) throw new RangeError(`${where} must be "ED25519-V3:" followed by 88 base64 characters`);
  return v;
}

function checkTcpTls(v: unknown, where: string): TcpTlsKeys {
  const o = object(v, where);
  onlyKeys(o, ['key', 'cert'], where);
  if (typeof o.key !== 'string' || !o.key.includes('PRIVATE KEY-----')) throw new TypeError(`${where}.key must be a PEM private key (a string)`);
  if (typeof o.cert !== 'string' || !o.cert.includes('-----BEGIN CERTIFICATE-----')) throw new TypeError(`${where}.cert must be a PEM certificate (a string)`);
  return Object.freeze({ key: o.key, cert: o.cert });
}

function object(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new TypeError(`${where}: expected a JSON object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  }
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new TypeError(`${where}: unknown key ${JSON.stringify(k)} (expected ${allowed.map((a) => JSON.stringify(a)).join(', ')})`);
  }
}

function bytes32(v: unknown, where: string): Uint8Array {
  if (typeof v !== 'string') throw new TypeError(`${where} must be a base64url string, got ${typeof v}`);
  if (!BASE64URL_32.test(v)) throw new RangeError(`${where} must be 32 bytes in base64url without padding (43 characters), got ${v.length} characters`);
  return fromBase64url(v);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function toBase64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url already checked against {@link BASE64URL_32} (canonical: last character has zero spare bits). */
function fromBase64url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
