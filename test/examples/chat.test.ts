/**
 * examples/chat as a user runs it: `node examples/chat/run.mjs` starts the room's process
 * (Alice is in it) and a guest process (Bob) over WebSocket on 127.0.0.1; each sees the
 * other's lines, and every process exits cleanly.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, ensureBuilt, run } from '../helpers/built.js';

it('two processes chat over WebSocket: each sees the other’s lines, and both exit cleanly', async () => {
  ensureBuilt();
  const r = await run([join(ROOT, 'examples/chat/run.mjs')], 60_000);
  expect(r.stderr).toBe('');
  expect(r.code, r.stdout).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^\[chat\] room \(pid \d+\) at ocapn:\/\/[a-z2-7]{52}\.websocket\/s\/[\w-]{43}\?url=ws%3A%2F%2F127\.0\.0\.1%3A\d+$/);
  // Each side's lines in order (the two processes interleave freely).
  expect(lines.filter((l) => l.startsWith('[alice]'))).toEqual(['[alice] *: bob joined', '[alice] bob: hi alice, bye for now', '[alice] *: bob left']);
  expect(lines.filter((l) => l.startsWith('[bob]'))).toEqual(['[bob] alice: hello bob, welcome', '[bob] left']);
  expect(lines.at(-1)).toBe('[chat] done');
}, 90_000);
