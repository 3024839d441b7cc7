/**
 * The `tcp-tls` netlayer (Spritely Goblins 0.18's `(goblins ocapn netlayer tcp-tls)`): TCP,
 * the server's certificate preamble, then TLS; the designator is SHA-256d of the server's
 * certificate PEM. Node only. See docs/netlayers.md, "`tcp-tls`".
 * @module
 */
export { TCP_TLS_DEFAULT_PORT, TCP_TLS_TRANSPORT, createTcpTlsDialer, listenTcpTls } from './netlayer.js';
export type { TcpTlsConnection, TcpTlsDialerOptions, TcpTlsNetlayer, TcpTlsOptions } from './netlayer.js';
export { PreambleReader, encodeCertificatePreamble, tcpTlsDesignator } from './designator.js';
export type { PreambleResult } from './designator.js';
export { TcpTlsRefusedError } from './handshake.js';
export { generateTcpTlsIdentity } from './identity.js';
export type { GenerateTcpTlsIdentityOptions, TcpTlsIdentity, TcpTlsKeyAlgorithm } from './identity.js';
