/**
 * The two halves of a `tcp-tls` connection set-up, before CapTP:
 * - the server writes its certificate preamble on the plain socket, then runs the TLS
 *   handshake as server, asking no client certificate;
 * - the client reads the preamble, refuses a certificate whose hash is not the designator it
 *   dialled, then runs the TLS handshake trusting exactly that certificate.
 * Both are bounded in time by the caller (it destroys the socket) and in bytes here.
 * @module
 */
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { PreambleReader, tcpTlsDesignator } from './designator.js';

/** Accepted difference between our clock and the peer's for the certificate's validity. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Why a dialled server was refused before CapTP (designator mismatch, bad certificate). */
export class TcpTlsRefusedError extends Error {
  override readonly name = 'TcpTlsRefusedError';
}

/**
 * Server side: writes `preamble` on `socket` and wraps it in TLS as server (no client
 * certificate requested).
 * @returns the TLS socket once its handshake finished; rejects when it fails or the socket
 *   closes first. The caller bounds the time and destroys `socket` on timeout.
 */
export function serverHandshake(socket: Socket, preamble: Uint8Array, context: SecureContext): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    socket.on('error', () => undefined); // reported through the TLS socket
    socket.write(preamble);
    const tls = new TLSSocket(socket, { isServer: true, secureContext: context, requestCert: false, rejectUnauthorized: false });
    const onError = (err: Error): void => {
      tls.destroy();
      reject(err);
    };
    const onClose = (): void => reject(new Error('the client closed before the TLS handshake finished'));
    tls.on('error', onError);
    tls.once('close', onClose);
    tls.once('secure', () => {
      tls.off('error', onError);
      tls.off('close', onClose);
      resolve(tls);
    });
  });
}

/**
 * Client side, on a connected `socket`: reads the certificate preamble (at most
 * `maxCertificateBytes`), checks that it hashes to `designator` and that it is a currently
 * valid X.509 certificate, then runs the TLS handshake and checks that the server presented
 * that same certificate (which the handshake proves it holds the key of).
 * @returns the TLS socket, ready for messages. Rejects with {@link TcpTlsRefusedError} when
 *   the server is refused, Error when the socket fails or closes. The caller bounds the time.
 */
export function clientHandshake(socket: Socket, designator: string, maxCertificateBytes: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const reader = new PreambleReader(maxCertificateBytes);
    let tls: TLSSocket | undefined;
    const fail = (err: Error): void => {
      socket.off('data', onData);
      tls?.destroy();
      socket.destroy();
      reject(err);
    };
    const onSocketError = (err: Error): void => fail(err);
    const onSocketClose = (): void => fail(new Error('the server closed the connection before the TLS handshake finished'));
    const onData = (chunk: Buffer): void => {
      const read = reader.push(chunk);
      if (read.state === 'more') return;
      socket.off('data', onData);
      socket.pause();
      if (read.state === 'error') return fail(new TcpTlsRefusedError(read.reason));
      const found = tcpTlsDesignator(read.cert);
      if (found !== designator) return fail(new TcpTlsRefusedError(`its certificate hashes to designator ${found}, not the designator dialled`));
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(read.cert);
      } catch (err) {
        return fail(new TcpTlsRefusedError(`its certificate preamble is not a readable X.509 certificate: ${(err as Error).message}`, { cause: err }));
      }
      const now = Date.now();
      if (Date.parse(cert.validFrom) > now + CLOCK_SKEW_MS) return fail(new TcpTlsRefusedError(`its certificate is not valid before ${cert.validFrom}`));
      if (Date.parse(cert.validTo) < now - CLOCK_SKEW_MS) return fail(new TcpTlsRefusedError(`its certificate expired on ${cert.validTo}`));
      if (read.rest.length > 0) socket.unshift(read.rest);
      socket.off('error', onSocketError);
      socket.off('close', onSocketClose);
      socket.on('error', () => undefined); // reported through the TLS socket
      // The chain check is ours (the pinned certificate, below); the TLS handshake itself
      // still proves the server holds the key of the certificate it presents.
      const wrapped = tlsConnect({ socket, rejectUnauthorized: false, checkServerIdentity: () => undefined });
      tls = wrapped;
      const onTlsError = (err: Error): void => fail(err);
      const onTlsClose = (): void => fail(new Error('the server closed the connection during the TLS handshake'));
      wrapped.on('error', onTlsError);
      wrapped.once('close', onTlsClose);
      wrapped.once('secureConnect', () => {
        wrapped.off('error', onTlsError);
        wrapped.off('close', onTlsClose);
        const presented = wrapped.getPeerX509Certificate();
        if (presented === undefined || !presented.raw.equals(cert.raw)) {
          return fail(new TcpTlsRefusedError('its TLS handshake presented another certificate than its preamble'));
        }
        resolve(wrapped);
      });
    };
    socket.on('error', onSocketError);
    socket.once('close', onSocketClose);
    socket.on('data', onData);
  });
}
