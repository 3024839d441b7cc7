/** CapTP error types. @module */

/** A session ended (op:abort sent or received, or the connection closed). Pending promises break with it. */
export class SessionClosedError extends Error {
  /** The peer's locator as a URI-ish string, for messages. */
  readonly peer: string;
  /** Why the session ended. */
  readonly reason: string;
  /** The peer ended it with op:abort (`reason` is then `peer aborted: <its reason>`). */
  readonly byPeer: boolean;
  constructor(peer: string, reason: string, byPeer = false) {
    super(`CapTP session with ${peer} ended: ${reason}`);
    this.name = 'SessionClosedError';
    this.peer = peer;
    this.reason = reason;
    this.byPeer = byPeer;
  }
}

/** The peer broke the protocol; the session aborts with this message as the op:abort reason. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The op:abort reason for the connection that loses a crossed-hellos race (notes §5.4; Endo's text). */
export const CROSSED_HELLOS = 'Crossed hellos mitigated';

/** The op:abort reason for a session refused because one with that peer is already active (notes §5.3). */
export const DUPLICATE_SESSION = 'a session with this peer is already active';

/** Crossed-hellos abort reasons: ours and Endo's ("…mitigated"), Goblins 0.18's ("…mitigation"). */
const CROSSED_REASON = /Crossed hellos mitigat(?:ed|ion)$/;

/** Whether `e` ended a session because it lost a crossed-hellos race (either side's decision). */
export function isCrossedHellos(e: unknown): boolean {
  return e instanceof SessionClosedError && CROSSED_REASON.test(e.reason);
}

/**
 * Whether the peer ended a session with `e` because it already holds another session with
 * us: it refused a duplicate (§5.3) or gave this connection up to crossed hellos (§5.4).
 */
export function peerHasOtherSession(e: unknown): boolean {
  return e instanceof SessionClosedError && e.byPeer && (CROSSED_REASON.test(e.reason) || e.reason.endsWith(DUPLICATE_SESSION));
}
