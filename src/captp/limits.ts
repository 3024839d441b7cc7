/**
 * Per-session limits against hostile peers. Every limit has a safe default and an option.
 * @module
 */

/** Limits of one CapTP session. Exceeding one aborts the session with a reason that names it. */
export interface SessionLimits {
  /** Deepest Syrup nesting accepted in one message. Default 64, at most 1,000. */
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
  /** Most deliveries, listens and selections of the peer's waiting on promises at once. Default 100,000. */
  readonly maxPending: number;
  /** Milliseconds the peer has to send a valid op:start-session before we abort. Default 30,000, at most 2^31-1. */
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
  maxPending: 100_000,
  handshakeTimeoutMs: 30_000,
});

/** Largest delay setTimeout honours (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Largest accepted maxDepth: the value codec recurses, and overflowed the stack at 2,000–4,000 levels. */
const MAX_DEPTH = 1000;

/**
 * Merge user limits over the defaults. TypeError if `partial` is not an object or names an
 * unknown limit; RangeError for a value that is not a positive integer, a `maxDepth` above
 * 1,000 or a `handshakeTimeoutMs` above 2^31-1.
 */
export function resolveLimits(partial: Partial<SessionLimits> | undefined): SessionLimits {
  if (partial !== undefined && (typeof partial !== 'object' || partial === null)) {
    throw new TypeError(`session limits must be an object, got ${partial === null ? 'null' : typeof partial}`);
  }
  const out: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(partial ?? {})) {
    if (!Object.hasOwn(DEFAULT_LIMITS, k)) throw new TypeError(`unknown session limit "${k}"`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`session limit ${k} must be a positive integer, got ${String(v)}`);
    }
    if (k === 'handshakeTimeoutMs' && v > MAX_TIMER_MS) {
      throw new RangeError(`session limit handshakeTimeoutMs must be at most ${MAX_TIMER_MS}, got ${v}`);
    }
    if (k === 'maxDepth' && v > MAX_DEPTH) {
      throw new RangeError(`session limit maxDepth must be at most ${MAX_DEPTH} (deeper values overflow the JS stack in the value codec), got ${v}`);
    }
    out[k] = v;
  }
  return Object.freeze(out) as unknown as SessionLimits;
}
