/**
 * Noticing a peer that stopped answering (frozen, partitioned, suspended) while we wait on it.
 * A closed connection is noticed by the netlayer; a silent one only by asking. The probe is a
 * CapTP question every implementation answers at once: `fetch` of an unknown swiss number on
 * the peer's bootstrap object, which breaks (Goblins, Endo, ocapn-ts; notes §15.1). Any
 * message from the peer counts as a sign of life.
 * @module
 */
import { isSuiteProfile } from './profile.js';
import { SyrupSymbol } from '../syrup/types.js';
import { randomBytes } from '../crypto/index.js';
import type { CaptpSession } from './session.js';

/** Liveness options of a node's sessions. */
export interface LivenessOptions {
  /**
   * A peer that has sent nothing for this long while we wait on it, including a probe's
   * answer, is declared dead: the session aborts and everything pending on it breaks. A probe
   * goes out after a quarter of it in silence; detection takes at most `timeoutMs` plus a
   * quarter. Milliseconds, integer from 100 to 2^31-1. Default 20,000.
   */
  readonly timeoutMs: number;
  /**
   * Also probe sessions with nothing outstanding that still hold references either way (keeps
   * watching peers we only hold references with). Sessions holding nothing are never probed:
   * they are left to the idle timeout. Default false.
   */
  readonly whileIdle: boolean;
}

export const DEFAULT_LIVENESS: LivenessOptions = Object.freeze({ timeoutMs: 20_000, whileIdle: false });

/**
 * Checks liveness options (`false` turns liveness off).
 * @throws TypeError / RangeError naming the bad option.
 */
export function resolveLiveness(options: Partial<LivenessOptions> | false | undefined): LivenessOptions | false {
  if (options === false) return false;
  if (options === undefined) return DEFAULT_LIVENESS;
  if (typeof options !== 'object' || options === null) throw new TypeError('liveness must be an object or false');
  const { timeoutMs = DEFAULT_LIVENESS.timeoutMs, whileIdle = DEFAULT_LIVENESS.whileIdle } = options;
  if (typeof timeoutMs !== 'number' || !Number.isSafeInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 2 ** 31 - 1) {
    throw new RangeError(`liveness.timeoutMs must be an integer from 100 to 2^31-1, got ${String(timeoutMs)}`);
  }
  if (typeof whileIdle !== 'boolean') throw new TypeError(`liveness.whileIdle must be a boolean, got ${typeof whileIdle}`);
  return Object.freeze({ timeoutMs, whileIdle });
}

/**
 * Probes one established session. Not used with the official suite's profile: its scripted
 * peer answers nothing it did not expect.
 */
export class LivenessWatch {
  #lastHeard = Date.now();
  #probeSentAt: number | undefined;
  #lastTick = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly session: CaptpSession,
    private readonly options: LivenessOptions,
  ) {}

  /** The peer sent something. */
  touch(): void {
    this.#lastHeard = Date.now();
    this.#probeSentAt = undefined;
  }

  start(): void {
    this.#lastHeard = Date.now();
    this.#lastTick = performance.now();
    this.#timer = setInterval(() => this.#tick(), Math.floor(this.options.timeoutMs / 4));
    this.#timer.unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Whether we are waiting on the peer: questions in flight or promises of its we listen to. */
  #waiting(): boolean {
    const s = this.session;
    return s.questions.size > 0 || s.remotePromises.size > 0;
  }

  #tick(): void {
    const s = this.session;
    const now = Date.now();
    // Our own event loop stalled (a long synchronous task): the peer's answers may be waiting
    // behind this timer. Judge it on a later tick, once they have been read.
    const tick = performance.now();
    const late = tick - this.#lastTick > 2 * (this.options.timeoutMs / 4);
    this.#lastTick = tick;
    if (late) {
      this.#lastHeard = Math.max(this.#lastHeard, now - this.options.timeoutMs / 2);
      return;
    }
    // A session that holds nothing is left to the idle timeout: probing it would keep it alive.
    if (!s.isActive || isSuiteProfile(s.profile) || s.holdsNothing() || (!this.options.whileIdle && !this.#waiting())) {
      this.#lastHeard = now;
      this.#probeSentAt = undefined;
      return;
    }
    const quiet = now - this.#lastHeard;
    if (quiet >= this.options.timeoutMs) {
      s.abort(`peer sent nothing for ${quiet} ms and did not answer a liveness probe (timeout ${this.options.timeoutMs} ms)`);
      return;
    }
    if (this.#probeSentAt === undefined && quiet >= this.options.timeoutMs / 4) {
      this.#probeSentAt = now;
      s.question({ kind: 'export', pos: 0 }, [new SyrupSymbol('fetch'), randomBytes(16)]).catch(() => {});
    }
  }
}
