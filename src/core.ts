/**
 * Everything ocapn-ts exports that runs on any platform: the node API, CapTP, the data model,
 * locators, handoffs and the platform-neutral netlayers. The package root (./index.ts) adds
 * the Node netlayers; the browser entry (./browser.ts) adds the browser WebSocket dialer.
 * @module
 */
export { E, HandledPromise } from './captp/eventual-send.js';
export { Far } from '@endo/far';
export { OcapnNode, DEFAULT_CLOSE_DRAIN_MS, type NodeOptions, type Remote } from './node/node.js';
export type { RemoteValue, CallResult, Sendable, ETypes } from './captp/remote-types.js';
export {
  ReconnectError,
  DEFAULT_RECONNECT,
  reconnectState,
  type ReconnectOptions,
  type ReconnectState,
  type ReconnectStateChange,
} from './node/reconnect.js';
export { CaptpSession, type WireEvent, type SessionHost, type SessionOptions } from './captp/session.js';
export { SessionClosedError, ProtocolError } from './captp/errors.js';
export { withCallOptions } from './captp/refs.js';
export { CallTimeoutError, type CallOptions } from './captp/call-options.js';
export { DEFAULT_LIVENESS, type LivenessOptions } from './captp/liveness.js';
export type { NodeEventMap, NodeListener } from './node/events.js';
export type { PeerIdentity } from './captp/session.js';
export {
  AUTO,
  GOBLINS,
  ENDO,
  SUITE,
  SUITE_RDO,
  OCAPN_TS,
  PROFILES,
  resolveProfile,
  composeProfile,
  type CompatProfile,
  type ProfileChoice,
  type ProfileName,
} from './captp/profile.js';
export type { Identification } from './captp/detect.js';
export { DEFAULT_LIMITS, type SessionLimits } from './captp/limits.js';
export { DEFAULT_NODE_LIMITS, type NodeLimits } from './node/limits.js';
export { OPS, DESCRIPTORS, SIGNED_SHAPES, WireShapeError } from './captp/ops.js';
export {
  Selector,
  selector,
  Tagged,
  RemoteError,
  OcapnSturdyRef,
  OcapnPeer,
  SigEnvelope,
  ModelError,
  type Passable,
} from './model/index.js';
export {
  parseOcapnUri,
  parsePeerUri,
  parseSturdyRefUri,
  formatPeerUri,
  formatSturdyRefUri,
  sameLocator,
  locatorKey,
  LocatorError,
  type PeerLocator,
  type SturdyRef,
  type Hints,
} from './locator/index.js';
export {
  HandoffManager,
  HandoffError,
  DEFAULT_HANDOFF_OPTIONS,
  refusePrivateAddresses,
  allowAnyPeer,
  type HandoffOptions,
  type DialPolicy,
  type DialContext,
} from './handoff/index.js';
export * from './netlayers/neutral.js';
// Persistence (docs/persistence.md): node identities, their keys, sturdyref options.
export type { SturdyRefOptions } from './node/registry.js';
export {
  IDENTITY_FORMAT,
  IDENTITY_VERSION,
  generateNodeIdentity,
  onionIdentityFromSeed,
  serializeNodeIdentity,
  parseNodeIdentity,
  identityNetlayers,
  type NodeIdentity,
  type OnionIdentity,
  type TcpTlsKeys,
  type IdentityNetlayer,
} from './node/identity.js';
export { generateKeyPair, keyPairFromSeed, type SessionKeyPair } from './crypto/index.js';
export { sessionStats, type SessionStats, type NodeStats } from './captp/stats.js';
export { traceTo, formatTraceLine, formatWireEvent, formatOp, type TraceFormatOptions, type TraceRecord } from './captp/trace-format.js';
export { captureTap, tapAll, parseCapture, CaptureFormatError, type CaptureHeader, type CaptureRecord, type CaptureSink } from './captp/capture.js';
export { describeRef } from './captp/refs.js';
