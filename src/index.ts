/**
 * ocapn-ts: OCapN for TypeScript. Start a node on one or more netlayers, register objects as
 * sturdyrefs, enliven sturdyrefs, and call remote objects with `E(ref).method(...)`.
 *
 * ```ts
 * import { OcapnNode, E, listenTcpTestingOnly } from 'ocapn-ts';
 * const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly()] });
 * const uri = node.sturdyRefUri({ greet: (name: string) => `hello ${name}` });
 * ```
 * @module
 */
export * from './core.js';
export * from './netlayers/index.js';
export {
  createNodeIdentity,
  saveNodeIdentity,
  loadNodeIdentity,
  loadOrCreateNodeIdentity,
  type CreateIdentityOptions,
} from './node/identity-file.js';
export { captureToDirectory } from './capture-node.js';
