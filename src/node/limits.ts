/**
 * Node-wide limits against hostile peers: sessions, handshakes, per-address caps, the
 * handshake rate and node-wide byte budgets. Every limit has a safe default and an option
 * (`NodeOptions.nodeLimits`); docs/security.md lists them.
 * @module
 */
import { mergePositiveIntegers } from '../captp/limits.js';

/** Limits of one node, over all its sessions. */
export interface NodeLimits {
  /** Most sessions at once, including ones in their handshake. Default 10,000. */
  readonly maxSessions: number;
  /** Most sessions still in their handshake at once (each may buffer one op:start-session). Default 1,000. */
  readonly maxHandshakes: number;
  /** Most sessions from one network address (as the netlayer reports it) at once. Default 2,000. */
  readonly maxSessionsPerAddress: number;
  /** Most sessions using one peer session key at once (a key is fresh for each session). Default 1. */
  readonly maxSessionsPerKey: number;
  /**
   * Most claimed-only sessions naming one peer, on netlayers that prove the peers we dial
   * (websocket): the real peer and a few impostors can coexist until it is proven. Default 8.
   */
  readonly maxClaimedSessionsPerPeer: number;
  /** New incoming connections per second from one address, sustained (a token bucket). Default 200. */
  readonly handshakesPerSecondPerAddress: number;
  /** New incoming connections from one address in a burst (the bucket's size). Default 1,000. */
  readonly handshakeBurstPerAddress: number;
  /** Bytes held by answers over all sessions (see SessionLimits.maxAnswerBytes). Default 512 MiB. */
  readonly maxAnswerBytes: number;
}

export const DEFAULT_NODE_LIMITS: NodeLimits = Object.freeze({
  maxSessions: 10_000,
  maxHandshakes: 1_000,
  maxSessionsPerAddress: 2_000,
  maxSessionsPerKey: 1,
  maxClaimedSessionsPerPeer: 8,
  handshakesPerSecondPerAddress: 200,
  handshakeBurstPerAddress: 1_000,
  maxAnswerBytes: 512 * 1024 * 1024,
});

/**
 * Merge user limits over the defaults.
 * @throws TypeError if `partial` is not an object or names an unknown limit; RangeError for a
 *   value that is not a positive safe integer.
 */
export function resolveNodeLimits(partial: Partial<NodeLimits> | undefined): NodeLimits {
  return Object.freeze(mergePositiveIntegers(DEFAULT_NODE_LIMITS, partial, 'node limit')) as unknown as NodeLimits;
}

/**
 * Token buckets per network address: `burst` tokens, refilled at `perSecond`. Entries that
 * are full again are forgotten, so the map holds only addresses seen recently.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Take one token for `address`. @returns false if its bucket is empty. */
  take(address: string): boolean {
    const now = this.now();
    if (this.#buckets.size > 10_000) this.#sweep(now);
    const b = this.#buckets.get(address) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) {
      this.#buckets.set(address, b);
      return false;
    }
    b.tokens -= 1;
    this.#buckets.set(address, b);
    return true;
  }

  #sweep(now: number): void {
    for (const [address, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.burst) this.#buckets.delete(address);
    }
  }
}
