/** Regressions for findings of the independent review (data is never invoked, getters never run, settled imported promises). */
import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork } from '../../src/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { toNotation } from '../../src/syrup/index.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('messages to data are refused', () => {
  it('a pipelined call onto an answer that is a List, bytes or a Map breaks and changes nothing', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('n')] });
    const items = ['a', 'b', 'c'];
    const buf = new Uint8Array([1, 2, 3]);
    let hits = 0;
    class Thing {
      get drain() {
        hits++;
        return () => 'drained';
      }
      ok() {
        return 'ok';
      }
    }
    node.register({ list: () => items, bytes: () => buf, thing: () => new Thing() }, 'svc');
    const peer = await RawPeer.dial(net.netlayer('p'), node.location);
    await peer.handshake();
    const deliver = (to: unknown, args: unknown[], answer: bigint, resolver: bigint) =>
      peer.send(rec('op:deliver', to as never, args as never, answer, rec('desc:import-object', resolver)));
    deliver(rec('desc:export', 0n), [sym('fetch'), ascii('svc')], 0n, 1n);
    deliver(rec('desc:answer', 0n), [sym('list')], 1n, 2n);
    deliver(rec('desc:answer', 1n), [sym('splice'), 0n, 3n], 2n, 3n);
    deliver(rec('desc:answer', 0n), [sym('bytes')], 3n, 4n);
    deliver(rec('desc:answer', 3n), [sym('fill'), 0n], 4n, 5n);
    deliver(rec('desc:answer', 0n), [sym('thing')], 5n, 6n);
    deliver(rec('desc:answer', 5n), [sym('drain')], 6n, 7n);
    deliver(rec('desc:answer', 5n), [sym('ok')], 7n, 8n);
    const replies = new Map<string, string>();
    while (replies.size < 8) {
      const m = await peer.nextNonGc();
      replies.set(toNotation(m.fields[0]), toNotation(m.fields[1]));
    }
    expect(replies.get('<desc:export 3>')).toMatch(/^\['break "TypeError: messages cannot be sent to data \(a List\)"\]$/);
    expect(replies.get('<desc:export 5>')).toMatch(/^\['break /);
    expect(replies.get('<desc:export 7>')).toMatch(/^\['break /);
    expect(replies.get('<desc:export 8>')).toBe(`['fulfill "ok"]`);
    expect(items).toEqual(['a', 'b', 'c']);
    expect([...buf]).toEqual([1, 2, 3]);
    expect(hits).toBe(0);
    await node.close();
  });
});

describe('a settled imported promise sent back', () => {
  it('travels as a promise of ours, not as a released <desc:export n>', async () => {
    const net = new MemoryNetwork();
    const a = new OcapnNode({ netlayers: [net.netlayer('a')] });
    const b = new OcapnNode({ netlayers: [net.netlayer('b')] });
    let resolve!: (v: unknown) => void;
    const p = new Promise((r) => (resolve = r));
    const remote = await b.enliven(a.sturdyRefUri({ get: () => ({ p }), take: async (x: unknown) => `got ${await x}` }));
    const { p: pp } = (await E(remote as any).get()) as { p: Promise<unknown> };
    resolve(42n);
    expect(await pp).toBe(42n);
    await new Promise((r) => setTimeout(r, 10)); // B has released the imported promise
    expect(await E(remote as any).take(pp)).toBe('got 42');
    expect(a.sessions[0].isActive).toBe(true);
    await a.close();
    await b.close();
  });
});

describe('work waiting on promises is bounded (maxPending)', () => {
  it('aborts a peer that piles up deliveries on a promise that never settles', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('n')], limits: { maxPending: 3 } });
    node.register({ hang: () => new Promise(() => {}) }, 'svc');
    const peer = await RawPeer.dial(net.netlayer('p'), node.location);
    await peer.handshake();
    peer.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), ascii('svc')], 0n, rec('desc:import-object', 1n)));
    await peer.nextNonGc(); // fulfilled with the service
    for (let i = 0; i < 4; i++) peer.send(rec('op:deliver', rec('desc:answer', 0n), [sym('hang')], false, false));
    const abort = await peer.nextNonGc();
    expect(toNotation(abort)).toBe('<op:abort "pending-work table is full (limit 3)">');
    await node.close();
  });
});

describe('a throwing tap', () => {
  it('does not disturb the session', async () => {
    const net = new MemoryNetwork();
    const a = new OcapnNode({ netlayers: [net.netlayer('a')] });
    let taps = 0;
    const b = new OcapnNode({
      netlayers: [net.netlayer('b')],
      tap: () => {
        taps++;
        throw new Error('buggy tap');
      },
    });
    const ref = await b.enliven(a.sturdyRefUri({ ping: () => 'pong' }));
    expect(await E(ref as any).ping()).toBe('pong');
    expect(taps).toBeGreaterThan(3);
    await a.close();
    await b.close();
  });
});
