/**
 * Access to Endo's HandledPromise and E (the JS object-capability convention for eventual
 * send). Installs the HandledPromise shim when the host has none; works with and without
 * SES `lockdown()` (call lockdown, if you use it, before importing ocapn-ts).
 * @module
 */
import 'ses';
import '@endo/eventual-send/shim.js';
import { E as endoE } from '@endo/eventual-send';
import type { ETypes } from './remote-types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const HandledPromise: any = (globalThis as any).HandledPromise;

/**
 * Eventual send (Endo's `E`), typed for OCapN: `E(ref).method(...args)` returns a promise for
 * the result as the value model delivers it (see {@link ETypes} and docs/value-model.md).
 */
export const E: ETypes = endoE as unknown as ETypes;
