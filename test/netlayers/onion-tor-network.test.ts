/**
 * The private Tor network helper cleans up after a failure: every tor it launched is killed
 * (process group) and its temporary directory removed. Skipped when `tor` is not installed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { startTorNetwork, torInstalled } from '../helpers/tor-network.js';

const ours = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('ocapn-tor-'));
/** Command lines of running tors started from one of our temporary directories. */
const runningTors = (dirs: string[]): string[] =>
  execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('tor ') && dirs.some((d) => l.includes(d)));

describe.skipIf(!torInstalled())('private Tor network helper', () => {
  it('a start that fails (deadline passed) kills every tor it launched and removes its directory', async () => {
    const before = new Set(ours());
    let seen: string[] = [];
    const watcher = setInterval(() => {
      const fresh = ours().filter((d) => !before.has(d));
      if (fresh.length > 0) seen = fresh;
    }, 5);
    const err = await startTorNetwork(1).then(
      () => undefined,
      (e: Error) => e,
    );
    clearInterval(watcher);
    // 'relay keys' is the first wait after all 11 tors were launched.
    expect(err?.message).toMatch(/^private Tor network: relay keys did not happen in time/);
    expect(seen).toHaveLength(1);
    expect(ours().filter((d) => !before.has(d))).toEqual([]);
    expect(runningTors(seen)).toEqual([]);
  }, 60_000);
});
