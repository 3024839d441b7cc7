import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork, selector } from '../../src/index.js';

describe('two nodes over the memory netlayer', () => {
  it('enlivens a sturdyref, calls, pipelines', async () => {
    const net = new MemoryNetwork();
    const log: string[] = [];
    const a = new OcapnNode({ netlayers: [net.netlayer('alice')], tap: (e) => log.push(`${e.direction} ${e.bytes.length}`) });
    const b = new OcapnNode({ netlayers: [net.netlayer('bob')] });
    let count = 0n;
    const counter = {
      increment: (n: bigint) => (count += n),
      child: (name: string) => ({ describe: () => `child ${name}`, add: (x: bigint, y: bigint) => x + y }),
    };
    const uri = a.sturdyRefUri(counter);
    const ref = await b.enliven(uri);
    expect(await E(ref as any).increment(5n)).toBe(5n);
    const child = E(ref as any).child('x');
    expect(await E(child).add(2n, 3n)).toBe(5n);
    expect(await E(child).describe()).toBe('child x');
    await a.close();
    await b.close();
    expect(log.length).toBeGreaterThan(4);
  });
});

describe('explicit release', () => {
  it('node.release(ref) sends op:gc-exports with the received count', async () => {
    const net = new MemoryNetwork();
    const sent: string[] = [];
    const a = new OcapnNode({ netlayers: [net.netlayer('a')] });
    const b = new OcapnNode({
      netlayers: [net.netlayer('b')],
      tap: (e) => {
        if (e.direction === 'out') sent.push(e.bytes.length ? Buffer.from(e.bytes).toString('latin1') : '');
      },
    });
    const thing = { ping: () => 'pong' };
    const ref = await b.enliven(a.sturdyRefUri({ get: () => thing }));
    const t1 = await E(ref as any).get();
    const t2 = await E(ref as any).get();
    expect(t1).toBe(t2); // the same import, received twice
    b.release(t1 as object);
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.at(-1)).toBe("<13'op:gc-exports[2+][2+]>");
    await a.close();
    await b.close();
  });
});

describe('handshake timeout', () => {
  it('aborts a peer that never sends op:start-session', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('n')], limits: { handshakeTimeoutMs: 50 } });
    const silent = await net.netlayer('silent').connect(node.location);
    const got: string[] = [];
    let closed = false;
    silent.setHandlers({ message: (b) => got.push(Buffer.from(b).toString('latin1')), error: () => {}, close: () => (closed = true) });
    await new Promise((r) => setTimeout(r, 150));
    expect(got[0]).toMatch(/^<16'op:start-session/);
    expect(got[1]).toBe(`<8'op:abort38"no valid op:start-session within 50 ms>`);
    expect(closed).toBe(true);
    expect(node.sessions).toHaveLength(0);
    await node.close();
  });
});

describe('self-asserted locations', () => {
  it('a peer claiming a locator of another transport is aborted', async () => {
    const { RawPeer } = await import('../helpers/raw-peer.js');
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('n')] });
    const peer = await RawPeer.dial(net.netlayer('liar'), node.location);
    peer.send(peer.startSession('1.0', { transport: 'tcp-testing-only', designator: 'liar', hints: { host: '127.0.0.1', port: '1' } }));
    await peer.expect('op:start-session');
    const abort = await peer.expect('op:abort');
    expect(abort.fields[0]).toBe('peer location names transport tcp-testing-only on a memory connection');
    expect(node.sessions).toHaveLength(0);
    await node.close();
  });
});

describe('maxSessions', () => {
  it('closes connections beyond the limit and keeps serving the others', async () => {
    const net = new MemoryNetwork();
    const server = new OcapnNode({ netlayers: [net.netlayer('server')], maxSessions: 2 });
    const uri = server.sturdyRefUri({ ping: () => 'pong' });
    const clients = ['c1', 'c2', 'c3'].map((d) => new OcapnNode({ netlayers: [net.netlayer(d)] }));
    const results = await Promise.allSettled(clients.map(async (c) => E((await c.enliven(uri)) as any).ping()));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(server.sessions).toHaveLength(2);
    expect(() => new OcapnNode({ netlayers: [net.netlayer('x')], maxSessions: 0 })).toThrow(RangeError);
    await Promise.all([server, ...clients].map((n) => n.close()));
  });
});

describe('a question that cannot be sent', () => {
  it('leaves no export behind when the resolver does not fit', async () => {
    const net = new MemoryNetwork();
    const a = new OcapnNode({ netlayers: [net.netlayer('a')] });
    const b = new OcapnNode({ netlayers: [net.netlayer('b')], limits: { maxExports: 2 } });
    const ref = await b.enliven(a.sturdyRefUri({ take: (f: unknown) => typeof f }));
    await new Promise((r) => setTimeout(r, 20)); // the fetch resolver is released by the peer
    const session = b.sessions[0];
    expect(session.exports.size).toBe(1); // the bootstrap object only
    // The argument fits (2 of 2), the resolver does not: both must be undone.
    await expect(E(ref as any).take(() => 1)).rejects.toThrow(/export table is full \(limit 2\)/);
    expect(session.exports.size).toBe(1);
    expect(session.isActive).toBe(true);
    await a.close();
    await b.close();
  });
});
