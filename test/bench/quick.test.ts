/**
 * `npm run bench -- --quick` runs to the end and writes every scenario with finite numbers.
 * No timing assertions: the benchmark is a program; this only checks that it still works
 * (it needs dist/, which `npm test` builds first).
 */
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const run = fileURLToPath(new URL('../../bench/run.mjs', import.meta.url));

/** Every number anywhere under `v`, with its path. */
function numbers(v: unknown, path = '', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (typeof v === 'number') out.push([path, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbers(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) numbers(x, `${path}.${k}`, out);
  return out;
}

describe('npm run bench -- --quick', () => {
  it('writes results.json with every scenario, all numbers finite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ocapn-bench-'));
    const out = join(dir, 'results.json');
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [run, '--quick', `--out=${out}`], { timeout: 170_000, maxBuffer: 1 << 20 }, (err, so, se) =>
          err ? reject(new Error(`${err.message}\n${se}`)) : resolve(so),
        );
      });
      expect(stdout).toContain('round trip');
      const r = JSON.parse(readFileSync(out, 'utf8'));
      expect(r.quick).toBe(true);
      const sc = r.scenarios;
      expect(Object.keys(sc).sort()).toEqual(['codec', 'floor', 'handoff', 'memory', 'roundTrip', 'scaling', 'testPeer', 'throughput']);
      // The E() floor is part of what one call costs in-process, so it is smaller.
      expect(sc.floor.eFloor).toBeGreaterThan(0);
      expect(sc.floor.eFloor).toBeLessThan(sc.floor.inProcess);
      const clients = ['rawTcp', 'rawWs', 'jsonLines', 'ocapnTcp', 'ocapnWs', 'endoCaptp', 'capnweb'];
      for (const c of clients) {
        expect(Object.keys(sc.roundTrip[c]).sort()).toEqual(['callsPerSec', 'p50Us', 'p99Us', 'warmCalls', 'warmMs']);
        expect(Object.keys(sc.throughput[c]).filter((k) => k !== 'messagesPerCall').sort()).toEqual(['cpuUsPerCall', 'unbounded', 'warmCalls', 'warmMs', 'window200']);
        // Every ocapn-ts call is at least a deliver and a fulfil.
        if (c.startsWith('ocapn')) expect(sc.throughput[c].messagesPerCall.out + sc.throughput[c].messagesPerCall.in).toBeGreaterThanOrEqual(2);
        // Warmed by work: at least two blocks of calls before the measured ones.
        expect(sc.roundTrip[c].warmCalls).toBeGreaterThanOrEqual(1000);
      }
      // The byte-level test-peer scenario: both servers, both modes, every call answered.
      for (const server of ['rawTcp', 'testPeer']) {
        for (const mode of ['sequential', 'window200']) expect(Object.keys(sc.testPeer[server][mode]).sort()).toEqual(['callsPerSec', 'p50Us', 'p99Us']);
        expect(sc.testPeer[server].warmCalls).toBeGreaterThan(0);
      }
      // The library-vs-JSON-lines ratios are printed explicitly.
      for (const name of ['ocapnTcp', 'ocapnWs', 'endoCaptp', 'capnweb']) {
        for (const kind of ['sequential', 'concurrent (window 200)']) {
          const row = r.rows.find((x: { figure: string }) => x.figure === `${name} ${kind}`);
          expect(row?.baseline, `${name} ${kind}`).toBe('jsonLines');
        }
      }
      // Every issue-12 target was measured (met or not).
      expect(r.targets).toHaveLength(10);
      for (const t of r.targets) expect(typeof t.met, t.target).toBe('boolean');
      expect(stdout).toContain('-- issue 12 targets');
      expect(sc.codec.map((x: { name: string }) => x.name)).toHaveLength(3);
      expect(sc.handoff).toHaveProperty('roundTrips');
      expect(sc.memory.table.exports).toBe(r.size.exports);
      expect(sc.memory.idle.live).toBeGreaterThanOrEqual(r.size.idleSessions);
      expect(Object.keys(sc.scaling.sessions).map(Number)).toEqual(r.size.sessionCounts);
      expect(sc.scaling.bigArgument.ocapnTcp).toHaveProperty('p50Us');
      const all = numbers(sc);
      expect(all.length).toBeGreaterThan(90);
      for (const [path, n] of all) expect(Number.isFinite(n), path).toBe(true);
      for (const row of r.rows) {
        expect(Number.isFinite(row.value), row.figure).toBe(true);
        if (row.baseline !== undefined) expect(Number.isFinite(row.ratio), row.figure).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
