/**
 * Liveness probes (src/captp/liveness.ts) against a byte-level peer on the in-memory
 * netlayer: a silent peer we wait on is aborted within timeoutMs plus a quarter; a peer that
 * answers the probes is not, even if it never answers a call; idle sessions are probed only
 * with `whileIdle`; never with the suite profile or `liveness: false`. Timings use real timers
 * with a short timeout (200 ms); the bounds are logical (never before timeoutMs of silence)
 * plus a generous slack for a loaded machine.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { E, OcapnNode, MemoryNetwork, SessionClosedError, DEFAULT_LIVENESS, withCallOptions, CallTimeoutError } from '../../src/index.js';
import { formatPeerUri } from '../../src/locator/index.js';
import { watchProcessFaults } from '../hostile/harness.js';
import { answerProbes, delivery, isProbe, quietPeerBench, rec, settleResolver, sleep, timed, type QuietBench } from '../helpers/quiet-peer.js';

watchProcessFaults();

const T = 200;
/** Detection bound: the timeout, one probe interval of tick granularity, and slack for CI. */
const BOUND = T + T / 4 + 1500;
const LIVENESS_REASON = /peer sent nothing for \d+ ms and did not answer a liveness probe \(timeout 200 ms\)/;

let bench: QuietBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

/** Everything the node sent to the peer since the handshake (labels), from its tap. */
const sentLabels = (b: QuietBench) => b.wire.filter((e) => e.direction === 'out').map((e) => (e.message as { labelName?: string }).labelName);

describe('a silent peer we wait on', () => {
  it('is aborted within the bound; the pending call breaks with a SessionClosedError naming the session and the liveness cause', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T } });
    const { peer, boot, node, open } = bench;
    const broken = node.whenBroken(boot);
    const outcome = await timed((E(boot) as any).hang());
    expect(outcome.ok).toBe(false);
    const err = outcome.value as SessionClosedError;
    expect(err).toBeInstanceOf(SessionClosedError);
    expect(err.reason).toMatch(LIVENESS_REASON);
    expect(err.byPeer).toBe(false);
    expect(err.peer).toBe(formatPeerUri(peer.location));
    expect(err.message).toContain(formatPeerUri(peer.location));
    // Silence counts from the peer's last message (its handshake), which came a little before
    // the call on a loaded machine; so: not much before timeoutMs after the call, and within
    // timeoutMs + a quarter (+ slack).
    expect(outcome.ms).toBeGreaterThanOrEqual(T / 2);
    expect(outcome.ms).toBeLessThan(BOUND);
    // The peer saw the call, exactly one probe, then op:abort with the same reason.
    const call = delivery(await peer.next());
    expect(call?.method).toBe('hang');
    const probe = await peer.next();
    expect(isProbe(probe)).toBe(true);
    expect(delivery(probe)!.answerPos).not.toBe(call!.answerPos);
    const abort = await peer.next();
    expect(abort.labelName).toBe('op:abort');
    expect(abort.fields[0]).toBe(err.reason);
    expect(await peer.waitClosed()).toBe(true);
    // The node's events and whenBroken report the same error.
    expect(await broken).toBe(err);
    expect(bench.closes).toHaveLength(1);
    expect(bench.closes[0].error).toBe(err);
    expect(bench.closes[0].session).toBe(open.session);
    expect(bench.closes[0].peer).toEqual(peer.location);
    expect(node.sessions).toHaveLength(0);
  });

  it('a promise of the peer’s that we listen to counts as waiting too', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T } });
    const { peer, boot } = bench;
    const answer = timed((E(boot) as any).makePromise());
    const call = delivery(await peer.next())!;
    // Fulfil the question with a promise of the peer's: the node listens to it (op:listen),
    // and the question itself is settled.
    settleResolver(peer, call.resolver!, 'fulfill', rec('desc:import-promise', 5n));
    const outcome = await answer;
    expect(outcome.ok).toBe(false);
    expect((outcome.value as SessionClosedError).reason).toMatch(LIVENESS_REASON);
    const seen: string[] = [];
    for (;;) {
      const m = await peer.next();
      seen.push(isProbe(m) ? 'probe' : m.labelName!);
      if (m.labelName === 'op:abort') break;
    }
    expect(seen).toContain('op:listen');
    expect(seen).toContain('probe');
  });
});

describe('a peer that answers probes', () => {
  it('is not aborted while one call stays unanswered (like the suite’s greeter); the call waits for its deadline', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T } });
    const { peer, boot, open } = bench;
    const responder = answerProbes(peer);
    const outcome = await timed((E(withCallOptions(boot, { timeoutMs: 6 * T })) as any).hang());
    responder.stop();
    expect(outcome.ok).toBe(false);
    expect(outcome.value).toBeInstanceOf(CallTimeoutError);
    expect(outcome.ms).toBeGreaterThanOrEqual(6 * T - 5);
    // Six timeouts long, the session lived on probes alone.
    expect(open.session.isActive).toBe(true);
    expect(bench.closes).toEqual([]);
    expect(responder.probes).toBeGreaterThanOrEqual(3);
    expect(responder.others.map((m) => delivery(m)?.method ?? m.labelName)).toContain('hang');
    expect(responder.others.some((m) => m.labelName === 'op:abort')).toBe(false);
  });

  it('with whileIdle, an idle session lives on answered probes', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T, whileIdle: true } });
    const responder = answerProbes(bench.peer);
    await sleep(4 * T);
    responder.stop();
    expect(responder.probes).toBeGreaterThanOrEqual(2);
    expect(bench.open.session.isActive).toBe(true);
    expect(bench.closes).toEqual([]);
  });
});

describe('our own stalls', () => {
  // Found while writing these tests: LivenessWatch compares wall-clock time since the peer
  // was last heard, and Node runs due timers before it reads sockets. After our own event
  // loop stalls longer than timeoutMs (long synchronous work, a GC pause, our process
  // suspended, a laptop asleep, the wall clock stepped forward), the first tick aborts every
  // session we wait on, without a probe and before reading what the peer sent meanwhile.
  // Fixed: a tick that comes late (our own stall, measured with performance.now()) does not
  // judge the peer; a later tick does, once what it sent has been read.
  it('a stall of our own event loop longer than timeoutMs does not abort a peer that answers probes', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T } });
    const responder = answerProbes(bench.peer);
    const pending = (E(bench.boot) as any).hang();
    pending.catch(() => {});
    await sleep(T);
    const until = Date.now() + 2 * T;
    while (Date.now() < until) {
      // our own synchronous work: the peer is fine, we are the ones not listening
    }
    await sleep(T);
    responder.stop();
    expect(bench.closes.map((c) => c.error.reason)).toEqual([]);
    expect(bench.open.session.isActive).toBe(true);
  });
});

describe('when no probes go out', () => {
  it('an idle session is not probed by default, and not aborted', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T } });
    await expect(bench.peer.next(3 * T)).rejects.toThrow(/timed out/);
    expect(bench.open.session.isActive).toBe(true);
    expect(sentLabels(bench)).toEqual(['op:start-session']);
  });

  it('with whileIdle, a silent idle peer is probed, then aborted', async () => {
    bench = await quietPeerBench({ liveness: { timeoutMs: T, whileIdle: true } });
    const t0 = performance.now();
    expect(isProbe(await bench.peer.next(BOUND))).toBe(true);
    const abort = await bench.peer.next(BOUND);
    expect(abort.labelName).toBe('op:abort');
    expect(abort.fields[0]).toMatch(LIVENESS_REASON);
    expect(performance.now() - t0).toBeLessThan(BOUND);
    expect((await bench.node.whenBroken(bench.boot)).reason).toBe(abort.fields[0]);
  });

  it('the suite profile: a silent peer with a question outstanding is neither probed nor aborted', async () => {
    bench = await quietPeerBench({ profile: 'suite', liveness: { timeoutMs: T, whileIdle: true } });
    const pending = (E(bench.boot) as any).hang();
    pending.catch(() => {});
    expect(delivery(await bench.peer.next())?.method).toBe('hang');
    await expect(bench.peer.next(3 * T)).rejects.toThrow(/timed out/);
    expect(bench.open.session.isActive).toBe(true);
  });

  it('liveness: false: a silent peer with a question outstanding is neither probed nor aborted', async () => {
    bench = await quietPeerBench({ liveness: false });
    const pending = (E(bench.boot) as any).hang();
    pending.catch(() => {});
    expect(delivery(await bench.peer.next())?.method).toBe('hang');
    await expect(bench.peer.next(3 * T)).rejects.toThrow(/timed out/);
    expect(bench.open.session.isActive).toBe(true);
  });

  it('the default is 20 s and not while idle', () => {
    expect(DEFAULT_LIVENESS).toEqual({ timeoutMs: 20_000, whileIdle: false });
    expect(Object.isFrozen(DEFAULT_LIVENESS)).toBe(true);
  });
});

describe('options and events', () => {
  const net = new MemoryNetwork();
  const make = (options: object) => () => new OcapnNode({ netlayers: [net.netlayer()], ...options });

  it('bad liveness options throw TypeError / RangeError naming the option', () => {
    for (const timeoutMs of [99, 0, -1, 1.5, 2 ** 31, Number.NaN, Infinity, '200', 200n]) {
      expect(make({ liveness: { timeoutMs } }), String(timeoutMs)).toThrow(RangeError);
      expect(make({ liveness: { timeoutMs } })).toThrow(/liveness\.timeoutMs/);
    }
    for (const whileIdle of [1, 'yes', null]) expect(make({ liveness: { timeoutMs: 1000, whileIdle } })).toThrow(/liveness\.whileIdle/);
    expect(make({ liveness: { whileIdle: 'yes' } })).toThrow(TypeError);
    for (const liveness of [true, 5, 'on', null]) expect(make({ liveness }), String(liveness)).toThrow(TypeError);
    // The extremes are accepted.
    expect(make({ liveness: { timeoutMs: 100 } })).not.toThrow();
    expect(make({ liveness: { timeoutMs: 2 ** 31 - 1, whileIdle: true } })).not.toThrow();
    expect(make({ liveness: {} })).not.toThrow();
  });

  it('bad event names and listeners throw TypeError; whenBroken needs a remote reference', async () => {
    const node = make({})();
    expect(() => node.on('session-opened' as never, () => {})).toThrow(TypeError);
    expect(() => node.on('session-open', 5 as never)).toThrow(TypeError);
    expect(() => node.whenBroken({})).toThrow(TypeError);
    expect(() => node.whenBroken(node.register({}) as never)).toThrow(TypeError);
    await node.close();
  });

  it('session-open fires once per session with the session, the peer and its identity (the memory netlayer proves designators); unsubscribing stops events', async () => {
    const n = new MemoryNetwork();
    const server = new OcapnNode({ netlayers: [n.netlayer('events-server')] });
    const client = new OcapnNode({ netlayers: [n.netlayer('events-client')] });
    const opens: Array<[string, string, string]> = [];
    const closes: string[] = [];
    const off = server.on('session-open', (e) => opens.push(['server', e.peer.designator, e.identity]));
    client.on('session-open', (e) => {
      opens.push(['client', e.peer.designator, e.identity]);
      expect(e.session.isActive).toBe(true);
      expect(client.sessions).toContain(e.session);
    });
    client.on('session-close', (e) => closes.push(e.error.reason));
    const ref = await client.enliven(server.sturdyRefUri({ ping: () => 'pong' }));
    expect(await (E(ref) as any).ping()).toBe('pong');
    expect(opens.sort()).toEqual([
      ['client', 'events-server', 'proven'],
      ['server', 'events-client', 'proven'],
    ]);
    off();
    await server.close('server going away');
    expect((await client.whenBroken(ref as object)).reason).toBe('peer aborted: server going away');
    expect(closes).toEqual(['peer aborted: server going away']);
    // A second session: the unsubscribed server listener is not called.
    const server2 = new OcapnNode({ netlayers: [n.netlayer('events-server-2')] });
    server2.on('session-open', () => opens.push(['server2', '', '']));
    await client.enliven(server2.sturdyRefUri({}));
    await sleep(0);
    expect(opens.map((o) => o[0]).sort()).toEqual(['client', 'client', 'server', 'server2']);
    await client.close();
    await server2.close();
  });

  it('a throwing event listener disturbs neither the node nor other listeners', async () => {
    const n = new MemoryNetwork();
    const server = new OcapnNode({ netlayers: [n.netlayer('throwing-server')] });
    const client = new OcapnNode({ netlayers: [n.netlayer('throwing-client')] });
    const thrown: unknown[] = [];
    const onException = (e: unknown) => thrown.push(e);
    // The listener's error is rethrown from a macrotask, as Node does for event listeners.
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onException);
    try {
      let second = 0;
      client.on('session-open', () => {
        throw new Error('listener bug');
      });
      client.on('session-open', () => second++);
      const ref = await client.enliven(server.sturdyRefUri({ ping: () => 'pong' }));
      expect(await (E(ref) as any).ping()).toBe('pong');
      await sleep(10);
      expect(second).toBe(1);
      expect(thrown.map((e) => (e as Error).message)).toEqual(['listener bug']);
    } finally {
      process.off('uncaughtException', onException);
      for (const l of listeners) process.on('uncaughtException', l);
      await client.close();
      await server.close();
    }
  });
});
