/**
 * A `tcp-tls` identity: a private key and the self-signed X.509 certificate that names it,
 * both PEM text. The designator is the hash of the certificate's PEM ({@link tcpTlsDesignator}),
 * so keeping the pair keeps the designator, and every sturdyref that names it.
 * @module
 */
import { X509Certificate, webcrypto } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';

/** A key and its certificate, PEM text. Save both, byte for byte, to keep the designator. */
export interface TcpTlsIdentity {
  /** The private key, PEM (PKCS#8 for the keys we generate). */
  readonly key: string;
  /** The self-signed certificate, PEM. Its exact text is hashed into the designator. */
  readonly cert: string;
}

/** Key types {@link generateTcpTlsIdentity} can make. */
export type TcpTlsKeyAlgorithm = 'ecdsa-p256' | 'rsa-4096';

/** Options of {@link generateTcpTlsIdentity}. */
export interface GenerateTcpTlsIdentityOptions {
  /**
   * `'ecdsa-p256'` (default: fast to make, accepted by GnuTLS and OpenSSL) or `'rsa-4096'`
   * (what Goblins 0.18 generates; a second or more to make).
   */
  algorithm?: TcpTlsKeyAlgorithm | undefined;
}

/** Seconds since 1970 of 2038-01-19T03:14:07Z, the latest expiry GnuTLS (Goblins) writes. */
const NOT_AFTER = new Date(2147483647 * 1000);

/**
 * Makes a fresh key and a self-signed certificate for it (X.509 v3, not a CA, key usage
 * digital signature (and key encipherment for RSA), valid from an hour ago until
 * 2038-01-19), with `@peculiar/x509` over Node's WebCrypto.
 * @returns PEM strings, the certificate ending with a newline.
 * @throws TypeError / RangeError (as rejections) for bad options.
 */
export async function generateTcpTlsIdentity(options: GenerateTcpTlsIdentityOptions = {}): Promise<TcpTlsIdentity> {
  if (typeof options !== 'object' || options === null) throw new TypeError('generateTcpTlsIdentity: options must be an object');
  const { algorithm = 'ecdsa-p256' } = options;
  if (typeof algorithm !== 'string') throw new TypeError(`generateTcpTlsIdentity: algorithm must be a string, got ${typeof algorithm}`);
  if (algorithm !== 'ecdsa-p256' && algorithm !== 'rsa-4096') {
    throw new RangeError(`generateTcpTlsIdentity: algorithm must be 'ecdsa-p256' or 'rsa-4096', got '${algorithm}'`);
  }
  // Loaded only when a certificate is made: restoring a saved identity needs no library.
  const x509 = await import('@peculiar/x509');
  const crypto = webcrypto as unknown as Crypto;
  const params =
    algorithm === 'ecdsa-p256'
      ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
      : { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(params, true, ['sign', 'verify'])) as CryptoKeyPair;
  const usages = algorithm === 'ecdsa-p256' ? x509.KeyUsageFlags.digitalSignature : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=ocapn tcp-tls',
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: NOT_AFTER,
      signingAlgorithm: params,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(usages, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = x509.PemConverter.encode(pkcs8.buffer, 'PRIVATE KEY');
  const pem = cert.toString('pem');
  return { key: key.endsWith('\n') ? key : `${key}\n`, cert: pem.endsWith('\n') ? pem : `${pem}\n` };
}

/**
 * Checks a `{key, cert}` pair given to a tcp-tls netlayer.
 * @returns the TLS context for it.
 * @throws TypeError if either is not a non-empty string, or only one is given;
 *   RangeError if `cert` is not one PEM certificate or `key` does not belong to it.
 * @internal
 */
export function checkIdentity(key: unknown, cert: unknown, where: string): SecureContext {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${where}: key must be a non-empty PEM string`);
  if (typeof cert !== 'string' || cert.length === 0) throw new TypeError(`${where}: cert must be a non-empty PEM string`);
  if ((cert.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length !== 1) throw new RangeError(`${where}: cert must hold exactly one PEM certificate`);
  try {
    new X509Certificate(cert);
  } catch (err) {
    throw new RangeError(`${where}: cert is not a readable X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
  try {
    return createSecureContext({ key, cert });
  } catch (err) {
    throw new RangeError(`${where}: key and cert are not a usable pair: ${(err as Error).message}`, { cause: err });
  }
}
