/**
 * Options of remote calls: deadlines and cancellation (used by ./questions.ts and
 * {@link withCallOptions} in ./refs.ts).
 * @module
 */

/**
 * Options of one remote call (or a session's defaults for every call).
 * - `timeoutMs`: milliseconds (integer ≥ 1, ≤ 2^31-1) before the answer breaks with a
 *   {@link CallTimeoutError};
 * - `signal`: an AbortSignal; when it aborts, the answer breaks with its reason (an
 *   `AbortError` DOMException by default).
 * Either way the answer position is released on the wire (op:gc-answers) and a late answer
 * from the peer is ignored. The call itself may still run on the peer: CapTP has no way to
 * stop it.
 */
export interface CallOptions {
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** A remote call that did not settle within its deadline. */
export class CallTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallTimeoutError';
  }
}

/**
 * Checks call options.
 * @throws TypeError / RangeError naming the bad option.
 */
export function checkCallOptions(options: unknown, where: string): CallOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: call options must be an object`);
  const { timeoutMs, signal } = options as CallOptions;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1)) {
    throw new RangeError(`${where}: timeoutMs must be an integer from 1 to 2^31-1, got ${String(timeoutMs)}`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new TypeError(`${where}: signal must be an AbortSignal`);
  // Only the options given: an absent one must not hide the node's default when spread over it.
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(signal !== undefined ? { signal } : {}) };
}

