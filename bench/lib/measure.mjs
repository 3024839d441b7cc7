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

/**
 * Round trips of `count` sequential calls after `warm` unmeasured ones.
 * @returns {{ p50Us: number, p99Us: number }} in microseconds.
 */
export async function roundTrip(call, count, warm = Math.min(200, count)) {
  for (let i = 0; i < warm; i++) await call(i);
  const t = [];
  for (let i = 0; i < count; i++) {
    const t0 = nowMs();
    await call(i);
    t.push((nowMs() - t0) * 1000);
  }
  return { p50Us: quantile(t, 0.5), p99Us: quantile(t, 0.99) };
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
