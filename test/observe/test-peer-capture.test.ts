import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt, run, spawnWithFirstLine } from '../helpers/built.js';

describe('ocapn test-peer --capture DIR', () => {
  it('writes one capture per session, which ocapn trace reads back', async () => {
    ensureBuilt();
    mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.test-tmp', 'observe-peer-'));
    const { child, line } = await spawnWithFirstLine([CLI, 'test-peer', '--port', '0', '--designator', 'capturepeer', '--capture', dir]);
    try {
      const u = new URL(line);
      const echo = `ocapn://${u.host}/s/${Buffer.from('IO58l1laTyhcrgDKbEzFOO32MDd6zE5w').toString('base64url')}${u.search}`;
      const r = await run([CLI, 'call', echo, 'hi', '7']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`['hi 7]`);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/capturep-\d+-0\.ocapn-capture$/);
    const t = await run([CLI, 'trace', '--time', 'none', ...files]);
    expect(t.code).toBe(0);
    const lines = t.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('# node capturep = capturepeer.tcp-testing-only');
    expect(lines.some((l) => /^capturep → \S+ op:start-session "1\.0" /.test(l))).toBe(true);
    expect(lines.some((l) => /^\S+ → capturep op:deliver <desc:export \d+> \['hi 7\] \d+ <desc:import-object \d+>$/.test(l))).toBe(true);
    expect(lines.some((l) => /^capturep → \S+ op:deliver(-only)? <desc:export \d+> \['fulfill \['hi 7\]\]/.test(l))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
