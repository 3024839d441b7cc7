/**
 * References that reconnect (src/node/reconnect.ts), in one process over tcp-testing-only: the
 * server node is closed and a new one listens on the same port with the same designator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OcapnNode, E, Far, listenTcpTestingOnly, ReconnectError, reconnectState, DEFAULT_RECONNECT, type ReconnectStateChange } from '../../src/index.js';

const nodes: OcapnNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

async function tcpNode(port = 0, designator?: string): Promise<OcapnNode> {
  const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ host: '127.0.0.1', port, designator })] });
  nodes.push(node);
  return node;
}

interface Counter {
  next(): number;
  hang(): Promise<never>;
}

/** A server with a counter under swiss "svc"; `restart()` closes it and starts a new one with the same identity. */
async function server() {
  let node = await tcpNode();
  const { designator } = node.location;
  const port = Number(node.location.hints && (node.location.hints as Record<string, string>).port);
  let calls = 0;
  const serve = (n: OcapnNode) => {
    let count = 0;
    return n.sturdyRefUri(Far('counter', { next: () => (calls++, ++count), hang: () => (calls++, new Promise(() => {})) }), 'svc');
  };
  const uri = serve(node);
  return {
    uri,
    calls: () => calls,
    stop: () => node.close('server stopping'),
    async restart() {
      await node.close('server restarting');
      node = await tcpNode(port, designator);
      serve(node);
    },
  };
}

describe('enlivenReconnecting: options', () => {
  it('checks every option (TypeError / RangeError naming it) and the sturdyref', async () => {
    const node = await tcpNode();
    const uri = node.sturdyRefUri({}, 'x');
    const bad: Array<[unknown, RegExp, ErrorConstructor]> = [
      [{ initialDelayMs: 0 }, /initialDelayMs must be an integer from 1/, RangeError],
      [{ initialDelayMs: '5' }, /initialDelayMs must be a number/, TypeError],
      [{ initialDelayMs: 500, maxDelayMs: 100 }, /maxDelayMs must be an integer from 500/, RangeError],
      [{ maxAttempts: 0 }, /maxAttempts must be an integer from 1 .* or Infinity/, RangeError],
      [{ maxAttempts: 1.5 }, /maxAttempts/, RangeError],
      [{ attemptTimeoutMs: 2 ** 31 }, /attemptTimeoutMs/, RangeError],
      [{ whileDown: 'queue' }, /whileDown must be 'wait' or 'fail'/, TypeError],
      [{ maxQueued: -1 }, /maxQueued/, RangeError],
      [{ waitTimeoutMs: NaN }, /waitTimeoutMs/, RangeError],
      [{ onStateChange: 1 }, /onStateChange must be a function/, TypeError],
      [{ retries: 3 }, /unknown option "retries"/, TypeError],
      [null, /options must be an object/, TypeError],
    ];
    for (const [options, message, type] of bad) {
      expect(() => node.enlivenReconnecting(uri, options as never), JSON.stringify(options)).toThrow(type);
      expect(() => node.enlivenReconnecting(uri, options as never)).toThrow(message);
    }
    expect(() => node.enlivenReconnecting(42 as never)).toThrow(TypeError);
    expect(DEFAULT_RECONNECT).toEqual({ initialDelayMs: 100, maxDelayMs: 10_000, maxAttempts: 10, attemptTimeoutMs: 10_000, whileDown: 'wait', maxQueued: 1_000, waitTimeoutMs: 30_000 });
    await expect(node.enlivenReconnecting(uri, { maxAttempts: Infinity })).resolves.toBeDefined();
  });
});

describe('enlivenReconnecting: behaviour', () => {
  it('forwards calls and sends; after a restart the next call re-enlivens; the call in flight breaks once', async () => {
    const srv = await server();
    const client = await tcpNode();
    const changes: ReconnectStateChange[] = [];
    const ref = await client.enlivenReconnecting<Counter>(srv.uri, { initialDelayMs: 5, maxDelayMs: 20, onStateChange: (c) => changes.push(c) });
    expect(await E(ref).next()).toBe(1);
    E.sendOnly(ref).next();
    expect(await E(ref).next()).toBe(3);
    const inFlight = E(ref).hang().catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 20));
    const before = srv.calls();
    await srv.restart();
    expect(((await inFlight) as Error).name).toBe('SessionClosedError');
    expect(reconnectState(ref)).toBe('down');
    expect(await E(ref).next()).toBe(1);
    expect(srv.calls()).toBe(before + 1); // the broken hang() was not sent again
    expect(changes.map((c) => c.state)).toEqual(['reconnecting', 'connected', 'down', 'reconnecting', 'connected']);
    expect(reconnectState({})).toBeUndefined();
  });

  it("'wait': calls wait for the restart, bounded by maxQueued and waitTimeoutMs", async () => {
    const srv = await server();
    const client = await tcpNode();
    const ref = await client.enlivenReconnecting<Counter>(srv.uri, { initialDelayMs: 10, maxDelayMs: 40, maxAttempts: 1000, maxQueued: 2, waitTimeoutMs: 60_000 });
    await srv.stop();
    await vi_until(() => reconnectState(ref) === 'down');
    const a = E(ref).next();
    const b = E(ref).next();
    const c = await E(ref).next().catch((e: ReconnectError) => e);
    expect(c).toBeInstanceOf(ReconnectError);
    expect((c as ReconnectError).kind).toBe('queue-full');
    await srv.restart();
    expect([await a, await b]).toEqual([1, 2]);
  });

  it("'wait' with a short waitTimeoutMs: a waiting call fails with kind 'wait-timeout'", async () => {
    const srv = await server();
    const client = await tcpNode();
    const ref = await client.enlivenReconnecting<Counter>(srv.uri, { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 1000, waitTimeoutMs: 100 });
    await srv.stop();
    await vi_until(() => reconnectState(ref) === 'down');
    const e = await E(ref).next().catch((x: ReconnectError) => x);
    expect((e as ReconnectError).kind).toBe('wait-timeout');
    expect((e as Error).message).toMatch(/did not reconnect within waitTimeoutMs 100/);
    expect((e as Error).cause).toBeInstanceOf(Error); // the last attempt's failure
  });

  it('gives up after maxAttempts with a clear error; whenBroken resolves with it; later calls fail at once', async () => {
    const srv = await server();
    const client = await tcpNode();
    const attempts: number[] = [];
    const ref = await client.enlivenReconnecting<Counter>(srv.uri, {
      initialDelayMs: 5,
      maxDelayMs: 10,
      maxAttempts: 3,
      onStateChange: (c) => c.state === 'reconnecting' && attempts.push(c.attempts),
    });
    const broken = client.whenBroken(ref);
    await srv.stop();
    await vi_until(() => reconnectState(ref) === 'down');
    const e = await E(ref).next().catch((x: ReconnectError) => x);
    expect(e).toBeInstanceOf(ReconnectError);
    expect((e as ReconnectError).kind).toBe('gave-up');
    expect((e as Error).message).toMatch(/^a reconnecting reference to [0-9a-f]+\.tcp-testing-only gave up after 3 attempts; last error: cannot connect to .*ECONNREFUSED/);
    expect(await broken).toBe(e);
    expect(reconnectState(ref)).toBe('broken');
    expect(await E(ref).next().catch((x: unknown) => x)).toBe(e);
    expect(attempts.slice(-3)).toEqual([0, 1, 2]);
  });

  it('the first enlivening gives up the same way (the promise rejects)', async () => {
    const srv = await server();
    await srv.stop();
    const client = await tcpNode();
    await expect(client.enlivenReconnecting(srv.uri, { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 })).rejects.toThrow(/gave up after 2 attempts/);
  });

  it("'fail': a call while down fails at once and starts reconnecting; the node closing breaks it for good", async () => {
    const srv = await server();
    const client = await tcpNode();
    const ref = await client.enlivenReconnecting<Counter>(srv.uri, { whileDown: 'fail', initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 1000 });
    await srv.restart();
    await vi_until(() => reconnectState(ref) === 'down');
    const e = await E(ref).next().catch((x: ReconnectError) => x);
    expect((e as ReconnectError).kind).toBe('down');
    await vi_until(() => reconnectState(ref) === 'connected');
    expect(await E(ref).next()).toBe(1);
    await srv.stop();
    await vi_until(() => reconnectState(ref) === 'down');
    void E(ref).next().catch(() => {});
    await client.close('client done');
    await vi_until(() => reconnectState(ref) === 'broken');
    const final = await client.whenBroken(ref);
    expect((final as ReconnectError).kind).toBe('closing');
    expect(final.message).toMatch(/node is closing: client done/);
  });
});

async function vi_until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
