/**
 * `ocapn test-peer --netlayer onion` and `ocapn call --tor-socks` over a private Tor network
 * on 127.0.0.1 (test/helpers/tor-network.ts; never the public Tor network), as real
 * processes. Skipped, with a message, when `tor` is not installed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt, run } from '../helpers/built.js';
import { startTorNetwork, torInstalled, type TorNetwork } from '../helpers/tor-network.js';

const HAVE_TOR = torInstalled();
if (!HAVE_TOR) console.warn('cli onion: skipped, `tor` (with tor-gencert) is not installed; `apt-get install tor` to run it');

describe.skipIf(!HAVE_TOR)('the ocapn CLI over onion (private Tor network, loopback only)', () => {
  let net: TorNetwork | undefined;
  let peer: ChildProcess | undefined;
  let lines: string[] = [];
  beforeAll(async () => {
    ensureBuilt();
    // A private Tor network can miss its bootstrap deadline on a loaded machine: one more try.
    for (let attempt = 1; net === undefined; attempt++) {
      try {
        net = await startTorNetwork(90_000);
      } catch (e) {
        if (attempt >= 2) throw e;
        console.warn(`cli onion: private Tor network did not start (${(e as Error).message.split('\n')[0]}), retrying`);
      }
    }
  }, 200_000);
  afterAll(async () => {
    if (peer && peer.exitCode === null) {
      const exited = new Promise((r) => peer!.once('exit', r));
      peer.kill('SIGTERM');
      await exited;
    }
    await net?.stop();
  }, 30_000);

  it('test-peer serves on an onion address and call reaches its echo through --tor-socks', async () => {
    const args = ['test-peer', '--netlayer', 'onion', '--tor-control', `127.0.0.1:${net!.controlPort}`, '--tor-socks', `127.0.0.1:${net!.socksPort}`];
    lines = await new Promise<string[]>((resolve, reject) => {
      peer = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: string[] = [];
      let err = '';
      peer.stderr!.on('data', (d) => (err += d));
      createInterface({ input: peer.stdout! }).on('line', (l) => {
        out.push(l);
        if (l === 'READY') resolve(out);
      });
      peer.on('exit', (code) => reject(new Error(`test-peer exited with ${code}: ${err}`)));
    });
    expect(lines[0]).toMatch(/^ocapn:\/\/[a-z2-7]{56}\.onion$/);
    const echo = lines.find((l) => l.startsWith('STURDYREF onion echo '))!.split(' ')[3]!;
    expect(echo).toMatch(/^ocapn:\/\/[a-z2-7]{56}\.onion\/s\//);
    const r = await run([CLI, 'call', '--tor-socks', `127.0.0.1:${net!.socksPort}`, echo, 'over-onion', '42', '"text"'], 90_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`['over-onion 42 "text"]\n`);
  }, 150_000);
});
