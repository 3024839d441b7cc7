/**
 * The node's table of peer sessions (notes §5.3, §5.4): which established session serves
 * each peer, the dials in progress, crossed hellos, and how proven and claimed identities
 * meet.
 *
 * The rules:
 * - On a netlayer that proves nothing (`tcp-testing-only`) every session is claimed and the
 *   first one with a peer serves it, as the spec and the official suite expect.
 * - On a netlayer that proves the peers we dial (`websocket`: {@link Netlayer.authenticates}
 *   `'dialled'`) an incoming session is only claimed: it serves the peer's own calls but is
 *   never used for ours (a swiss number must not reach an impostor). When we need that peer
 *   we dial it. If the real peer refuses the dial because it already has a session with us
 *   (a duplicate refusal, or crossed hellos), the claimed session is its own: it is marked
 *   `confirmed` and serves. If the real peer accepts (its first message after the handshake
 *   shows it), the claimants are aborted.
 * - A claimed session never displaces a proven one in crossed hellos.
 * @module
 */
import { CROSSED_HELLOS, DUPLICATE_SESSION, peerHasOtherSession, type SessionClosedError } from '../captp/errors.js';
import type { CaptpSession } from '../captp/session.js';
import { compareBytes } from '../syrup/index.js';
import { locatorKey } from '../locator/index.js';

/** A dial in progress. */
export interface Dial {
  session?: CaptpSession;
  readonly promise: Promise<CaptpSession>;
  settle(s: CaptpSession | Error): void;
}

export class PeerSessions {
  /** The session that serves each peer (by locator key). */
  private readonly active = new Map<string, CaptpSession>();
  /** Claimed-only sessions, on netlayers that prove the peers we dial. */
  private readonly claimed = new Map<string, Set<CaptpSession>>();
  readonly dialling = new Map<string, Dial>();
  /** When each session's connection was attached and its handshake finished (one sequence). */
  private readonly order = new WeakMap<CaptpSession, { attached: number; established?: number }>();
  private seq = 0;

  attached(s: CaptpSession): void {
    this.order.set(s, { attached: ++this.seq });
  }

  /** The session serving `key`, if any. */
  serving(key: string): CaptpSession | undefined {
    const s = this.active.get(key);
    return s?.isActive ? s : undefined;
  }

  /** How many claimed-only sessions name `key`. */
  claimedCount(key: string): number {
    return this.claimed.get(key)?.size ?? 0;
  }

  /**
   * Place a session whose peer identity passed the admission checks.
   * @param untrustedClaims the netlayer proves the peers we dial, so claims alone are not enough.
   * @returns a reason to refuse the session, or `undefined`.
   */
  place(s: CaptpSession, untrustedClaims: boolean): string | undefined {
    const key = locatorKey(s.peerLocation!);
    const order = this.order.get(s)!;
    order.established = ++this.seq;
    const pending = this.dialling.get(key);
    const active = this.serving(key);
    // The other session with this peer, if any: the one serving it, or our dial in its handshake.
    const other = active && active !== s ? active : pending?.session !== s && pending?.session?.isOpen ? pending.session : undefined;
    const onlyClaimed = untrustedClaims && s.identity === 'claimed';
    if (other) {
      // Crossed hellos (§5.4): opposite directions, and this one was opened before the other
      // finished its handshake. Otherwise this is a duplicate, refused (§5.3).
      const otherEstablished = this.order.get(other)?.established ?? Infinity;
      const crossed = s.connection.outgoing !== other.connection.outgoing && order.attached < otherEstablished;
      if (!crossed) return DUPLICATE_SESSION;
      const [out, inc] = s.connection.outgoing ? [s, other] : [other, s];
      const loser = compareBytes(out.ourPublicId, inc.peerPublicId!) > 0 ? inc : out;
      if (loser === s) return CROSSED_HELLOS;
      if (onlyClaimed && (other.identity !== 'claimed' || other.connection.provenDesignator !== undefined)) {
        // A claim never displaces a proven session: keep both. If the claimant is the real
        // peer, it aborts `other` (its side of the race) and that confirms this one.
        this.addClaimed(key, s);
        return undefined;
      }
      other.abort(CROSSED_HELLOS);
    }
    if (onlyClaimed) {
      this.addClaimed(key, s);
      return undefined;
    }
    this.active.set(key, s);
    if (pending) {
      this.dialling.delete(key);
      pending.settle(s);
    }
    return undefined;
  }

  /** The peer answered on `s` after the handshake: it accepted `s`, so claimants are impostors. */
  heard(s: CaptpSession): void {
    if (s.identity !== 'proven') return;
    const key = locatorKey(s.peerLocation!);
    if (this.serving(key) !== s) return;
    for (const c of this.claimed.get(key) ?? []) c.abort('another session proved it is this peer; this claim was not');
  }

  /** A session ended. */
  closed(s: CaptpSession, err: SessionClosedError): void {
    if (!s.peerLocation) return;
    const key = locatorKey(s.peerLocation);
    if (this.active.get(key) === s) this.active.delete(key);
    const set = this.claimed.get(key);
    if (set?.delete(s) && set.size === 0) this.claimed.delete(key);
    if (s.connection.provenDesignator !== undefined && peerHasOtherSession(err)) this.vouched(key);
  }

  /**
   * The real peer `key`, over a connection the netlayer proved, says it already has a session
   * with us (it refused ours as a duplicate, or gave it up to crossed hellos): that is the
   * claimed one, if there is exactly one. With several, none can be trusted: they are aborted
   * (the caller dials again).
   */
  vouched(key: string): void {
    const set = this.claimed.get(key);
    if (!set || set.size === 0 || this.serving(key)) return;
    if (set.size > 1) {
      for (const c of [...set]) c.abort(`${set.size} unproven sessions claim this peer; none can be confirmed`);
      return;
    }
    const [c] = set;
    this.claimed.delete(key);
    c.identity = 'confirmed';
    this.active.set(key, c);
    const pending = this.dialling.get(key);
    if (pending) {
      this.dialling.delete(key);
      pending.settle(c);
    }
  }

  private addClaimed(key: string, s: CaptpSession): void {
    let set = this.claimed.get(key);
    if (!set) this.claimed.set(key, (set = new Set()));
    set.add(s);
  }
}
