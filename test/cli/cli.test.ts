import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { CLI, ensureBuilt, run, spawnWithFirstLine } from '../helpers/built.js';

// Each step starts node processes; a loaded machine takes seconds per process.
vi.setConfig({ testTimeout: 120_000 });

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const ECHO = 'IO58l1laTyhcrgDKbEzFOO32MDd6zE5w';
const CAR_FACTORY_BUILDER = 'JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ';
const SturdyrefEnlivener = 'gi02I1qghIwPiKGKleCQAOhpy3ZtYRpB';
let peer: ChildProcess | undefined;
let uri = '';
const sturdy = (swiss: string) => {
  const u = new URL(uri);
  return `ocapn://${u.host}/s/${b64(swiss)}${u.search}`;
};

describe('the ocapn CLI across processes over tcp-testing-only', () => {
  beforeAll(async () => {
    ensureBuilt();
    const started = await spawnWithFirstLine([CLI, 'test-peer', '--port', '0', '--designator', 'cli-test-peer', '--profile', 'suite']);
    peer = started.child;
    uri = started.line;
  }, 60_000);
  afterAll(() => peer?.kill('SIGTERM'));

  it('test-peer prints its peer URI first', () => {
    expect(uri).toMatch(/^ocapn:\/\/cli-test-peer\.tcp-testing-only\?host=127\.0\.0\.1&port=\d+$/);
  });

  it('call: with no method the target is called as a procedure; arguments and result in the notation', async () => {
    const args = ['42', '-7', '1.5', '-0.0', '+inf', 'nan', '"text"', "'sym", `'"sym with spaces"`, 't', 'f', 'b"abc"', ':00ff', '[1 "a"]', '{"k": 1}', '<void>', '<null>', "<desc:tagged 'tag 1>"];
    const r = await run([CLI, 'call', sturdy(ECHO), ...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`[${args.join(' ')}]\n`);
  });

  it('call: a bare word after the URI is the method name (sent as a Symbol), --method names any other', async () => {
    const r = await run([CLI, 'call', sturdy(ECHO), 'hi', '7', '["x" 2]']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`['hi 7 ["x" 2]]`);
    const spaced = await run([CLI, 'call', '--method', 'say hi', sturdy(ECHO), '"hi"']);
    expect(spaced.stdout.trim()).toBe(`['"say hi" "hi"]`);
    const none = await run([CLI, 'call', sturdy(ECHO)]);
    expect(none.stdout.trim()).toBe('[]');
  });

  it("call: the car factory builder takes no method and no arguments (Goblins' form)", async () => {
    const r = await run([CLI, 'call', sturdy(CAR_FACTORY_BUILDER)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^<desc:import-object \d+>$/);
  });

  it('call: a sturdyref written in the notation reaches the enlivener as <ocapn-sturdyref …>', async () => {
    const u = new URL(uri);
    const ref = `<ocapn-sturdyref <ocapn-peer 'tcp-testing-only "cli-test-peer" {"host": "127.0.0.1", "port": "${u.searchParams.get('port')}"}> b"${ECHO}">`;
    const r = await run([CLI, 'call', '--wire', sturdy(SturdyrefEnlivener), ref]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`<op:deliver <desc:export 1> [${ref}]`);
    expect(r.stdout.trim()).toMatch(/^<desc:import-object \d+>$/);
  });

  it('call --wire prints what crosses the wire', async () => {
    const r = await run([CLI, 'call', '--wire', sturdy(ECHO), 'ping']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('>> ');
    expect(r.stderr).toMatch(/<< \S+ <op:deliver-only <desc:export 1> \['fulfill <desc:import-object 1>\]>/);
  });

  it('call: a failure prints one clear line and exits non-zero', async () => {
    const unknown = await run([CLI, 'call', sturdy('no-such-swiss'), 'x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('no object registered under that swiss number');
    const refused = await run([CLI, 'call', 'ocapn://nobody.tcp-testing-only/s/AAAA?host=127.0.0.1&port=1', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^ocapn: cannot connect/);
    const bad = await run([CLI, 'call', 'http://example', 'x']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.split('\n')[0]).toMatch(/^ocapn: /);
    const usage = await run([CLI, 'frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('ocapn: unknown command "frobnicate" (see ocapn --help)\n');
  });

  it('call: a bad argument is a usage error (exit 2, one line) and nothing is sent', async () => {
    const cases: [string, RegExp][] = [
      ["'sym'", /argument 1 "'sym'": a Symbol is written 'name, with no closing quote/],
      ['#{1}', /argument 1 "#\{1\}": Sets are not OCapN values/],
      ['[1, 2]', /not commas/],
      ['<desc:export 0>', /unknown record <desc:export> in a value/],
    ];
    for (const [arg, message] of cases) {
      // The URI names a port nobody listens on: a usage error must come before any dial.
      const r = await run([CLI, 'call', 'ocapn://nobody.tcp-testing-only/s/AAAA?host=127.0.0.1&port=1', arg]);
      expect(r.code, arg).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/\(see ocapn call --help\)\n$/);
    }
  });

  it('call: negative numbers are arguments, not options', async () => {
    const r = await run([CLI, 'call', sturdy(ECHO), '-7', '-0.0', '-inf', '-1e-05']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('[-7 -0.0 -inf -1e-05]');
  });
});

describe('the main demo', () => {
  it('runs four processes: calls, pipelining and a three-party handoff', async () => {
    ensureBuilt();
    const r = await run(['examples/demo.mjs'], 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[alice] increment(5n) -> 5');
    expect(r.stdout).toContain('[alice] pipelined deposit(42n) -> 42');
    expect(r.stdout).toMatch(/messages sent to an answer position before it resolved: [1-9]/);
    expect(r.stdout).toContain('[bob] Carol answered Bob directly');
    expect(r.stdout).toContain("['deposit-gift");
    expect(r.stdout).toContain('[demo] all steps completed');
  }, 90_000);
});

describe('ocapn test-peer profile switches', () => {
  it('--profile suite --no-deliver-only: the peer answers with op:deliver instead of op:deliver-only', async () => {
    ensureBuilt();
    const started = await spawnWithFirstLine([CLI, 'test-peer', '--designator', 'cli-profile-peer', '--profile', 'suite', '--no-deliver-only']);
    try {
      const u = new URL(started.line);
      const r = await run([CLI, 'call', '--wire', `ocapn://${u.host}/s/${b64(ECHO)}${u.search}`, 'ping']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/<< \S+ <op:deliver <desc:export 1> \['fulfill <desc:import-object 1>\] f f>/);
      expect(r.stderr).not.toContain('op:deliver-only');
    } finally {
      started.child.kill('SIGTERM');
    }
  }, 60_000);

  it('an unknown preset is a usage error (exit 2, one line)', async () => {
    ensureBuilt();
    const r = await run([CLI, 'test-peer', '--profile', 'no-such-preset']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ocapn: --profile: unknown compatibility profile "no-such-preset".*\(see ocapn test-peer --help\)\n$/);
  });
});

describe('ocapn help', () => {
  it('ocapn --help lists every command with its summary', async () => {
    ensureBuilt();
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await run([CLI, ...args]);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^usage: ocapn <command>/);
      expect(r.stdout).toMatch(/^ {2}test-peer +serve the OCapN test suite's objects/m);
      expect(r.stdout).toMatch(/^ {2}call +call a method \(or a procedure\)/m);
    }
  });

  it('ocapn help <command> and ocapn <command> --help print the same usage, with every option', async () => {
    ensureBuilt();
    const options: Record<string, string[]> = {
      'test-peer': ['--netlayer', '--host', '--port', '--key-file', '--designator', '--tor-control', '--tor-socks', '--framing', '--gc-interval', '--wire'],
      call: ['--method', '--tor-socks', '--swiss-encoding', '--wire'],
    };
    const profile = ['--profile', '--[no-]deliver-only', '--listen-fields', '--gc-labels', '--[no-]gc-batch', '--error-form', '--struct-order'];
    for (const [command, own] of Object.entries(options)) {
      const a = await run([CLI, 'help', command]);
      const b = await run([CLI, command, '--help']);
      const c = await run([CLI, command, 'x', '-h']);
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(new RegExp(`^usage: ocapn ${command} `));
      expect(b.stdout).toBe(a.stdout);
      expect(c.stdout).toBe(a.stdout);
      for (const o of [...own, ...profile]) expect(a.stdout, `${command} ${o}`).toContain(`  ${o} `);
    }
  });

  it('usage errors: one line on stderr, exit 2', async () => {
    ensureBuilt();
    const cases: [string[], string][] = [
      [[], 'ocapn: no command given (see ocapn --help)'],
      [['help', 'nope'], 'ocapn: no command "nope" (see ocapn --help)'],
      [['call'], 'ocapn: call needs <sturdyref-uri> [method] [args…] (see ocapn call --help)'],
      [['call', '--bogus'], "ocapn: Unknown option '--bogus' (see ocapn call --help)"],
      [['test-peer', 'extra'], "ocapn: Unexpected argument 'extra'. This command does not take positional arguments (see ocapn test-peer --help)"],
    ];
    for (const [args, line] of cases) {
      const r = await run([CLI, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
      expect(r.stdout).toBe('');
    }
  });
});
