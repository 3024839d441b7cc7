/**
 * Outgoing distributed GC (notes §6.3): op:gc-exports with wire deltas and op:gc-answers,
 * gathered within one turn and written as the session's profile asks (batched lists or one
 * position per message; plural or singular labels).
 * @module
 */
import { encodeOp } from './ops.js';
import type { CaptpSession } from './session.js';

export class GcQueue {
  private readonly exportPositions: number[] = [];
  private readonly deltas: number[] = [];
  private readonly answerPositions: number[] = [];
  private scheduled = false;
  constructor(private readonly session: CaptpSession) {}

  /** Report that we received the peer's export `pos` `delta` times and no longer need it. */
  exports(pos: number, delta: number): void {
    this.exportPositions.push(pos);
    this.deltas.push(delta);
    this.schedule();
  }
  /** Release the peer's answer position `pos`. */
  answer(pos: number): void {
    this.answerPositions.push(pos);
    this.schedule();
  }
  clear(): void {
    this.exportPositions.length = 0;
    this.deltas.length = 0;
    this.answerPositions.length = 0;
  }
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flushSoon);
  }
  private readonly flushSoon = (): void => {
    this.scheduled = false;
    this.flush();
  };
  /** Send what is queued now. */
  flush(): void {
    const s = this.session;
    if (!s.isActive) return this.clear();
    // Under 'auto', wait until the peer's GC labels are known (./detect.ts).
    if (s.detector?.active(s) && s.detector.holdGc(this.exportPositions.length + this.answerPositions.length)) return;
    const { gcBatch, gcLabels } = s.profile;
    const expLabel = gcLabels === 'plural' ? 'op:gc-exports' : 'op:gc-export';
    const ansLabel = gcLabels === 'plural' ? 'op:gc-answers' : 'op:gc-answer';
    const big = (xs: number[]) => xs.map(BigInt);
    if (this.exportPositions.length) {
      if (gcBatch) {
        s.send(encodeOp(expLabel, { exportPositions: big(this.exportPositions), wireDeltas: big(this.deltas) }));
      } else {
        this.exportPositions.forEach((p, i) => s.send(encodeOp(expLabel, { exportPositions: [BigInt(p)], wireDeltas: [BigInt(this.deltas[i])] })));
      }
    }
    if (this.answerPositions.length) {
      if (gcBatch) s.send(encodeOp(ansLabel, { answerPositions: big(this.answerPositions) }));
      else this.answerPositions.forEach((p) => s.send(encodeOp(ansLabel, { answerPositions: [BigInt(p)] })));
    }
    this.clear();
  }
}
