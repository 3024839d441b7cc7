// The packed package as users get it: publint and @arethetypeswrong/cli find no problem (both
// run offline on the tarball), and every source map carries its sources (src/ is not shipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/built.js';

let dir = '';
let tarball = '';

/** Runs a package's bin with node; returns its exit code and output. */
function run(bin: string, args: string[], cwd: string): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules', bin), ...args], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ocapn-ts-pack-'));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, stdio: 'pipe' });
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('publint: no errors, warnings or suggestions', () => {
    const { code, out } = run('publint/src/cli.js', ['run', '--strict', tarball], dir);
    expect(out).toContain('All good!');
    expect(code).toBe(0);
  }, 120_000);

  it('@arethetypeswrong/cli (ESM-only profile): no problems', () => {
    const { code, out } = run('@arethetypeswrong/cli/dist/index.js', [tarball, '--profile', 'esm-only', '--format', 'json'], dir);
    const report = JSON.parse(out) as { analysis: { problems: { kind: string; resolutionKind?: string }[] } };
    // The package is ESM only (README, docs/esm.md): CommonJS require() and the pre-exports
    // node10 resolution are out of scope, which is what the esm-only profile ignores.
    const counted = report.analysis.problems.filter((p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs');
    expect(counted).toEqual([]);
    expect(code).toBe(0);
  }, 120_000);

  it('every shipped source map embeds the content of its sources', () => {
    execFileSync('tar', ['-xzf', tarball, '-C', dir]);
    const maps: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith('.js.map')) maps.push(join(d, e.name));
      }
    };
    walk(join(dir, 'package', 'dist'));
    expect(maps.length).toBeGreaterThan(50);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(map.sourcesContent!.every((c) => typeof c === 'string' && c.length > 0), file).toBe(true);
    }
  }, 120_000);
});
