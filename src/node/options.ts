/**
 * The options of {@link OcapnNode}, with their defaults and the errors they raise.
 * @module
 */
import type { WireEvent } from '../captp/session.js';
import type { ProfileChoice } from '../captp/profile.js';
import type { SessionLimits } from '../captp/limits.js';
import type { PeerLocator } from '../locator/types.js';
import type { Netlayer } from '../netlayers/interface.js';
import type { NodeLimits } from './limits.js';
import type { LivenessOptions } from '../captp/liveness.js';
import type { HandoffOptions } from '../handoff/index.js';
import type { Overrides } from '../captp/options.js';

/** Options of {@link OcapnNode}. */
export interface NodeOptions {
  /** The netlayers this node listens and dials on (at least one). */
  netlayers: Netlayer[];
  /**
   * Compatibility profile for every peer: `'auto'` (the default) chooses each peer's from what
   * it sends (docs/captp.md "Choosing a profile from the wire"); a preset name (`goblins`,
   * `endo`, `suite`, `suite-rdo`) or a profile object (see `composeProfile`) is fixed and never
   * changes. @throws TypeError (constructor) for an unknown name or a malformed object.
   */
  profile?: ProfileChoice | undefined;
  /**
   * Per-peer profile, an override: called with the peer's locator (the one dialled, or the one
   * an incoming peer claims once its op:start-session verified); `undefined` falls back to
   * `profile`. A fixed profile it returns never changes during the session.
   */
  profileFor?: ((peer: PeerLocator) => ProfileChoice | undefined) | undefined;
  /**
   * Called with every error thrown (or rejected) by a local method a peer called, with the
   * method name (`undefined` when a function was applied) and the peer's locator. Default:
   * nothing is printed. The error still goes back to the caller, as the session's profile
   * writes errors (never with its stack). A throwing hook is ignored. Log with, e.g.,
   * `onMethodError: (e, { method, peer }) => console.error(method, peer?.designator, e)`.
   */
  onMethodError?: ((error: unknown, context: { method: string | undefined; peer: PeerLocator | undefined }) => void) | undefined;
  /** Session limits (see {@link SessionLimits}). */
  limits?: Overrides<SessionLimits> | undefined;
  /** Third-party handoff limits. */
  handoff?: Overrides<HandoffOptions> | undefined;
  /**
   * Called synchronously with every CapTP message in and out, in wire order (a throwing tap is
   * ignored). `traceTo(line => …)` prints each readably; `captureToDirectory(dir)` records them
   * for `ocapn trace`; `tapAll(…)` combines taps. See docs/observability.md.
   */
  tap?: ((event: WireEvent) => void) | undefined;
  /** Most sessions (including ones still in their handshake) at once; more connections are closed. Default 10,000. Same as `nodeLimits.maxSessions`. */
  maxSessions?: number | undefined;
  /** Node-wide limits: sessions per address and per key, handshakes, rates, byte budgets (see {@link NodeLimits}). */
  nodeLimits?: Overrides<NodeLimits> | undefined;
  /** Longest swiss number registered or fetched, in bytes; a longer `fetch` breaks. Default 256. */
  maxSwissBytes?: number | undefined;
  /**
   * Noticing a peer that went silent while we wait on it (see {@link LivenessOptions}):
   * default `{ timeoutMs: 20_000, whileIdle: false }`; `false` turns it off. Never used with
   * the `suite` profile.
   */
  liveness?: Overrides<LivenessOptions> | false | undefined;
  /** A deadline for every remote call, in ms (none by default); per call: {@link withCallOptions}. */
  callTimeoutMs?: number | undefined;
  /**
   * Longest time {@link OcapnNode.close} waits for what was already sent to leave our
   * buffers before it aborts the sessions, in ms (integer from 0 to 2^31-1). Default 2,000.
   */
  closeDrainMs?: number | undefined;
}

/** Default {@link NodeOptions.closeDrainMs}. */
export const DEFAULT_CLOSE_DRAIN_MS = 2_000;
