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
