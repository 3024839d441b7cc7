/**
 * A restarted peer's new session replaces the half-open old one (src/node/peers.ts): at once
 * when the netlayer proved the new session's designator, after an unanswered probe of the old
 * one when it is only claimed (tcp-testing-only), and never while the old one answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OcapnNode, E, Far, listenTcpTestingOnly, SessionClosedError, type Connection, type Netlayer, type PeerLocator, type CaptpSession } from '../../src/index.js';
import { startProxy, type Proxy } from './proxy.js';

const nodes: OcapnNode[] = [];
const proxies: Proxy[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

function portOf(loc: PeerLocator): number {
  return Number((loc.hints as Record<string, string>).port);
}

/**
 * tcp-testing-only that pretends to prove its one peer's designator (a stand-in for a netlayer
 * that proves both ends, e.g. WebSocket with mutual proof).
 */
function proving(inner: Netlayer, peerDesignator: string): Netlayer {
  const wrap = (c: Connection): Connection =>
    new Proxy(c, {
      get: (t, k) => {
        if (k === 'provenDesignator') return peerDesignator;
        const v = Reflect.get(t, k) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  return {
    transport: inner.transport,
    get location() {
      return inner.location;
    },
    authenticates: 'both',
    accept: (on) => inner.accept((c) => on(wrap(c))),
    connect: async (loc) => wrap(await inner.connect(loc)),
    close: () => inner.close(),
  };
}

async function tcp(designator?: string) {
  return listenTcpTestingOnly({ host: '127.0.0.1', port: 0, designator });
}

function track(node: OcapnNode): OcapnNode {
  nodes.push(node);
  return node;
}

/** Our node A, and the first incarnation of peer "srv" reached through a proxy that can freeze. */
async function setup(prove: boolean) {
  const aNet = await tcp('node-a');
  const a = track(new OcapnNode({ netlayers: [prove ? proving(aNet, 'srv') : aNet] }));
  let hellos = 0;
  const aUri = a.sturdyRefUri(Far('a', { hello: () => `hello ${++hellos}` }));
  const s1Net = await tcp('srv');
  const s1 = track(new OcapnNode({ netlayers: [prove ? proving(s1Net, 'node-a') : s1Net] }));
  const svc = s1.register(Far('svc', { who: () => 's1', hang: () => new Promise(() => {}) }), 'svc');
  const proxy = await startProxy(portOf(s1.location));
  proxies.push(proxy);
  const viaProxy = { peer: { ...svc.peer, hints: { host: '127.0.0.1', port: String(proxy.port) } }, swiss: svc.swiss };
  const ref = await a.enlivenReconnecting<{ who(): string; hang(): Promise<string> }>(viaProxy, { initialDelayMs: 10, maxDelayMs: 50 });
  expect(await E(ref).who()).toBe('s1');
  /** The "restarted" peer: same designator, another port. */
  const restart = async () => {
    const net = await tcp('srv');
    const s2 = track(new OcapnNode({ netlayers: [prove ? proving(net, 'node-a') : net] }));
    s2.register(Far('svc', { who: () => 's2' }), 'svc');
    return s2;
  };
  return { a, aUri, ref, proxy, restart, sessionsWithSrv: () => a.sessions.filter((s: CaptpSession) => s.peerLocation?.designator === 'srv') };
}

describe('a second session from a peer that already has one', () => {
  it('claimed (tcp-testing-only), old one frozen: held, the old one probed and replaced after 2 s', async () => {
    const { a, aUri, ref, proxy, restart, sessionsWithSrv } = await setup(false);
    proxy.freeze();
    const frozenCall = E(ref).hang().catch((e: unknown) => e);
    const s2 = await restart();
    const started = Date.now();
    // The new session serves the peer's own calls at once, while it is held.
    expect(await E(await s2.enliven<{ hello(): string }>(aUri)).hello()).toBe('hello 1');
    expect(Date.now() - started).toBeLessThan(1_500);
    const broke = (await frozenCall) as SessionClosedError;
    expect(broke).toBeInstanceOf(SessionClosedError);
    expect(broke.reason).toBe('did not answer a probe within 2000 ms while a new session from this peer waited; replaced');
    expect(await E(ref).who()).toBe('s2');
    expect(sessionsWithSrv()).toHaveLength(1);
    expect(a.sessionWith({ transport: 'tcp-testing-only', designator: 'srv', hints: false })?.identity).toBe('claimed');
  }, 20_000);

  it('claimed, old one alive: the old one answers the probe and the new one is refused as a duplicate', async () => {
    const { aUri, ref, restart, sessionsWithSrv } = await setup(false);
    const s2 = await restart();
    const closed = new Promise<SessionClosedError>((resolve) => s2.on('session-close', (e) => resolve(e.error)));
    await s2.enliven(aUri).catch(() => {});
    const e = await closed;
    expect(e.reason).toBe('peer aborted: a session with this peer is already active');
    expect(await E(ref).who()).toBe('s1');
    expect(sessionsWithSrv()).toHaveLength(1);
  }, 20_000);

  it('proven: replaces the old session at once, even a live one', async () => {
    const { aUri, ref, restart } = await setup(true);
    const inFlight = E(ref).hang().catch((e: unknown) => e);
    const s2 = await restart();
    expect(await E(await s2.enliven<{ hello(): string }>(aUri)).hello()).toBe('hello 1');
    const broke = (await inFlight) as SessionClosedError;
    expect(broke.reason).toBe('replaced by a newer session that the netlayer proved is this peer');
    expect(await E(ref).who()).toBe('s2');
  }, 20_000);
});
