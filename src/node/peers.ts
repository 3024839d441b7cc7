/**
 * The node's table of peer sessions (notes §5.3, §5.4): which established session serves
 * each peer, the dials in progress, crossed hellos, and how proven and claimed identities
 * meet.
 *
 * The rules:
 * - On a netlayer that proves nothing (`tcp-testing-only`) every session is claimed and the
 *   first one with a peer serves it, as the spec and the official suite expect (unless it is
 *   found dead: see the last rule).
 * - On a netlayer that proves the peers we dial (`websocket`: {@link Netlayer.authenticates}
 *   `'dialled'`) an incoming session is only claimed: it serves the peer's own calls but is
 *   never used for ours (a swiss number must not reach an impostor). When we need that peer
 *   we dial it. If the real peer refuses the dial because it already has a session with us
 *   (a duplicate refusal, or crossed hellos), the claimed session is its own: it is marked
 *   `confirmed` and serves. If the real peer accepts (its first message after the handshake
 *   shows it), the claimants are aborted.
 * - A claimed session never displaces a proven one in crossed hellos.
 * - A second session with a peer that already has an established one (not crossed hellos)
 *   may replace it only when it cannot be an impostor taking over a live session:
 *   - under the `suite` profile, never: it is refused as a duplicate at once (spec §5.3,
 *     the official suite's `test_second_connection_after_first_established`);
 *   - a `proven` new session (the netlayer proved the designator) replaces it at once: only
 *     the peer itself can open one, so it restarted or lost the old connection;
 *   - on a netlayer that proves nothing (`tcp-testing-only`), a claimed new session is held:
 *     it is admitted but not used for our calls while the old session is probed (a `fetch`
 *     of an unknown swiss, with a deadline of {@link REPLACE_PROBE_MS}). If the old session
 *     answers, the new one is refused as a duplicate; if it does not answer in time, or ends,
 *     it is aborted as dead and the new one serves. One held session per peer at a time
 *     (more are refused as duplicates);
 *   - otherwise (a claim on a netlayer that proves the peers we dial) it is refused as a
 *     duplicate.
 * @module
 */
import { isSuiteProfile } from '../captp/profile.js';
import { CROSSED_HELLOS, DUPLICATE_SESSION, SessionClosedError, peerHasOtherSession } from '../captp/errors.js';
import { CallTimeoutError } from '../captp/call-options.js';
import type { CaptpSession } from '../captp/session.js';
import { compareBytes } from '../syrup/index.js';
import { SyrupSymbol } from '../syrup/types.js';
import { randomBytes } from '../crypto/index.js';
import { locatorKey } from '../locator/index.js';

/** How long an established session has to answer a probe when a new claimed session from the same peer waits to replace it, in ms. */
export const REPLACE_PROBE_MS = 2_000;

/** The op:abort reason for a session replaced by a new proven session from the same peer. */
export const REPLACED_BY_PROVEN = 'replaced by a newer session that the netlayer proved is this peer';

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
  /** Claimed sessions held while the established session they would replace is probed. */
  private readonly held = new Map<string, CaptpSession>();
  /** When each session's connection was attached and its handshake finished (one sequence). */
  private readonly order = new WeakMap<CaptpSession, { attached: number; established?: number }>();
  private seq = 0;

  /** @param replaceProbeMs how long an established session has to answer the probe when a claimed session would replace it. */
  constructor(private readonly replaceProbeMs = REPLACE_PROBE_MS) {}

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
      // finished its handshake. Otherwise this is a second session with the peer (§5.3).
      const otherEstablished = this.order.get(other)?.established ?? Infinity;
      const crossed = s.connection.outgoing !== other.connection.outgoing && order.attached < otherEstablished;
      if (crossed) {
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
      } else {
        const refusal = this.second(key, s, other, other === active, untrustedClaims);
        if (refusal !== undefined || this.held.get(key) === s) return refusal;
      }
    }
    if (onlyClaimed) {
      this.addClaimed(key, s);
      return undefined;
    }
    this.active.set(key, s);
    this.settleDial(key, s);
    return undefined;
  }

  /**
   * A second session `s` with the peer that `other` serves or is dialling (not crossed
   * hellos): replace `other`, hold `s` while `other` is probed, or refuse `s` (see the rules
   * in this module's comment). @returns the refusal reason, or `undefined`.
   */
  private second(key: string, s: CaptpSession, other: CaptpSession, established: boolean, untrustedClaims: boolean): string | undefined {
    if (!established || isSuiteProfile(s.profile) || isSuiteProfile(other.profile)) return DUPLICATE_SESSION;
    if (s.identity === 'proven') {
      other.abort(REPLACED_BY_PROVEN);
      return undefined;
    }
    if (untrustedClaims || this.held.has(key)) return DUPLICATE_SESSION;
    this.held.set(key, s);
    const decide = (alive: boolean) => {
      if (this.held.get(key) !== s) return; // `s` ended meanwhile
      this.held.delete(key);
      if (alive && other.isActive) {
        s.abort(DUPLICATE_SESSION);
        return;
      }
      other.abort(`did not answer a probe within ${this.replaceProbeMs} ms while a new session from this peer waited; replaced`);
      if (!s.isActive) return;
      this.active.set(key, s);
      this.settleDial(key, s);
    };
    other.question({ kind: 'export', pos: 0 }, [new SyrupSymbol('fetch'), randomBytes(16)], { timeoutMs: this.replaceProbeMs }).then(
      () => decide(true),
      (e: unknown) => decide(!(e instanceof CallTimeoutError) && !(e instanceof SessionClosedError)),
    );
    return undefined;
  }

  private settleDial(key: string, s: CaptpSession): void {
    const pending = this.dialling.get(key);
    if (pending) {
      this.dialling.delete(key);
      pending.settle(s);
    }
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
    if (this.held.get(key) === s) this.held.delete(key);
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
    this.settleDial(key, c);
  }

  private addClaimed(key: string, s: CaptpSession): void {
    let set = this.claimed.get(key);
    if (!set) this.claimed.set(key, (set = new Set()));
    set.add(s);
  }
}
