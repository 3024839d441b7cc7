/**
 * One share of the session fuzz run, for a test file: `OCAPN_FUZZ_CASES` (default 100,000)
 * hostile cases in total, split between the fuzz-sessions-*.test.ts files so vitest runs them
 * on two workers; `OCAPN_FUZZ_SEED` (default 42) changes the seed (each share adds its index).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FuzzBench, Fuzzer, summary } from './fuzz-driver.js';
import { watchProcessFaults } from './harness.js';

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/** Number of test files sharing the run. */
export const SHARES = 2;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** Declare the fuzz test of share `index` (0-based) in the calling test file. */
export function fuzzShare(index: number): void {
  const total = envInt('OCAPN_FUZZ_CASES', 100_000);
  const seed = envInt('OCAPN_FUZZ_SEED', 42) + index;
  const target = Math.ceil(total / SHARES);
  const { faults } = watchProcessFaults();
  let bench: FuzzBench;
  beforeAll(async () => {
    bench = await FuzzBench.start(`fuzz${index}`);
  });
  afterAll(() => bench.close());

  it(`${target.toLocaleString('en-US')} hostile cases on long-lived sessions (seed ${seed}): no crash, no leaked rejection, every abort well-formed, the node stays healthy`, async () => {
    const fuzzer = new Fuzzer(bench, target, faults);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    try {
      await fuzzer.run(seed);
    } finally {
      fuzzer.stats.faults.push(...faults);
      if (process.env.OCAPN_FUZZ_VERBOSE) process.stdout.write(`\n${JSON.stringify(fuzzer.stats, (k, v) => (k === 'heap' ? v.map((x: number) => Math.round(x / 1e6)) : v))}\n`);
      process.stdout.write(`\n${summary(`fuzz ${index + 1}/${SHARES}`, seed, fuzzer.stats, performance.now() - t0, cpuMs(process.cpuUsage(cpu0)))}\n`);
    }
    const { stats } = fuzzer;
    expect(stats.cases).toBeGreaterThanOrEqual(target);
    expect(faults).toEqual([]);
    // Every hostile session is gone; the healthy one remains.
    expect(bench.node.sessions.length).toBe(1);
    // The mix is meaningful: most cases keep the session, and killers end some sessions.
    if (target >= 10_000) {
      expect(stats.sessions).toBeLessThan(stats.cases / 10);
      expect(stats.outcomes.aborted).toBeGreaterThan(50);
    }
    // Memory does not grow without bound: the last third of the heap samples (after a full GC)
    // stays within a generous factor of the first third.
    const third = Math.floor(stats.heap.length / 3);
    if (third >= 2) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = mean(stats.heap.slice(0, third));
      const last = mean(stats.heap.slice(-third));
      expect(last).toBeLessThan(first * 2 + 16 * 1024 * 1024);
    }
  }, 30 * 60_000);
}
