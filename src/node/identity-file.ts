/**
 * Node identity files (Node only: `node:fs`): save, load, and load-or-create the JSON file
 * of ./identity.ts, which holds every netlayer's long-term keys (docs/persistence.md).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { generateTcpTlsIdentity } from '../netlayers/tcp-tls/identity.js';
import {
  MAX_IDENTITY_CHARS,
  checkNetlayerNames,
  generateNodeIdentity,
  parseNodeIdentity,
  serializeNodeIdentity,
  type IdentityNetlayer,
  type NodeIdentity,
} from './identity.js';

/** Options of {@link createNodeIdentity} and {@link loadOrCreateNodeIdentity}. */
export interface CreateIdentityOptions {
  /** Which netlayers to make keys for. Default `['websocket', 'onion', 'tcp-tls']`. */
  readonly netlayers?: readonly IdentityNetlayer[];
}

const ALL: readonly IdentityNetlayer[] = ['websocket', 'onion', 'tcp-tls'];

/**
 * Makes fresh keys for `options.netlayers` (default all three): Ed25519 seeds for websocket and
 * onion, an ECDSA P-256 key and self-signed certificate for tcp-tls.
 * @throws TypeError for an unknown netlayer name.
 */
export async function createNodeIdentity(options: CreateIdentityOptions = {}): Promise<NodeIdentity> {
  const wanted = options.netlayers ?? ALL;
  checkNetlayerNames(wanted, 'createNodeIdentity');
  const tcpTls = wanted.includes('tcp-tls') ? await generateTcpTlsIdentity() : undefined;
  return generateNodeIdentity({ netlayers: wanted, ...(tcpTls ? { tcpTls: { key: tcpTls.key, cert: tcpTls.cert } } : {}) });
}

/**
 * Writes `identity` to `path` (current format), readable and writable by the owner only
 * (mode 0600; on Windows the mode is not enforced). It writes a temporary file beside `path`
 * and renames it, so a crash never leaves half a file.
 * @throws TypeError for a malformed identity; the file system's error if it cannot write.
 */
export function saveNodeIdentity(path: string, identity: NodeIdentity): void {
  if (typeof path !== 'string' || path === '') throw new TypeError('saveNodeIdentity: path must be a non-empty string');
  const text = serializeNodeIdentity(identity);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}

/**
 * Reads the identity file at `path`.
 * @throws TypeError / RangeError from {@link parseNodeIdentity} (the message names `path` and
 *   the field), RangeError for a file larger than 64 KiB; the file system's error (e.g.
 *   `ENOENT`) if it cannot be read.
 */
export function loadNodeIdentity(path: string): NodeIdentity {
  if (typeof path !== 'string' || path === '') throw new TypeError('loadNodeIdentity: path must be a non-empty string');
  const size = statSync(path).size;
  if (size > MAX_IDENTITY_CHARS * 4) throw new RangeError(`identity file ${path}: ${size} bytes is too large for an identity file`);
  try {
    return parseNodeIdentity(readFileSync(path, 'utf8'));
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(withPath(e.message, path));
    if (e instanceof TypeError) throw new TypeError(withPath(e.message, path));
    throw e;
  }
}

/**
 * Loads the identity file at `path`, creating it if missing; keys missing for one of
 * `options.netlayers` are generated and the file is written back (mode 0600). This is what
 * `ocapn test-peer --key-file` does.
 * @returns the identity (with at least the requested netlayers' keys) and whether the file was written.
 * @throws as {@link loadNodeIdentity} and {@link saveNodeIdentity}; TypeError for an unknown netlayer name.
 */
export async function loadOrCreateNodeIdentity(
  path: string,
  options: CreateIdentityOptions = {},
): Promise<{ identity: NodeIdentity; written: boolean }> {
  const wanted = options.netlayers ?? ALL;
  checkNetlayerNames(wanted, 'loadOrCreateNodeIdentity');
  let existing: NodeIdentity = {};
  try {
    existing = loadNodeIdentity(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const missing = wanted.filter((n) => !(n === 'tcp-tls' ? existing.tcpTls : existing[n]));
  if (missing.length === 0) return { identity: existing, written: false };
  const fresh = await createNodeIdentity({ netlayers: missing });
  const identity: NodeIdentity = Object.freeze({ ...existing, ...fresh });
  saveNodeIdentity(path, identity);
  return { identity, written: true };
}

function withPath(message: string, path: string): string {
  return message.startsWith('identity file:') ? `identity file ${path}:${message.slice('identity file:'.length)}` : `identity file ${path}: ${message}`;
}
