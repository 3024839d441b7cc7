import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork, type WireEvent } from '../../src/index.js';

/** Wait until `check` holds, a macrotask at a time (bounded by count, not by time). */
async function until(check: () => boolean, turns = 200): Promise<void> {
  for (let i = 0; i < turns && !check(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(check()).toBe(true);
}

describe('session and node stats', () => {
  it('counts exactly the messages and bytes the tap saw, and the live tables', async () => {
    const net = new MemoryNetwork();
    const seen = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
    const tap = (e: WireEvent) => {
      if (e.direction === 'in') {
        seen.messagesIn++;
        seen.bytesIn += e.bytes.length;
      } else {
        seen.messagesOut++;
        seen.bytesOut += e.bytes.length;
      }
    };
    const A = new OcapnNode({ netlayers: [net.netlayer('A')], tap });
    const B = new OcapnNode({ netlayers: [net.netlayer('B')] });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held: unknown[] = [];
    const service = {
      greet: (name: string) => `hello ${name}`,
      keep: (ref: unknown) => void held.push(ref),
      later: () => gate.then(() => 'done'),
    };
    const ref = await A.enliven(B.sturdyRefUri(service));
    expect(await E(ref as any).greet('bob')).toBe('hello bob');
    const callback = { ping: () => 'pong' };
    await E(ref as any).keep(callback);
    const pending = E(ref as any).later();
    await until(() => B.sessions[0]?.stats().answers === 1);
    const [sa] = A.sessions;
    const sb = B.sessions[0];
    // Both ends agree on what crossed, once nothing is in flight.
    await until(() => sb.stats().messagesIn === sa.stats().messagesOut && sa.stats().messagesIn === sb.stats().messagesOut);
    const a = sa.stats();
    expect(a.state).toBe('active');
    expect(a.designator).toBe('B');
    expect(a.transport).toBe('memory');
    expect(a.peer).toBe('ocapn://B.memory');
    expect(a.identity).toMatch(/^(proven|claimed|confirmed)$/);
    expect(typeof a.openedAt).toBe('number');
    expect(a.openedAt).toBeLessThanOrEqual(Date.now());
    // A imports B's service; B imports A's callback (A exports it); A's `later` question is open.
    // A imports B's bootstrap and service; B imports A's callback and A's resolver for the open
    // question. Export counts include the bootstrap object.
    expect(a.imports).toBe(2);
    expect(a.exports).toBe(3);
    expect(a.questions).toBe(1);
    expect(sb.stats().exports).toBe(2);
    expect(sb.stats().imports).toBe(2);
    expect(sb.stats().answers).toBe(1);
    expect(sb.stats().questions).toBe(0);
    expect({ messagesIn: a.messagesIn, messagesOut: a.messagesOut, bytesIn: a.bytesIn, bytesOut: a.bytesOut }).toEqual(seen);
    expect(a.messagesOut).toBeGreaterThanOrEqual(5);
    const a2 = sa.stats();
    const b = sb.stats();
    expect({ messagesIn: a2.messagesIn, messagesOut: a2.messagesOut, bytesIn: a2.bytesIn, bytesOut: a2.bytesOut }).toEqual(seen);
    expect([b.messagesIn, b.bytesIn, b.messagesOut, b.bytesOut]).toEqual([a2.messagesOut, a2.bytesOut, a2.messagesIn, a2.bytesIn]);

    const totals = A.stats().totals;
    expect(A.stats().sessions).toHaveLength(1);
    expect(totals.bytesOut).toBe(seen.bytesOut);
    expect(totals.imports).toBe(2);

    release();
    expect(await pending).toBe('done');
    expect(sa.stats().questions).toBe(0);
    await Promise.all([A.close(), B.close()]);
    const closed = sa.stats();
    expect(closed.state).toBe('closed');
    expect(closed.closeReason).toBe('node shutting down');
    expect(closed.messagesOut).toBe(seen.messagesOut);
    expect(A.stats().sessions).toHaveLength(0);
  });
});
