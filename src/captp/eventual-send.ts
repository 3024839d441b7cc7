/**
 * Access to Endo's HandledPromise and E (the JS object-capability convention for eventual
 * send). Installs the HandledPromise shim when the host has none; works with and without
 * SES `lockdown()` (call lockdown, if you use it, before importing ocapn-ts).
 * @module
 */
import 'ses';
import '@endo/eventual-send/shim.js';
import { E } from '@endo/eventual-send';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const HandledPromise: any = (globalThis as any).HandledPromise;
export { E };
