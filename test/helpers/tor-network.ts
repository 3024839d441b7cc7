/**
 * A private Tor network on 127.0.0.1 for end-to-end tests of the onion netlayer (notes
 * §10.4.1): 3 directory authorities (keys from `tor-gencert`), 8 relays, one client tor with
 * a control port (hosts onion services) and one with SOCKS ports (dials: one plain, one with
 * `ExtendedErrors`). `TestingTorNetwork 1` and `DirAuthority` lines naming only our
 * authorities: it never touches the public Tor network. Every tor runs in its own process
 * group, with `__OwningControllerProcess` set so it exits if this process dies; `stop()`
 * kills them all and removes the temporary directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `true` when `tor` and `tor-gencert` are on the PATH. */
export function torInstalled(): boolean {
  const tor = spawnSync('tor', ['--version'], { encoding: 'utf8' });
  const gencert = spawnSync('tor-gencert', ['--help'], { encoding: 'utf8' });
  return tor.status === 0 && gencert.error === undefined;
}

/** A running private network. */
export interface TorNetwork {
  /** The hosting tor's control port (null authentication). */
  readonly controlPort: number;
  /** The dialling tor's SOCKS port (plain replies). */
  readonly socksPort: number;
  /** The dialling tor's SOCKS port with `ExtendedErrors`. */
  readonly socksPortExtended: number;
  /** ms spent making the authorities' keys (tor-gencert) and fingerprints, before any tor runs. */
  readonly keysMs: number;
  /** ms from the start (keys included) until every authority served a full consensus. */
  readonly consensusMs: number;
  /** ms from the start (keys included) until both client tors bootstrapped to 100 %. */
  readonly readyMs: number;
  /** Kills every tor (process group) and removes the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

const AUTHORITIES = 3;
const RELAYS = 8;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface Tor {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string[];
}

const COMMON = [
  'TestingTorNetwork 1',
  'PathsNeededToBuildCircuits 0.67',
  'TestingDirAuthVoteExit *',
  'TestingDirAuthVoteHSDir *',
  'TestingDirAuthVoteGuard *',
  'TestingMinExitFlagThreshold 0',
  'V3AuthNIntervalsValid 2',
  'RunAsDaemon 0',
  'SafeLogging 0',
  'LogTimeGranularity 1',
  'ShutdownWaitLength 0',
  'Log notice stdout',
  'ProtocolWarnings 1',
  'DisableDebuggerAttachment 0',
  'ClientUseIPv6 0',
  'AvoidDiskWrites 1',
  `__OwningControllerProcess ${process.pid}`,
];

const RELAY = [
  'Address 127.0.0.1',
  'AssumeReachable 1',
  'ExitRelay 1',
  'ExitPolicyRejectPrivate 0',
  'ExitPolicy accept 127.0.0.0/8:*',
  'ExitPolicy reject *:*',
  'ServerDNSResolvConfFile /dev/null',
  'ServerDNSDetectHijacking 0',
  'ServerDNSTestAddresses',
  'ContactInfo ocapn-ts test network',
];

const AUTHORITY = [
  'AuthoritativeDirectory 1',
  'V3AuthoritativeDirectory 1',
  'V3AuthVotingInterval 10',
  'TestingV3AuthInitialVotingInterval 5',
  'V3AuthVoteDelay 2',
  'TestingV3AuthInitialVoteDelay 2',
  'V3AuthDistDelay 2',
  'TestingV3AuthInitialDistDelay 2',
  'TestingV3AuthVotingStartOffset 0',
];

const CLIENT = ['FetchDirInfoEarly 1', 'FetchDirInfoExtraEarly 1', 'ClientOnly 1'];

/** Runs a program to completion. @returns its stdout; rejects with its output on failure. */
function run(program: string, args: string[], input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${program} failed (${code}): ${out}`))));
    child.stdin.end(input);
  });
}

/** The fingerprint tor makes for a fresh data directory. */
async function fingerprintOf(dataDir: string): Promise<string> {
  await run('tor', ['--quiet', '--ignore-missing-torrc', '-f', '/dev/null', '--DataDirectory', dataDir, '--ORPort', '1', '--list-fingerprint']);
  return readFileSync(join(dataDir, 'fingerprint'), 'utf8').trim().split(' ')[1]!;
}

/** GET `path` from 127.0.0.1:`port`; the body, or '' on any error. */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : ''));
      res.on('error', () => resolve(''));
    });
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
  });
}

async function until(what: string, deadline: number, check: () => boolean | Promise<boolean>, describe: () => string, everyMs = 200): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`private Tor network: ${what} did not happen in time\n${describe()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Starts the network and waits until both client tors have bootstrapped.
 * @param timeoutMs for all of it (default 60 s).
 */
export async function startTorNetwork(timeoutMs = 60_000): Promise<TorNetwork> {
  const dir = mkdtempSync(join(tmpdir(), 'ocapn-tor-'));
  const tors: Tor[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(
      tors.map(
        (t) =>
          new Promise<void>((resolve) => {
            if (t.child.exitCode !== null || t.child.signalCode !== null) return resolve();
            t.child.once('exit', () => resolve());
            try {
              process.kill(-t.child.pid!, 'SIGKILL');
            } catch {
              resolve();
            }
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const launch = (name: string, torrc: string[]): Tor => {
    const dataDir = join(dir, name);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = join(dataDir, 'torrc');
    writeFileSync(file, [...COMMON, `DataDirectory ${dataDir}`, `Nickname ${name}`, ...torrc, ''].join('\n'));
    const child = spawn('tor', ['-f', file, '--ignore-missing-torrc'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    const take = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(line);
      if (log.length > 400) log.splice(0, log.length - 400);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.on('error', (err) => log.push(`spawn error: ${err.message}`));
    const tor = { name, child, log };
    tors.push(tor);
    return tor;
  };
  const dump = (): string => tors.map((t) => `--- ${t.name} (exit ${t.child.exitCode})\n${t.log.slice(-15).join('\n')}`).join('\n');
  try {
    const started = Date.now();
    const deadline = started + timeoutMs;
    // Authorities: v3 keys (tor-gencert) and identity fingerprints, all in parallel.
    const auths = await Promise.all(
      Array.from({ length: AUTHORITIES }, async (_, i) => {
        const name = `auth${i}`;
        const keys = join(dir, name, 'keys');
        mkdirSync(keys, { recursive: true, mode: 0o700 });
        const orPort = await freePort();
        const dirPort = await freePort();
        const gencert = run(
          'tor-gencert',
          ['--create-identity-key', '--passphrase-fd', '0', '-i', join(keys, 'authority_identity_key'), '-s', join(keys, 'authority_signing_key'), '-c', join(keys, 'authority_certificate'), '-m', '12', '-a', `127.0.0.1:${dirPort}`],
          '\n',
        );
        const [, fingerprint] = await Promise.all([gencert, fingerprintOf(join(dir, name))]);
        const v3ident = /fingerprint ([0-9A-F]{40})/.exec(readFileSync(join(keys, 'authority_certificate'), 'utf8'))![1]!;
        return { name, orPort, dirPort, v3ident, fingerprint };
      }),
    );
    const keysMs = Date.now() - started;
    const relays = await Promise.all(Array.from({ length: RELAYS }, async (_, i) => ({ name: `relay${i}`, orPort: await freePort() })));
    const dirAuthorities = auths.map((a) => `DirAuthority ${a.name} orport=${a.orPort} v3ident=${a.v3ident} 127.0.0.1:${a.dirPort} ${a.fingerprint}`);
    // Every relay (authorities too) gets the same weight, so no single one carries the network
    // (notes §10.4.1). Authorities read the file when they vote: rewritten (atomically) once
    // the relays have made their keys.
    const bandwidths = join(dir, 'bandwidths');
    const writeBandwidths = (fingerprints: string[]): void => {
      const lines = [String(Math.floor(Date.now() / 1000)), ...fingerprints.map((f) => `node_id=$${f} bw=1000`), ''];
      writeFileSync(`${bandwidths}.tmp`, lines.join('\n'));
      renameSync(`${bandwidths}.tmp`, bandwidths);
    };
    writeBandwidths(auths.map((a) => a.fingerprint));
    for (const a of auths) {
      launch(a.name, [...dirAuthorities, ...RELAY, ...AUTHORITY, `ORPort 127.0.0.1:${a.orPort}`, `DirPort 127.0.0.1:${a.dirPort}`, `V3BandwidthsFile ${bandwidths}`, 'SocksPort 0']);
    }
    for (const r of relays) launch(r.name, [...dirAuthorities, ...RELAY, `ORPort 127.0.0.1:${r.orPort}`, 'SocksPort 0']);
    const relayFingerprint = (name: string): string | undefined => {
      try {
        return readFileSync(join(dir, name, 'fingerprint'), 'utf8').trim().split(' ')[1];
      } catch {
        return undefined;
      }
    };
    await until('relay keys', deadline, () => relays.every((r) => relayFingerprint(r.name) !== undefined), dump, 50);
    writeBandwidths([...auths.map((a) => a.fingerprint), ...relays.map((r) => relayFingerprint(r.name)!)]);
    const total = AUTHORITIES + RELAYS;
    await until(
      'a consensus listing every relay on every authority',
      deadline,
      async () => {
        const counts = await Promise.all(auths.map(async (a) => (await httpGet(a.dirPort, '/tor/status-vote/current/consensus')).split('\n').filter((l) => l.startsWith('r ')).length));
        return counts.every((n) => n >= total);
      },
      dump,
    );
    const consensusMs = Date.now() - started;
    const controlPort = await freePort();
    const socksPort = await freePort();
    const socksPortExtended = await freePort();
    const host = launch('host', [...dirAuthorities, ...CLIENT, `ControlPort 127.0.0.1:${controlPort}`, 'CookieAuthentication 0', 'SocksPort 0']);
    const dialer = launch('dialer', [...dirAuthorities, ...CLIENT, `SocksPort 127.0.0.1:${socksPort}`, `SocksPort 127.0.0.1:${socksPortExtended} ExtendedErrors`]);
    await until('bootstrap of the client tors', deadline, () => [host, dialer].every((t) => t.log.some((l) => l.includes('Bootstrapped 100%'))), dump);
    for (const t of tors) if (t.child.exitCode !== null) throw new Error(`private Tor network: ${t.name} exited\n${dump()}`);
    return { controlPort, socksPort, socksPortExtended, keysMs, consensusMs, readyMs: Date.now() - started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
