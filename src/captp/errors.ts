/** CapTP error types. @module */

/** A session ended (op:abort sent or received, or the connection closed). Pending promises break with it. */
export class SessionClosedError extends Error {
  /** The peer's locator as a URI-ish string, for messages. */
  readonly peer: string;
  /** Why the session ended. */
  readonly reason: string;
  constructor(peer: string, reason: string) {
    super(`CapTP session with ${peer} ended: ${reason}`);
    this.name = 'SessionClosedError';
    this.peer = peer;
    this.reason = reason;
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

/** Whether `e` ended a session because it lost a crossed-hellos race (either side's decision). */
export function isCrossedHellos(e: unknown): boolean {
  return e instanceof SessionClosedError && e.reason.endsWith(CROSSED_HELLOS);
}
