/**
 * What a `tcp-tls` designator is, and the certificate preamble the server writes before the
 * TLS handshake (as Spritely Goblins 0.18's `(goblins ocapn netlayer tcp-tls)` does):
 * - designator = lowercase hex of SHA-256(SHA-256(the certificate's PEM text, byte for byte));
 * - preamble = the PEM's length as a 32-bit unsigned integer, **little-endian** (Goblins
 *   writes it in the host's byte order: little-endian on every platform it ships for), then
 *   the PEM bytes.
 * @module
 */
import { createHash } from 'node:crypto';

const encoder = new TextEncoder();

/** The bytes a PEM certificate is hashed and sent as: its UTF-8 text, unchanged. */
export function certificateBytes(cert: string | Uint8Array): Uint8Array {
  return typeof cert === 'string' ? encoder.encode(cert) : cert;
}

/**
 * The `tcp-tls` designator of a certificate: 64 lowercase hex characters of SHA-256 applied
 * twice to the exact PEM bytes (no normalisation: a changed line ending is another
 * designator).
 * @param cert the PEM certificate, as a string (hashed as UTF-8) or as bytes.
 * @throws TypeError if `cert` is neither a string nor a Uint8Array.
 */
export function tcpTlsDesignator(cert: string | Uint8Array): string {
  if (typeof cert !== 'string' && !(cert instanceof Uint8Array)) {
    throw new TypeError(`tcpTlsDesignator needs a PEM string or bytes, got ${cert === null ? 'null' : typeof cert}`);
  }
  const once = createHash('sha256').update(certificateBytes(cert)).digest();
  return createHash('sha256').update(once).digest('hex');
}

/**
 * The preamble a `tcp-tls` server writes as soon as a client connects: 4-byte little-endian
 * length, then the PEM bytes.
 * @throws RangeError if the certificate is empty or 2^32 bytes or longer.
 */
export function encodeCertificatePreamble(cert: string | Uint8Array): Uint8Array {
  const pem = certificateBytes(cert);
  if (pem.length === 0 || pem.length > 0xffffffff) throw new RangeError(`tcp-tls: a certificate of ${pem.length} bytes cannot be sent`);
  const out = new Uint8Array(4 + pem.length);
  new DataView(out.buffer).setUint32(0, pem.length, true);
  out.set(pem, 4);
  return out;
}

/** What {@link PreambleReader.push} found. */
export type PreambleResult =
  | { readonly state: 'more' }
  | { readonly state: 'done'; readonly cert: Uint8Array; readonly rest: Uint8Array }
  | { readonly state: 'error'; readonly reason: string };

/**
 * Reads the server's certificate preamble off the start of a stream, holding at most
 * `4 + maxCertificateBytes` bytes.
 */
export class PreambleReader {
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  #held = 0;
  #length: number | undefined;
  #finished = false;

  /** @param maxCertificateBytes the largest certificate accepted, in bytes. */
  constructor(maxCertificateBytes: number) {
    this.#max = maxCertificateBytes;
  }

  /**
   * Takes the next chunk of the stream.
   * @returns `done` with the certificate bytes and what followed them, `more` while
   *   incomplete, or `error` with a reason (a zero length, or one above the limit) as soon
   *   as the length shows it. Nothing is returned after `done` or `error` (`more`).
   */
  push(chunk: Uint8Array): PreambleResult {
    if (this.#finished) return { state: 'more' };
    this.#chunks.push(chunk);
    this.#held += chunk.length;
    if (this.#length === undefined) {
      if (this.#held < 4) return { state: 'more' };
      const head = this.#joined();
      const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
      if (length === 0 || length > this.#max) {
        this.#finished = true;
        this.#chunks = [];
        return { state: 'error', reason: length === 0 ? 'its certificate preamble announces 0 bytes' : `its certificate preamble announces ${length} bytes, over maxCertificateBytes (${this.#max})` };
      }
      this.#length = length;
    }
    if (this.#held < 4 + this.#length) return { state: 'more' };
    const all = this.#joined();
    this.#finished = true;
    this.#chunks = [];
    return { state: 'done', cert: all.slice(4, 4 + this.#length), rest: all.slice(4 + this.#length) };
  }

  #joined(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const all = new Uint8Array(this.#held);
    let at = 0;
    for (const c of this.#chunks) {
      all.set(c, at);
      at += c.length;
    }
    this.#chunks = [all];
    return all;
  }
}
