/**
 * examples/handoff as a user runs it: three processes over WebSocket. Alice gives Bob her
 * reference to Carol; Bob's call to Carol must arrive on a Bob–Carol session, not through
 * Alice.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, ensureBuilt, run } from '../helpers/built.js';

it('the three-party handoff: Bob calls Carol on his own session with her', async () => {
  ensureBuilt();
  const r = await run([join(ROOT, 'examples/handoff/run.mjs')], 60_000);
  expect(r.stderr).toBe('');
  expect(r.code, r.stdout).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  const designator = (who: string) => {
    const line = lines.find((l) => l.startsWith(`[${who}] designator `));
    expect(line, who).toBeDefined();
    return /designator ([a-z2-7]{8})…$/.exec(line!)![1]!;
  };
  const [alice, bob, carol] = [designator('alice'), designator('bob'), designator('carol')];
  expect(new Set([alice, bob, carol]).size).toBe(3);
  expect(lines.filter((l) => l.startsWith('[carol] hello call'))).toEqual([
    `[carol] hello call arrived on the session with alice (${alice}…)`,
    `[carol] hello call arrived on the session with bob (${bob}…)`,
  ]);
  expect(lines).toContain('[bob] Carol answered Bob directly: hello bob, this is Carol');
  expect(lines).toContain('[alice] Bob reports: hello bob, this is Carol');
  expect(lines.at(-1)).toBe('[handoff] done');
}, 90_000);
