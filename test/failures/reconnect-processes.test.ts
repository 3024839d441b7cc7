/**
 * References that reconnect, against a server in a child process (the BUILT package) that is
 * killed with SIGKILL and restarted with the same identity: the same designator and port on
 * tcp-testing-only, the same designator key pair and port on websocket. Also: a restarted
 * peer whose old session is half-open (the old process frozen with SIGSTOP) replaces it after
 * a probe, and a graceful close delivers a 4 MiB answer sent just before it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { OcapnNode, E, Far, listenTcpTestingOnly, listenWebSocket, ReconnectError, SessionClosedError, reconnectState, type ReconnectState } from '../../src/index.js';
import { ensureBuilt } from '../helpers/built.js';
import { SERVER, count, kill, killAll, lineStarting, start, type Proc } from './processes.js';

beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => killAll(), 20_000);

let node: OcapnNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
  await killAll();
});

/** Reconnect times measured here, printed at the end (see docs/failures.md "Measured"). */
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`reconnect times:\n  ${measured.join('\n  ')}`);
});

type Transport = 'tcp' | 'ws';

async function client(t: Transport): Promise<OcapnNode> {
  const netlayer = t === 'tcp' ? await listenTcpTestingOnly({ host: '127.0.0.1', port: 0 }) : await listenWebSocket({ host: '127.0.0.1', port: 0 });
  node = new OcapnNode({ netlayers: [netlayer] });
  return node;
}

function identity(t: Transport): string {
  return t === 'tcp' ? `restartable-${randomBytes(4).toString('hex')}` : randomBytes(32).toString('hex');
}

/** Start the server; its URI and port. */
async function server(t: Transport, port: number | string, id: string, ...more: string[]): Promise<{ p: Proc; uri: string; port: string }> {
  const p = start(SERVER, [t, String(port), id, ...more]);
  const uri = (await lineStarting(p, 'URI ')).slice(4);
  const m = /(?:port=|%3A|:)(\d{2,5})(?:[&/%]|$)/.exec(decodeURIComponent(uri));
  return { p, uri, port: m![1] };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(['tcp', 'ws'] as const)('a reconnecting reference over %s, server restarted with a saved identity', (t) => {
  it('survives SIGKILL and restart; the call in flight breaks and is not retried', async () => {
    const n = await client(t);
    const id = identity(t);
    const first = await server(t, 0, id);
    const states: ReconnectState[] = [];
    const ref = await n.enlivenReconnecting<{ ping(): string; slow(ms: number): string }>(first.uri, {
      initialDelayMs: 20,
      maxDelayMs: 200,
      maxAttempts: 100,
      onStateChange: (c) => states.push(c.state),
    });
    expect(await E(ref).ping()).toBe(`pong 1 from ${first.p.child.pid}`);

    const inFlight = E(ref).slow(60_000).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await lineStarting(first.p, 'CALL slow');
    await kill(first.p);
    const broke = await inFlight;
    expect(broke).toBeInstanceOf(SessionClosedError);
    await until(() => reconnectState(ref) === 'down');

    // A call made while the server is down waits ('wait' is the default) and goes to the new one.
    const waiting = E(ref).ping();
    waiting.catch(() => {}); // awaited below
    const second = await server(t, first.port, id);
    expect(second.port).toBe(first.port);
    const restarted = Date.now();
    expect(await waiting).toBe(`pong 1 from ${second.p.child.pid}`);
    measured.push(`${t}: restarted server's URI printed → waiting call answered: ${Date.now() - restarted} ms (backoff ≤ 200 ms)`);
    expect(await E(ref).ping()).toBe(`pong 2 from ${second.p.child.pid}`);
    // At most once: the slow call ran once, on the first server, and never again.
    await until(() => count(second.p, 'CALL ping') === 2); // its stdout may trail its answers
    expect(count(first.p, 'CALL slow')).toBe(1);
    expect(count(second.p, 'CALL slow')).toBe(0);
    expect(states[0]).toBe('reconnecting');
    expect(states).toContain('down');
    expect(states.at(-1)).toBe('connected');
  }, 60_000);

  it("whileDown 'fail' fails at once while the server is down, and works again after the restart", async () => {
    const n = await client(t);
    const id = identity(t);
    const first = await server(t, 0, id);
    const ref = await n.enlivenReconnecting<{ ping(): string }>(first.uri, { whileDown: 'fail', initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 1000 });
    expect(await E(ref).ping()).toMatch(/^pong 1 /);
    await kill(first.p);
    await until(() => reconnectState(ref) === 'down');
    const failed = await E(ref).ping().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ReconnectError);
    expect((failed as ReconnectError).kind).toBe('down');
    expect((failed as Error).message).toMatch(/no live reference now \(whileDown 'fail'\)/);
    const second = await server(t, first.port, id);
    const restarted = Date.now();
    let answer: unknown;
    while (answer === undefined) {
      answer = await E(ref).ping().catch((e: unknown) => {
        expect((e as ReconnectError).kind).toBe('down');
        return new Promise((r) => setTimeout(r, 20)).then(() => undefined);
      });
    }
    expect(answer).toBe(`pong 1 from ${second.p.child.pid}`);
    measured.push(`${t} ('fail'): restarted server's URI printed → first successful call: ${Date.now() - restarted} ms`);
  }, 60_000);
});

describe('a restarted peer whose old session is half-open (tcp-testing-only)', () => {
  it('replaces the old session after a probe of it goes unanswered', async () => {
    const n = await client('tcp');
    let hellos = 0;
    const me = n.sturdyRefUri(Far('me', { hello: (pid: number) => `hello ${pid} (${++hellos})` }));
    const id = identity('tcp');
    const first = await server('tcp', 0, id);
    const downs: number[] = [];
    const ref = await n.enlivenReconnecting<{ ping(): string }>(first.uri, { initialDelayMs: 20, maxDelayMs: 200, onStateChange: (c) => c.state === 'down' && downs.push(Date.now()) });
    expect(await E(ref).ping()).toMatch(/^pong 1 /);
    // Freeze the first server: its sockets stay open, it answers nothing (a half-open session).
    first.p.child.kill('SIGSTOP');
    const frozenCall = E(ref).ping().catch((e: unknown) => e);
    // The "restarted" server: same designator, another port (the frozen one still holds the
    // first), dialling us.
    const spawned = Date.now();
    const second = await server('tcp', 0, id, me);
    await until(() => second.p.lines.some((l) => /^DIAL(ED|-ERROR) /.test(l)), 15_000);
    const dialed = second.p.lines.find((l) => /^DIAL(ED|-ERROR) /.test(l))!;
    expect(dialed).toMatch(new RegExp(`^DIALED \\d+ hello ${second.p.child.pid} \\(1\\)$`));
    // Its session is held at once, the old one probed and aborted as dead.
    const broke = await frozenCall;
    expect(broke).toBeInstanceOf(SessionClosedError);
    expect((broke as SessionClosedError).reason).toMatch(/did not answer a probe within 2000 ms while a new session from this peer waited; replaced/);
    expect(await E(ref).ping()).toBe(`pong 1 from ${second.p.child.pid}`);
    const dialling = Number((await lineStarting(second.p, 'DIALLING ')).split(' ')[1]);
    measured.push(
      `tcp replacement: the restarted peer dials us → its call answered: ${Number(dialed.split(' ')[1]) - dialling} ms; → our half-open session replaced: ${downs[0] - dialling} ms; → our next call answered by it: ${Date.now() - dialling} ms (spawn to dial: ${dialling - spawned} ms)`,
    );
    expect(n.sessions.filter((s) => s.peerLocation?.designator === id)).toHaveLength(1);
  }, 60_000);
});

describe('graceful shutdown of a server process', () => {
  it('delivers a 4 MiB answer sent just before close, then exits', async () => {
    const n = await client('tcp');
    const first = await server('tcp', 0, identity('tcp'));
    const ref = await n.enliven<{ bigThenClose(): string }>(first.uri);
    const answer = await E(ref).bigThenClose();
    expect(answer.length).toBe(4 * 1024 * 1024);
    await first.p.exited;
    expect(first.p.lines).toContain('CLOSED');
    expect(first.p.child.exitCode).toBe(0);
  }, 30_000);
});
