/**
 * Issue 7, hole 2 ("idle sessions fill every slot") and the node limits that answer it
 * (src/node/admission.ts, src/node/limits.ts, src/captp/flow.ts IdleWatch): the idle timeout,
 * per-address and per-key caps, the handshake rate, and a peer claiming our own designator.
 * Each test failed on the code before these limits existed.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer, DEFAULT_NODE_LIMITS } from '../../src/index.js';
import { randomBytes } from '../../src/crypto/index.js';
import { Bench, RawPeer, assertAborts, expectAbort, servedObject, SWISS, watchProcessFaults } from '../hostile/harness.js';

watchProcessFaults();

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function tcpNode(options: ConstructorParameters<typeof OcapnNode>[0] extends infer O ? Partial<O> : never = {}) {
  const node = new OcapnNode({ ...options, netlayers: [await listenTcpTestingOnly()] });
  node.sturdyRefUri(servedObject(), SWISS);
  const dialers: ReturnType<typeof createTcpTestingOnlyDialer>[] = [];
  cleanup.push(async () => {
    for (const d of dialers) await d.close();
    await node.close();
  });
  // Each peer has its own designator: one session per peer.
  const dial = async (handshake = true): Promise<RawPeer> => {
    const dialer = createTcpTestingOnlyDialer();
    dialers.push(dialer);
    const peer = await RawPeer.dial(dialer, node.location, randomBytes(32));
    if (handshake) await peer.handshake();
    return peer;
  };
  return { node, dial };
}

describe('idle timeout (idleTimeoutMs)', () => {
  it('an established session that holds nothing and says nothing is closed', async () => {
    const bench = await Bench.start({ limits: { idleTimeoutMs: 150 } });
    cleanup.push(() => bench.close());
    const idle = await bench.attacker();
    const t0 = Date.now();
    expect(await expectAbort(idle, 3000)).toBe('idle for 150 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75); // idle counts from the handshake, a little before t0
    expect(await idle.waitClosed()).toBe(true);
  });

  it('a session holding a reference is never idle, however quiet', async () => {
    const bench = await Bench.start({ limits: { idleTimeoutMs: 100 } });
    cleanup.push(() => bench.close());
    // The bench's healthy client fetched an object at start: it imports it, the node exports it.
    await new Promise((r) => setTimeout(r, 450));
    await bench.assertHealthy();
  });

  it('defaults to two minutes', async () => {
    const { DEFAULT_LIMITS } = await import('../../src/index.js');
    expect(DEFAULT_LIMITS.idleTimeoutMs).toBe(120_000);
  });
});

describe('per-address and per-key caps, handshake rate', () => {
  it('maxSessionsPerAddress: the connection over the cap is closed before any handshake; others still work', async () => {
    const { node, dial } = await tcpNode({ nodeLimits: { maxSessionsPerAddress: 3 } });
    const peers = [await dial(), await dial(), await dial()];
    const fourth = await dial(false);
    expect(await fourth.waitClosed()).toBe(true);
    expect(fourth.received.length).toBe(0); // refused before a session key was even made
    expect(node.sessions.length).toBe(3);
    // A slot frees when a session ends.
    peers[0].conn.close();
    await new Promise((r) => setTimeout(r, 50));
    const fifth = await dial();
    expect(fifth.closed).toBe(false);
  });

  it('the default cap lets 1,000 sessions from one loopback address work', () => {
    expect(DEFAULT_NODE_LIMITS.maxSessionsPerAddress).toBeGreaterThanOrEqual(1000);
    expect(DEFAULT_NODE_LIMITS.handshakeBurstPerAddress).toBeGreaterThanOrEqual(1000);
    expect(DEFAULT_NODE_LIMITS.maxHandshakes).toBeGreaterThanOrEqual(1000);
  });

  it('handshake rate: a burst over handshakeBurstPerAddress is refused, then the bucket refills', async () => {
    const { dial } = await tcpNode({ nodeLimits: { handshakeBurstPerAddress: 4, handshakesPerSecondPerAddress: 2 } });
    const ok = [];
    for (let i = 0; i < 4; i++) ok.push(await dial());
    const refused = await dial(false);
    expect(await refused.waitClosed()).toBe(true);
    expect(refused.received.length).toBe(0);
    await new Promise((r) => setTimeout(r, 600)); // 2/s: a token is back
    const later = await dial();
    expect(later.closed).toBe(false);
  });

  it('maxHandshakes: connections that never finish their handshake cannot take more than that many slots', async () => {
    const { node, dial } = await tcpNode({ nodeLimits: { maxHandshakes: 2 } });
    await dial(false);
    await dial(false);
    const third = await dial(false);
    expect(await third.waitClosed()).toBe(true);
    expect(third.received.length).toBe(0);
    const established = await dial().catch((e) => e);
    expect(established).toBeInstanceOf(Error); // still full: two silent peers hold both slots
    expect(node.sessions.length).toBe(2);
  });

  it('a session key serves one session at a time (maxSessionsPerKey 1)', async () => {
    const bench = await Bench.start();
    cleanup.push(() => bench.close());
    const key = randomBytes(32);
    const first = await RawPeer.dial(bench.net.netlayer('reuser-1'), bench.node.location, key);
    await first.handshake();
    const second = await RawPeer.dial(bench.net.netlayer('reuser-2'), bench.node.location, key);
    await second.handshake();
    await assertAborts(bench, second, /^peer session key already in use \(maxSessionsPerKey 1\)$/);
    expect(first.closed).toBe(false);
  });

  it('a peer claiming our own designator is refused', async () => {
    const bench = await Bench.start();
    cleanup.push(() => bench.close());
    const peer = await RawPeer.dial(bench.net.netlayer('mirror'), bench.node.location, randomBytes(32));
    await peer.expect('op:start-session');
    peer.send(peer.startSession('1.0', bench.node.location));
    await assertAborts(bench, peer, /^peer location names this node$/);
  });

  it('node limit options are checked', () => {
    expect(() => new OcapnNode({ netlayers: [createTcpTestingOnlyDialer()], nodeLimits: { maxSessionsPerAddress: 0 } })).toThrow(RangeError);
    expect(() => new OcapnNode({ netlayers: [createTcpTestingOnlyDialer()], nodeLimits: { nope: 1 } as never })).toThrow(TypeError);
  });
});
