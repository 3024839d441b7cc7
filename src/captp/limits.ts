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
  /**
   * Largest incoming message before the handshake, in bytes: the peer's op:start-session
   * (a few hundred bytes in practice). Passed to the netlayer's `setMaxMessageBytes`, so a
   * stream netlayer stops buffering as soon as a larger one shows. Default 64 KiB. A message
   * that arrives in the same read as op:start-session is held to it too.
   */
  readonly maxHandshakeMessageBytes: number;
  /** Largest incoming message once the session is established, in bytes (the netlayer's own limit still applies). Default 16 MiB. */
  readonly maxMessageBytes: number;
  /**
   * Bytes the peer can make us hold in answers: each answer position is charged the size of
   * the message that opened it plus the size of the result we sent, until op:gc-answers
   * releases it. Default 64 MiB.
   */
  readonly maxAnswerBytes: number;
  /**
   * Output high-water mark, in bytes queued in the netlayer and not yet written: above it we
   * hold back answers until the queue drains and stop reading the peer's input, except while
   * we wait for the peer's answers to our own questions (then its requests are read up to
   * `maxSendBufferBytes` of them). Default 1 MiB.
   */
  readonly sendHighWaterBytes: number;
  /** Bytes queued for a peer that does not read before the session aborts. Default 64 MiB. */
  readonly maxSendBufferBytes: number;
  /** Milliseconds the output may stay above the high-water mark before the session aborts. Default 30,000. */
  readonly sendStuckTimeoutMs: number;
  /**
   * Milliseconds an established session may stay idle before it is closed: no imports, no
   * exports but the bootstrap object, no questions, answers or pending work, and no message
   * from the peer. Default 120,000.
   */
  readonly idleTimeoutMs: number;
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
  maxHandshakeMessageBytes: 64 * 1024,
  maxMessageBytes: 16 * 1024 * 1024,
  maxAnswerBytes: 64 * 1024 * 1024,
  sendHighWaterBytes: 1024 * 1024,
  maxSendBufferBytes: 64 * 1024 * 1024,
  sendStuckTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
});

/** The limits that are timer delays (at most 2^31-1 ms). */
const TIMER_LIMITS = new Set(['handshakeTimeoutMs', 'sendStuckTimeoutMs', 'idleTimeoutMs']);

/** Largest delay setTimeout honours (a longer one fires after 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Largest accepted maxDepth: the value codec recurses, and overflowed the stack at 2,000–4,000 levels. */
const MAX_DEPTH = 1000;

/**
 * Merge user limits over the defaults. TypeError if `partial` is not an object or names an
 * unknown limit; RangeError for a value that is not a positive integer, a `maxDepth` above
 * 1,000, a timer (`…Ms`) above 2^31-1, or a `sendHighWaterBytes` above `maxSendBufferBytes`.
 */
export function resolveLimits(partial: Partial<SessionLimits> | undefined): SessionLimits {
  const out = mergePositiveIntegers(DEFAULT_LIMITS, partial, 'session limit');
  for (const k of TIMER_LIMITS) {
    if (out[k] > MAX_TIMER_MS) throw new RangeError(`session limit ${k} must be at most ${MAX_TIMER_MS}, got ${out[k]}`);
  }
  if (out.maxDepth > MAX_DEPTH) {
    throw new RangeError(`session limit maxDepth must be at most ${MAX_DEPTH} (deeper values overflow the JS stack in the value codec), got ${out.maxDepth}`);
  }
  if (out.sendHighWaterBytes > out.maxSendBufferBytes) {
    throw new RangeError(`session limit sendHighWaterBytes (${out.sendHighWaterBytes}) must not exceed maxSendBufferBytes (${out.maxSendBufferBytes})`);
  }
  return Object.freeze(out) as unknown as SessionLimits;
}

/**
 * Merge `partial` over `defaults`, where every value is a positive safe integer (`undefined`
 * keeps the default). Shared by the session and node limits.
 * @param what how one entry is named in messages, e.g. `'node limit'`.
 * @throws TypeError if `partial` is not an object or names an unknown entry; RangeError for a
 *   value that is not a positive safe integer.
 */
export function mergePositiveIntegers<T extends object>(defaults: T, partial: Partial<T> | undefined, what: string): Record<string, number> {
  if (partial !== undefined && (typeof partial !== 'object' || partial === null)) {
    throw new TypeError(`${what}s must be an object, got ${partial === null ? 'null' : typeof partial}`);
  }
  const out: Record<string, number> = { ...(defaults as Record<string, number>) };
  for (const [k, v] of Object.entries(partial ?? {})) {
    if (!Object.hasOwn(defaults, k)) throw new TypeError(`unknown ${what} "${k}"`);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`${what} ${k} must be a positive integer, got ${String(v)}`);
    }
    out[k] = v;
  }
  return out;
}
