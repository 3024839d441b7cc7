/**
 * Time and output a peer can make a session spend: backpressure on the netlayer's send
 * buffer, the bound on a peer that stays stuck, and the idle timeout. The limits come from
 * {@link SessionLimits}; docs/security.md lists them.
 * @module
 */
import type { Connection } from '../netlayers/interface.js';
import type { SessionLimits } from './limits.js';

/**
 * Output flow control for one session. After every send, {@link afterSend} reads the
 * connection's `bufferedAmount`: above `sendHighWaterBytes` the session stops reading the
 * peer's input (`pauseReading`) and holds back work queued with {@link whenWritable}
 * (answers to the peer, which is what a peer that does not read can multiply) until the
 * netlayer reports `drain`. A peer that stays above the mark for `sendStuckTimeoutMs`, or
 * lets `maxSendBufferBytes` pile up, gets the session aborted. A netlayer without
 * `bufferedAmount` gets no backpressure.
 */
export class OutputFlow {
  #paused = false;
  #stuck: ReturnType<typeof setTimeout> | undefined;
  #waiting: Array<() => void> = [];
  #emptied: Array<() => void> = [];
  #closed = false;

  constructor(
    private readonly connection: Connection,
    private readonly limits: SessionLimits,
    private readonly abort: (reason: string) => void,
  ) {}

  /** Whether input is paused because the peer is not taking our output. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Check the send buffer after a send. */
  afterSend(): void {
    const buffered = this.connection.bufferedAmount;
    if (buffered === undefined || this.#closed) return;
    if (buffered > this.limits.maxSendBufferBytes) {
      this.#closed = true; // the op:abort sent next must not come back here
      this.abort(`peer is not reading: ${buffered} bytes queued for it (limit maxSendBufferBytes ${this.limits.maxSendBufferBytes})`);
      return;
    }
    if (buffered > this.limits.sendHighWaterBytes && !this.#paused) {
      this.#paused = true;
      this.connection.pauseReading?.();
      this.#stuck = setTimeout(() => {
        this.abort(`peer is not reading: output stayed above ${this.limits.sendHighWaterBytes} bytes for ${this.limits.sendStuckTimeoutMs} ms`);
      }, this.limits.sendStuckTimeoutMs);
      this.#stuck.unref?.();
    }
  }

  /**
   * Resolves once the netlayer's send buffer is empty: at once if it is (or the netlayer does
   * not report `bufferedAmount`), else at its next `drain`, or when the session ends.
   */
  whenEmpty(): Promise<void> {
    if (this.#closed || !(this.connection.bufferedAmount! > 0)) return Promise.resolve();
    return new Promise((resolve) => this.#emptied.push(resolve));
  }

  /** The netlayer's send buffer emptied: resume reading and run held-back work, in order. */
  drained(): void {
    if (this.#emptied.length > 0 && !(this.connection.bufferedAmount! > 0)) for (const resolve of this.#emptied.splice(0)) resolve();
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    clearTimeout(this.#stuck);
    this.connection.pauseReading && this.connection.resumeReading?.();
    while (!this.#paused && !this.#closed && this.#waiting.length > 0) this.#waiting.shift()!();
  }

  /** Run `work` now, or once the output has drained if it is above the high-water mark. */
  whenWritable(work: () => void): void {
    if (this.#paused) this.#waiting.push(work);
    else work();
  }

  /** The session ended: drop held-back work and timers. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#stuck);
    this.#waiting = [];
    for (const resolve of this.#emptied.splice(0)) resolve();
  }
}

/**
 * Closes an established session that holds nothing and hears nothing for `idleTimeoutMs`
 * (see {@link SessionLimits.idleTimeoutMs}). Checked by one unref'd timer per session.
 */
export class IdleWatch {
  #last = Date.now();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly isIdle: () => boolean,
    private readonly onIdle: () => void,
  ) {}

  /** The peer sent something. */
  touch(): void {
    this.#last = Date.now();
  }

  /** Start watching (once the session is established). */
  start(): void {
    this.#last = Date.now();
    this.#schedule(this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => this.#check(), ms);
    this.#timer.unref?.();
  }

  #check(): void {
    const now = Date.now();
    if (!this.isIdle()) this.#last = now;
    const quiet = now - this.#last;
    if (quiet >= this.timeoutMs) this.onIdle();
    else this.#schedule(this.timeoutMs - quiet);
  }
}
