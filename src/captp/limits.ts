/**
 * Per-session limits against hostile peers. Every limit has a safe default and an option.
 * @module
 */

/** Limits of one CapTP session. Exceeding one aborts the session with a reason that names it. */
export interface SessionLimits {
  /** Deepest Syrup nesting accepted in one message. Default 64. */
  readonly maxDepth: number;
  /** Most entries in one container of a message. Default 100,000. */
  readonly maxContainerLength: number;
  /** Longest string, symbol or bytestring in a message, in bytes. Default 16 MiB. */
  readonly maxBytesLength: number;
  /** Most objects we export in this session at once. Default 100,000. */
  readonly maxExports: number;
  /** Most live imports in this session. Default 100,000. */
  readonly maxImports: number;
  /** Most answer positions the peer may hold open with us. Default 100,000. */
  readonly maxAnswers: number;
  /** Most of our questions awaiting an answer. Default 100,000. */
  readonly maxQuestions: number;
  /** Milliseconds the peer has to send a valid op:start-session before we abort. Default 30,000. */
  readonly handshakeTimeoutMs: number;
}

export const DEFAULT_LIMITS: SessionLimits = Object.freeze({
  maxDepth: 64,
  maxContainerLength: 100_000,
  maxBytesLength: 16 * 1024 * 1024,
  maxExports: 100_000,
  maxImports: 100_000,
  maxAnswers: 100_000,
  maxQuestions: 100_000,
  handshakeTimeoutMs: 30_000,
});

/** Merge user limits over the defaults; RangeError for a value that is not a positive integer. */
export function resolveLimits(partial: Partial<SessionLimits> | undefined): SessionLimits {
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial ?? {})) {
    if (!Object.hasOwn(DEFAULT_LIMITS, k)) throw new TypeError(`unknown session limit "${k}"`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`session limit ${k} must be a positive integer, got ${String(v)}`);
    }
    out[k] = v;
  }
  return Object.freeze(out) as unknown as SessionLimits;
}
