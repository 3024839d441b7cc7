/**
 * Per-session statistics: live table sizes and cumulative message and byte counts.
 * The session counts each message it reads or writes in one place (its wire observer), with
 * four integer additions and no allocation; {@link sessionStats} reads the counters and the
 * tables only when asked. Platform-neutral.
 * @module
 */
import type { CaptpSession, PeerIdentity } from './session.js';

/** Cumulative counters of one session (incremented by the session; read by {@link sessionStats}). */
export class SessionCounters {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** When the session was created (its connection attached), in ms since the Unix epoch. */
  readonly openedAt = Date.now();

  /** Count one message of `bytes` bytes read (`'in'`) or written (`'out'`). */
  count(direction: 'in' | 'out', bytes: number): void {
    if (direction === 'in') {
      this.messagesIn++;
      this.bytesIn += bytes;
    } else {
      this.messagesOut++;
      this.bytesOut += bytes;
    }
  }
}

/**
 * A snapshot of one session (see `CaptpSession.stats()` and `OcapnNode.stats()`).
 * Table counts are live (they drop as the peer and we collect); message and byte counts are
 * cumulative since the session began, including op:start-session and op:abort. A message that
 * failed to decode is not counted (the session aborts on it).
 */
export interface SessionStats {
  /** The peer's URI (`ocapn://designator.transport`), once its op:start-session verified. */
  readonly peer: string | undefined;
  /** The peer's designator and transport, once known. */
  readonly designator: string | undefined;
  readonly transport: string | undefined;
  /** How sure we are of the peer's designator (see {@link PeerIdentity}). */
  readonly identity: PeerIdentity;
  /** `handshake`, `active` or `closed`. */
  readonly state: 'handshake' | 'active' | 'closed';
  /** Why the session ended, once it has. */
  readonly closeReason: string | undefined;
  /** When the session began (connection attached), in ms since the Unix epoch. */
  readonly openedAt: number;
  /**
   * Entries of our export table: objects and promises the peer holds from us, including our
   * bootstrap object (position 0, there while the session is open).
   */
  readonly exports: number;
  /**
   * Entries of our import table: the peer's objects and promises we hold, including its
   * bootstrap object once used and its resolvers for questions we have not answered yet.
   */
  readonly imports: number;
  /** Answers we hold for the peer's questions now. */
  readonly answers: number;
  /** Our questions to the peer still awaiting their answers. */
  readonly questions: number;
  /** Messages and bytes (as framed by the codec, before netlayer framing) received and sent. */
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Read a snapshot of `session`: O(1), no table is walked. */
export function sessionStats(session: CaptpSession): SessionStats {
  const c = session.counters;
  const loc = session.peerLocation;
  return {
    peer: loc ? session.peerName : undefined,
    designator: loc?.designator,
    transport: loc?.transport,
    identity: session.identity,
    state: session.isActive ? 'active' : session.isOpen ? 'handshake' : 'closed',
    closeReason: session.closeReason?.reason,
    openedAt: c.openedAt,
    exports: session.exports.size,
    imports: session.imports.size,
    answers: session.answers.size,
    questions: session.questions.size,
    messagesIn: c.messagesIn,
    messagesOut: c.messagesOut,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
  };
}

/** A node's sessions and their sums (see `OcapnNode.stats()`). */
export interface NodeStats {
  /** Every session that has not ended, oldest first. */
  readonly sessions: readonly SessionStats[];
  /** Sums over {@link sessions} (ended sessions are not included). */
  readonly totals: {
    readonly exports: number;
    readonly imports: number;
    readonly answers: number;
    readonly questions: number;
    readonly messagesIn: number;
    readonly messagesOut: number;
    readonly bytesIn: number;
    readonly bytesOut: number;
  };
}

/** Snapshots of `sessions` and their sums. */
export function nodeStats(sessions: readonly CaptpSession[]): NodeStats {
  const list = sessions.map(sessionStats);
  const totals = { exports: 0, imports: 0, answers: 0, questions: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  for (const s of list) {
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += s[k];
  }
  return { sessions: list, totals };
}
