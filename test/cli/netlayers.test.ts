/**
 * `ocapn test-peer` on several netlayers at once (issue 9 item 5): the Goblins-style output
 * lines, `ocapn call` dialling the transport a URI names, `--key-file` keeping URIs across
 * restarts, and one clear line for bad flags. Built CLI in child processes, loopback only.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt, run } from '../helpers/built.js';

const NAMES = ['car-factory-builder', 'echo', 'greeter', 'promise-resolver', 'sturdyref-enlivener'];

/** Spawn the CLI and collect stdout lines up to and including `READY`. */
function startPeer(args: string[], timeoutMs = 30_000): Promise<{ child: ChildProcess; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    const lines: string[] = [];
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no READY within ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line === 'READY') {
        clearTimeout(timer);
        resolve({ child, lines });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before READY: ${err}`));
    });
  });
}

function stopPeer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const sturdyOf = (lines: string[], transport: string, name: string) => {
  const prefix = `STURDYREF ${transport} ${name} `;
  const line = lines.find((l) => l.startsWith(prefix));
  expect(line).toBeDefined();
  return line!.slice(prefix.length);
};

describe('ocapn test-peer on websocket and tcp-tls at once', () => {
  let peer: ChildProcess | undefined;
  let lines: string[] = [];
  beforeAll(async () => {
    ensureBuilt();
    ({ child: peer, lines } = await startPeer(['test-peer', '--netlayer', 'websocket', '--netlayer', 'tcp-tls']));
  }, 60_000);
  afterAll(async () => {
    if (peer) await stopPeer(peer);
  });

  it('prints the first peer URI, then PEER, STURDYREF and READY lines in order', () => {
    expect(lines).toHaveLength(1 + 2 + 2 * NAMES.length + 1);
    const [first, peerWs, peerTls] = lines;
    expect(first).toMatch(/^ocapn:\/\/[a-z2-7]+\.websocket\?url=ws%3A%2F%2F127\.0\.0\.1%3A\d+$/);
    expect(peerWs).toBe(`PEER websocket ${first}`);
    expect(peerTls).toMatch(/^PEER tcp-tls ocapn:\/\/[0-9a-f]{64}\.tcp-tls\?host=127\.0\.0\.1&port=\d+$/);
    const expected = ['websocket', 'tcp-tls'].flatMap((t) => NAMES.map((n) => `STURDYREF ${t} ${n} `));
    expect(lines.slice(3, -1).map((l) => l.split(' ').slice(0, 3).join(' ') + ' ')).toEqual(expected);
    // Each sturdyref names its own netlayer's peer, with the suite's swiss number.
    const wsHost = new URL(first!).host;
    expect(sturdyOf(lines, 'websocket', 'echo')).toBe(
      `ocapn://${wsHost}/s/${Buffer.from('IO58l1laTyhcrgDKbEzFOO32MDd6zE5w').toString('base64url')}${new URL(first!).search}`,
    );
    expect(lines.at(-1)).toBe('READY');
  });

  it('ocapn call reaches the echo object over websocket and over tcp-tls', async () => {
    for (const transport of ['websocket', 'tcp-tls']) {
      const r = await run([CLI, 'call', sturdyOf(lines, transport, 'echo'), transport, '42', '1.5'], 30_000);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(`['${transport} 42 1.5]`); // the method name arrives as a Symbol
    }
  }, 60_000);
});

describe('ocapn test-peer --key-file', () => {
  it('keeps every URI across a restart, and writes the file private', async () => {
    ensureBuilt();
    const file = join(mkdtempSync(join(tmpdir(), 'ocapn-cli-')), 'keys.json');
    const args = ['test-peer', '--netlayer', 'tcp-tls', '--netlayer', 'websocket', '--port', '0', '--port', '0', '--key-file', file];
    const first = await startPeer(args);
    await stopPeer(first.child);
    const keys = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(keys).sort()).toEqual(['format', 'tcp-tls', 'version', 'websocket']); // the node identity format (docs/persistence.md)
    expect(keys['tcp-tls'].cert).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(keys.websocket.seed, 'base64url')).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    const second = await startPeer(args);
    await stopPeer(second.child);
    // Ports are ephemeral; the designators (the identities) must be the same.
    const designators = (ls: string[]) => ls.filter((l) => l.startsWith('PEER ')).map((l) => new URL(l.split(' ')[2]!).hostname);
    expect(designators(second.lines)).toEqual(designators(first.lines));
    expect(designators(first.lines)).toHaveLength(2);
  }, 90_000);
});

describe('ocapn CLI flag errors', () => {
  const cases: [string[], RegExp][] = [
    [['test-peer', '--netlayer', 'carrier-pigeon'], /--netlayer must be one of tcp-testing-only, websocket, onion, tcp-tls, got "carrier-pigeon"/],
    [['test-peer', '--netlayer', 'websocket', '--netlayer', 'websocket'], /at most once/],
    [['test-peer', '--netlayer', 'websocket', '--netlayer', 'tcp-tls', '--port', '0'], /give --port once per --netlayer \(2\), got 1/],
    [['test-peer', '--port', '70000'], /--port must be 0–65535, got "70000"/],
    [['test-peer', '--framing', 'morse'], /--framing must be one of raw, netstring, syrup-frame/],
    [['test-peer', '--netlayer', 'onion'], /--netlayer onion needs --tor-control ADDR and --tor-socks ADDR/],
    [['test-peer', '--netlayer', 'onion', '--tor-control', '127.0.0.1:9051'], /--netlayer onion needs --tor-control ADDR and --tor-socks ADDR/],
    [['test-peer', '--netlayer', 'onion', '--tor-control', 'nowhere', '--tor-socks', '127.0.0.1:9050'], /--tor-control must be host:port or unix:\/path, got "nowhere"/],
    [['test-peer', '--netlayer', 'onion', '--tor-control', 'unix:', '--tor-socks', '127.0.0.1:9050'], /--tor-control unix: needs a path/],
    [['call', `ocapn://${'a'.repeat(56)}.onion/s/AAAA`, 'x'], /an onion URI needs --tor-socks ADDR/],
    [['call', `ocapn://${'a'.repeat(56)}.onion/s/AAAA`, 'x', '--tor-socks', '127.0.0.1:99999'], /--tor-socks must be host:port or unix:\/path/],
    [['call', 'ocapn://abc.pigeon/s/AAAA', 'x'], /no netlayer for transport "pigeon"/],
  ];
  it('each prints one "ocapn:" error line and exits 2', async () => {
    ensureBuilt();
    for (const [args, message] of cases) {
      const r = await run([CLI, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      const [line, ...rest] = r.stderr.split('\n');
      expect(line, args.join(' ')).toMatch(/^ocapn: /);
      expect(line).toMatch(message);
      expect(line).toMatch(/\(see ocapn (test-peer|call) --help\)$/);
      expect(rest).toEqual(['']);
    }
  }, 60_000);
  it('a bad key file is one error line and exit 1', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'ocapn-cli-'));
    const file = join(dir, 'bad.json');
    (await import('node:fs')).writeFileSync(file, '{"websocket": {"seed": "AAAA", "publicKey": 1}}');
    const r = await run([CLI, 'test-peer', '--netlayer', 'websocket', '--key-file', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`ocapn: --key-file ${file}: websocket.seed must be 32 bytes in base64url without padding (43 characters), got 4 characters`]);
  });
});
