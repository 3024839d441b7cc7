import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { CLI, ensureBuilt, run, spawnWithFirstLine } from '../helpers/built.js';

const b64 = (s: string) => Buffer.from(s).toString('base64url');
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

  it('call: echo returns its arguments, typed', async () => {
    const r = await run([CLI, 'call', sturdy('IO58l1laTyhcrgDKbEzFOO32MDd6zE5w'), 'hi', '7', '1.5', "'sym", '["x",2]']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`['hi, 7n, 1.5, 'sym, ["x", 2n]]`);
  });

  it('call --wire prints what crosses the wire', async () => {
    const r = await run([CLI, 'call', '--wire', sturdy('IO58l1laTyhcrgDKbEzFOO32MDd6zE5w'), 'ping']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(">> ");
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
    expect(usage.stderr).toContain('unknown command "frobnicate"');
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
