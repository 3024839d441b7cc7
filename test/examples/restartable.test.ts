/**
 * examples/restartable (docs/persistence.md) as a user runs it: `node examples/restartable/run.mjs`
 * starts the service, calls it from a client process, kills the service, restarts it, and
 * calls it again through the URI from before the restart. All real processes, on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, ensureBuilt } from '../helpers/built.js';

it('the restartable service keeps its sturdyref URI across a kill and restart', () => {
  ensureBuilt();
  const r = spawnSync(process.execPath, [join(ROOT, 'examples/restartable/run.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  expect(r.stderr).toBe('');
  expect(r.status, r.stdout).toBe(0);
  const lines = r.stdout.split('\n');
  const uris = lines.filter((l) => l.startsWith('[service] URI ')).map((l) => l.slice('[service] URI '.length));
  expect(uris).toHaveLength(2);
  expect(uris[1]).toBe(uris[0]);
  expect(uris[0]).toMatch(/^ocapn:\/\/[a-z2-7]{52}\.websocket\/s\/[A-Za-z0-9_-]{43}\?url=ws%3A%2F%2F127\.0\.0\.1%3A\d+$/);
  const started = lines.filter((l) => l.startsWith('[service] STARTED'));
  expect(started[0]).toMatch(/new identity$/);
  expect(started[1]).toMatch(/identity reused$/);
  const pids = started.map((l) => /pid (\d+)/.exec(l)![1]);
  expect(pids[1]).not.toBe(pids[0]); // a new process, not the old one
  const answers = lines.filter((l) => l.startsWith('[client] ANSWER '));
  expect(answers).toEqual([
    `[client] ANSWER hello alice, from service pid ${pids[0]} (call 1 since it started)`,
    `[client] ANSWER hello bob, from service pid ${pids[1]} (call 1 since it started)`,
  ]);
  expect(lines).toContain('[run] OK: the sturdyref from before the restart still works');
}, 120_000);
