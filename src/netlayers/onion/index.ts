/**
 * The `onion` netlayer (notes §10.4): Tor v3 onion services through a running tor's control
 * and SOCKS ports. Node only. See docs/netlayers.md#onion.
 * @module
 */
export { ONION_TRANSPORT, createOnionDialer, listenOnion } from './netlayer.js';
export type { OnionConnection, OnionDialerOptions, OnionNetlayer, OnionOptions } from './netlayer.js';
export { TorControlError } from './control.js';
export { SOCKS_REPLY_MEANINGS, TorSocksError } from './socks.js';
export { OCAPN_ONION_PORT } from './service.js';
export type { TorEndpoint } from './endpoint.js';
