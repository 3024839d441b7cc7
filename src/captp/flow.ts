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
 * connection's `bufferedAmount`: above `sendHighWaterBytes` the session holds back work queued
 * with {@link whenWritable} (answers to the peer, which is what a peer that does not read can
 * multiply) until the netlayer reports `drain`, and stops reading the peer's input
 * (`pauseReading`), except while it waits for the peer's answers to its own questions: two
 * sessions that both stopped reading would wait on each other for ever. While it reads on,
 * the peer's requests are counted, and past `maxSendBufferBytes` of them input stops anyway
 * (their answers are held in memory). A peer that stays above the mark for
 * `sendStuckTimeoutMs`, or lets `maxSendBufferBytes` of output pile up, gets the session
 * aborted. A netlayer without `bufferedAmount` gets no backpressure.
 */
export class OutputFlow {
  /** Output is above the high-water mark: answers are held back. */
  #holding = false;
  /** `pauseReading()` is in force. */
  #inputPaused = false;
  /** Bytes of the peer's requests read since holding began. */
  #requestBytes = 0;
  #stuck: ReturnType<typeof setTimeout> | undefined;
  #waiting: Array<() => void> = [];
  #emptied: Array<() => void> = [];
  #closed = false;

  /**
   * @param awaiting whether the session waits on the peer (questions or imported promises of
   *   its own outstanding): then its input is not paused for its own output.
   */
  constructor(
    private readonly connection: Connection,
    private readonly limits: SessionLimits,
    private readonly abort: (reason: string) => void,
    private readonly awaiting: () => boolean = () => false,
  ) {}

  /** Whether answers are held back because the peer is not taking our output. */
  get paused(): boolean {
    return this.#holding;
  }

  /** Whether the peer's input is paused (see the class description). */
  get inputPaused(): boolean {
    return this.#inputPaused;
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
    if (buffered > this.limits.sendHighWaterBytes && !this.#holding) {
      this.#holding = true;
      this.#requestBytes = 0;
      this.#stuck = setTimeout(() => {
        this.abort(`peer is not reading: output stayed above ${this.limits.sendHighWaterBytes} bytes for ${this.limits.sendStuckTimeoutMs} ms`);
      }, this.limits.sendStuckTimeoutMs);
      this.#stuck.unref?.();
    }
    if (this.#holding) this.#updateInput();
  }

  /** The peer sent a request (work whose answer we would send) of `bytes` bytes. */
  requestReceived(bytes: number): void {
    if (!this.#holding || this.#closed) return;
    this.#requestBytes += bytes;
    this.#updateInput();
  }

  /** Pause input while holding, unless we wait on the peer and its requests stay within bounds. */
  #updateInput(): void {
    const pause = this.#holding && !this.#closed && (!this.awaiting() || this.#requestBytes > this.limits.maxSendBufferBytes);
    if (pause === this.#inputPaused || !this.connection.pauseReading) return;
    this.#inputPaused = pause;
    if (pause) this.connection.pauseReading();
    else this.connection.resumeReading?.();
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
    if (!this.#holding || this.#closed) return;
    this.#holding = false;
    this.#requestBytes = 0;
    clearTimeout(this.#stuck);
    this.#updateInput();
    while (!this.#holding && !this.#closed && this.#waiting.length > 0) this.#waiting.shift()!();
  }

  /** Run `work` now, or once the output has drained if it is above the high-water mark. */
  whenWritable(work: () => void): void {
    if (this.#holding) this.#waiting.push(work);
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
