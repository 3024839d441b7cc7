/**
 * Persistent swiss numbers, revocation, and the transport a sturdyref names (issue 11.4).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { E, Far, LocatorError, MemoryNetwork, OcapnNode, listenTcpTestingOnly, parseSturdyRefUri } from '../../src/index.js';

const nodes: OcapnNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});
function node(net: MemoryNetwork, name: string, profile?: 'endo'): OcapnNode {
  const n = new OcapnNode({ netlayers: [net.netlayer(name)], ...(profile ? { profile } : {}) });
  nodes.push(n);
  return n;
}
type Counter = { next(): number };

describe('revokeSturdyRef', () => {
  it('later enlivens break with "sturdyref revoked"; a session that already holds the object keeps it', async () => {
    const net = new MemoryNetwork();
    const host = node(net, 'host', 'endo'); // endo profile: the break reason keeps its message
    let count = 0;
    const uri = host.sturdyRefUri(Far('counter', { next: () => ++count }), 'a chosen, long, random-looking swiss');
    const early = node(net, 'early');
    const held = await early.enliven<Counter>(uri);
    expect(await E(held).next()).toBe(1);

    expect(host.revokeSturdyRef(uri)).toBe(true);
    expect(host.revokeSturdyRef(uri)).toBe(false); // already gone

    // The live reference still works: OCapN cannot revoke it (docs/persistence.md: caretakers).
    expect(await E(held).next()).toBe(2);
    // Enlivening again, on the same session or a new one, breaks with a reason that says why.
    await expect(early.enliven(uri)).rejects.toThrow(/sturdyref revoked/);
    const late = node(net, 'late');
    await expect(late.enliven(uri)).rejects.toThrow(/sturdyref revoked/);
    // On the node itself too.
    await expect(host.enliven(uri)).rejects.toThrow(/sturdyref revoked/);
    // A swiss number never registered says so differently.
    await expect(late.enliven(host.sturdyRefUri({}).replace(/\/s\/[^?]*/, '/s/AAAA'))).rejects.toThrow(/no object registered/);
  });

  it('takes a URI, a SturdyRef or the swiss bytes; registering again makes it valid again', async () => {
    const net = new MemoryNetwork();
    const host = node(net, 'host');
    const svc = Far('svc', { hi: () => 'hi' });
    const ref = host.register(svc);
    expect(host.revokeSturdyRef(ref)).toBe(true);
    expect(() => host.fetchLocal(ref.swiss)).toThrow(/sturdyref revoked/);
    host.register(svc, ref.swiss);
    expect(host.fetchLocal(ref.swiss)).toBe(svc);
    expect(host.revokeSturdyRef(ref.swiss)).toBe(true);
    expect(host.revokeSturdyRef(parseSturdyRefUri(host.sturdyRefUri(svc)))).toBe(true);
  });

  it('refuses what is not one of our sturdyrefs', () => {
    const net = new MemoryNetwork();
    const host = node(net, 'host');
    const other = node(net, 'other');
    expect(() => host.revokeSturdyRef(other.sturdyRefUri({}))).toThrow(RangeError);
    expect(() => host.revokeSturdyRef(other.sturdyRefUri({}))).toThrow(/names another peer \(other\.memory\)/);
    expect(() => host.revokeSturdyRef('ocapn://nope')).toThrow(LocatorError);
    expect(() => host.revokeSturdyRef(42 as never)).toThrow(TypeError);
    expect(() => host.revokeSturdyRef({} as never)).toThrow(/needs an ocapn:\/\/…\/s\/… URI/);
  });
});

describe('chosen swiss numbers and the transport a sturdyref names', () => {
  it('a chosen swiss number gives the same URI every time; bad ones are refused', () => {
    const net = new MemoryNetwork();
    const host = node(net, 'host');
    const svc = {};
    const swiss = new Uint8Array(32).fill(7);
    expect(host.sturdyRefUri(svc, swiss)).toBe(host.sturdyRefUri(svc, { swiss }));
    expect(host.sturdyRefUri(svc, swiss)).toMatch(/\/s\/BwcH/);
    expect(() => host.sturdyRefUri({}, '\ud800')).toThrow(/lone surrogate/);
    expect(() => host.sturdyRefUri({}, swiss, { swiss })).toThrow(/given twice/);
    expect(() => host.sturdyRefUri({}, undefined, 'websocket' as never)).toThrow(/options must be an object/);
    expect(() => host.sturdyRefUri({}, { transport: 7 as never })).toThrow(TypeError);
    expect(() => host.sturdyRefUri({}, new Uint8Array(257))).toThrow(RangeError);
  });

  it('{ transport } picks the netlayer whose locator the sturdyref names', async () => {
    const net = new MemoryNetwork();
    const tcp = await listenTcpTestingOnly({ host: '127.0.0.1', port: 0 });
    const host = new OcapnNode({ netlayers: [net.netlayer('host'), tcp] });
    nodes.push(host);
    const svc = Far('svc', { hi: () => 'hi' });
    expect(parseSturdyRefUri(host.sturdyRefUri(svc)).peer.transport).toBe('memory');
    const viaTcp = host.sturdyRefUri(svc, { transport: 'tcp-testing-only' });
    expect(parseSturdyRefUri(viaTcp).peer).toEqual(tcp.location);
    expect(host.register(svc, 'same swiss', { transport: 'tcp-testing-only' }).peer.transport).toBe('tcp-testing-only');
    expect(() => host.sturdyRefUri(svc, { transport: 'websocket' })).toThrow(RangeError);
    expect(() => host.sturdyRefUri(svc, { transport: 'websocket' })).toThrow(/no "websocket" netlayer \(it has: memory, tcp-testing-only\)/);
    // A client on tcp-testing-only reaches it.
    const client = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ host: '127.0.0.1', port: 0 })] });
    nodes.push(client);
    expect(await E(await client.enliven<{ hi(): string }>(viaTcp)).hi()).toBe('hi');
  });
});
