// Timing helpers for `npm run bench`.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** Monotonic time in milliseconds. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Forces full collections and returns the heap in use, in bytes. */
export function heapNow() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** The q-quantile (0..1) of numbers. */
export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Blocks of this many sequential calls during a round-trip warm-up. */
export const WARM_BLOCK = 500;

/**
 * Warms code up by work and by time: runs `block()` (one block of calls; returns its cost,
 * lower is better) until `patience` blocks in a row did not beat the best cost so far by more
 * than `gain` (5 %), or `capMs` has passed.
 * @returns {{ blocks: number, ms: number, first: number, best: number }} blocks run, time
 *   taken, and the first and best costs.
 */
export async function warmUp(block, capMs, { patience = 3, gain = 0.05 } = {}) {
  const t0 = nowMs();
  let best = Infinity;
  let first;
  let blocks = 0;
  let stale = 0;
  while (stale < patience && nowMs() - t0 < capMs) {
    const cost = await block();
    first ??= cost;
    blocks++;
    if (cost < best * (1 - gain)) stale = 0;
    else stale++;
    best = Math.min(best, cost);
  }
  return { blocks, ms: nowMs() - t0, first, best };
}

/** p50, p99 (µs) and calls/s of `count` sequential calls (no warm-up). */
export async function sequential(call, count) {
  const t = new Float64Array(count);
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    const t0 = nowMs();
    await call(i);
    t[i] = (nowMs() - t0) * 1000;
  }
  const callsPerSec = count / ((nowMs() - start) / 1000);
  t.sort();
  return { p50Us: t[Math.floor(count / 2)], p99Us: t[Math.min(count - 1, Math.floor(count * 0.99))], callsPerSec };
}

/**
 * Round trips of `count` sequential calls, once warm: before, blocks of {@link WARM_BLOCK}
 * calls until their p50 stops improving (see {@link warmUp}) or `warmCapMs` passes.
 * @returns {{ p50Us: number, p99Us: number, callsPerSec: number, warmCalls: number, warmMs: number }}
 *   in microseconds; `callsPerSec` is that of the `count` calls one after another.
 */
export async function roundTrip(call, count, warmCapMs = 1000) {
  const w = await warmUp(async () => (await sequential(call, WARM_BLOCK)).p50Us, warmCapMs);
  return { ...(await sequential(call, count)), warmCalls: w.blocks * WARM_BLOCK, warmMs: w.ms };
}

/**
 * Warms up `n`-call throughput runs at `window` by blocks of `block` calls until their
 * calls/s stops improving (see {@link warmUp}) or `capMs` passes.
 * @returns {{ calls: number, ms: number }}
 */
export async function warmThroughput(call, block, window, capMs) {
  const w = await warmUp(async () => 1 / (await throughput(call, block, window)), capMs);
  return { calls: w.blocks * block, ms: w.ms };
}

/**
 * Issues `n` calls without awaiting each, at most `window` in flight (Infinity: all at once).
 * @returns calls per second.
 */
export async function throughput(call, n, window) {
  const t0 = nowMs();
  if (!Number.isFinite(window) || window >= n) {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = call(i);
    await Promise.all(all);
  } else {
    let issued = 0;
    await new Promise((resolve, reject) => {
      let done = 0;
      const next = () => {
        const i = issued++;
        call(i).then(() => {
          done++;
          if (issued < n) next();
          else if (done === n) resolve();
        }, reject);
      };
      for (let k = 0; k < window && issued < n; k++) next();
    });
  }
  return n / ((nowMs() - t0) / 1000);
}
