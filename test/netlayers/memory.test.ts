/** The in-memory netlayer: ordering, copying, close propagation, buffering, severing. */
import { describe, expect, it } from 'vitest';
import { MemoryNetwork, type Connection, type MemoryConnection, type MemoryDelivery } from '../../src/netlayers/index.js';
import { numbered, record, settle } from './helpers.js';

async function pair(deliver: MemoryDelivery = 'microtask') {
  const network = new MemoryNetwork({ deliver });
  const a = network.netlayer('alice');
  const b = network.netlayer('bob');
  const incoming: Connection[] = [];
  b.accept((c) => incoming.push(c));
  const ab = await a.connect(b.location);
  for (let i = 0; i < 5 && incoming.length === 0; i++) await settle();
  return { network, a, b, ab, ba: incoming[0] as MemoryConnection };
}

describe('MemoryNetwork', () => {
  it('gives each netlayer the memory locator', () => {
    const network = new MemoryNetwork();
    const n = network.netlayer('x');
    expect(n.transport).toBe('memory');
    expect(n.location).toEqual({ transport: 'memory', designator: 'x', hints: false });
    expect(network.netlayer().location.designator).toMatch(/^mem-\d+$/);
    expect(() => network.netlayer('x')).toThrow(/already in use/);
    expect(() => network.netlayer('')).toThrow(TypeError);
    expect(() => new MemoryNetwork({ deliver: 'later' as MemoryDelivery })).toThrow(TypeError);
  });

  for (const deliver of ['microtask', 'macrotask'] as const) {
    it(`delivers messages in order both ways (${deliver})`, async () => {
      const { ab, ba } = await pair(deliver);
      expect(ab.outgoing).toBe(true);
      expect(ba.outgoing).toBe(false);
      const ra = record(ab);
      const rb = record(ba);
      for (let i = 0; i < 200; i++) {
        ab.send(numbered(i));
        ba.send(numbered(1000 + i));
      }
      await rb.until(() => rb.messages.length === 200);
      await ra.until(() => ra.messages.length === 200);
      expect(rb.messages).toEqual(Array.from({ length: 200 }, (_, i) => numbered(i)));
      expect(ra.messages).toEqual(Array.from({ length: 200 }, (_, i) => numbered(1000 + i)));
    });
  }

  it('delivers asynchronously, never during send()', async () => {
    const { ab, ba } = await pair();
    const rb = record(ba);
    ab.send(numbered(1));
    expect(rb.messages).toHaveLength(0);
    await rb.until(() => rb.messages.length === 1);
  });

  it('copies messages: the sender may reuse its buffer', async () => {
    const { ab, ba } = await pair();
    const rb = record(ba);
    const buf = numbered(5, 10);
    const original = buf.slice();
    ab.send(buf);
    buf.fill(0x41);
    await rb.until(() => rb.messages.length === 1);
    expect(rb.messages[0]).toEqual(original);
    expect(rb.messages[0]).not.toBe(buf);
    expect(rb.messages[0].buffer).not.toBe(buf.buffer);
  });

  it('buffers messages and close that arrive before setHandlers, then delivers them in order', async () => {
    const { ab, ba } = await pair();
    ab.send(numbered(1));
    ab.send(numbered(2));
    ab.close();
    await settle();
    await settle();
    const rb = record(ba);
    expect(rb.order).toEqual([]); // not synchronously from setHandlers
    await rb.until(() => rb.closes.length === 1);
    expect(rb.order).toEqual(['message', 'message', 'close']);
    expect(rb.messages).toEqual([numbered(1), numbered(2)]);
    expect(rb.closes).toEqual([undefined]);
  });

  it('hands over connections that arrived before accept()', async () => {
    const network = new MemoryNetwork();
    const a = network.netlayer('a');
    const b = network.netlayer('b');
    const ab = await a.connect(b.location);
    ab.send(numbered(9));
    await settle();
    const seen: Connection[] = [];
    b.accept((c) => seen.push(c));
    expect(seen).toHaveLength(1);
    const rb = record(seen[0]);
    await rb.until(() => rb.messages.length === 1);
    expect(rb.messages[0]).toEqual(numbered(9));
    expect(() => b.accept(() => {})).toThrow(TypeError);
  });

  it('close() on one end fires close() on both, after the messages already sent', async () => {
    const { ab, ba } = await pair();
    const ra = record(ab);
    const rb = record(ba);
    ab.send(numbered(1));
    ab.close();
    ab.close(); // idempotent
    ab.send(numbered(2)); // ignored after close
    ba.send(numbered(3)); // b has not heard of the close yet: dropped at a
    await rb.until(() => rb.closes.length === 1);
    await ra.until(() => ra.closes.length === 1);
    await settle();
    expect(rb.order).toEqual(['message', 'close']);
    expect(rb.messages).toEqual([numbered(1)]);
    expect(ra.order).toEqual(['close']);
    expect(ra.closes).toEqual([undefined]);
    expect(rb.closes).toEqual([undefined]);
  });

  it('setHandlers twice throws TypeError', async () => {
    const { ab } = await pair();
    record(ab);
    expect(() => record(ab)).toThrow(TypeError);
  });

  it('send() rejects non-bytes', async () => {
    const { ab } = await pair();
    expect(() => ab.send('hi' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('connect() rejects an unknown, closed or foreign locator clearly', async () => {
    const network = new MemoryNetwork();
    const a = network.netlayer('a');
    const b = network.netlayer('b');
    await expect(a.connect({ transport: 'memory', designator: 'nobody', hints: false })).rejects.toThrow(
      /no open node "nobody"/,
    );
    await expect(a.connect({ transport: 'tcp-testing-only', designator: 'b', hints: false })).rejects.toThrow(TypeError);
    await b.close();
    await expect(a.connect(b.location)).rejects.toThrow(/no open node "b"/);
    await a.close();
    const c = network.netlayer('c');
    await expect(a.connect(c.location)).rejects.toThrow(/is closed/);
    // a closed designator can be reused
    expect(network.netlayer('b').location.designator).toBe('b');
  });

  it('sever() cuts both ends abruptly: in-flight messages are lost, close(error) on both', async () => {
    const { network, ab, ba } = await pair();
    const ra = record(ab);
    const rb = record(ba);
    ab.send(numbered(1));
    expect(network.sever('alice', 'bob')).toBe(1);
    expect(network.sever('alice', 'bob')).toBe(0);
    await settle();
    expect(rb.messages).toEqual([]);
    expect(ra.closes).toHaveLength(1);
    expect(rb.closes).toHaveLength(1);
    expect(ra.closes[0]?.message).toMatch(/severed/);
    expect(rb.closes[0]).toBe(ra.closes[0]);
  });

  it('MemoryConnection.sever() takes a custom error', async () => {
    const { ab, ba } = await pair();
    const rb = record(ba);
    const boom = new Error('cable cut');
    expect(ab.sever(boom)).toBe(true);
    await rb.until(() => rb.closes.length === 1);
    expect(rb.closes[0]).toBe(boom);
  });

  it('netlayer close() closes every connection; the peer sees close()', async () => {
    const { a, ba, ab } = await pair();
    const rb = record(ba);
    expect(a.connections).toEqual([ab]);
    await a.close();
    await rb.until(() => rb.closes.length === 1);
    expect(rb.closes).toEqual([undefined]);
    expect(a.connections).toEqual([]);
    await a.close(); // idempotent
  });

  it('a throwing message handler ends the connection with that error', async () => {
    const { ab, ba } = await pair();
    const ra = record(ab);
    const closes: (Error | undefined)[] = [];
    let seen = 0;
    ba.setHandlers({
      message() {
        seen++;
        throw new Error('handler bug');
      },
      error() {},
      close(e) {
        closes.push(e);
      },
    });
    ab.send(numbered(1));
    ab.send(numbered(2));
    await ra.until(() => ra.closes.length === 1);
    await settle();
    expect(seen).toBe(1);
    expect(closes.map((e) => e?.message)).toEqual(['handler bug']);
    expect(ra.closes[0]?.message).toBe('handler bug');
  });
});

describe('MemoryConnection flow control', () => {
  for (const deliver of ['microtask', 'macrotask'] as const) {
    it(`a paused end holds messages and a graceful close behind them until resumed (${deliver})`, async () => {
      const { ab, ba } = await pair(deliver);
      const ra = record(ab);
      const rb = record(ba);
      ba.pauseReading();
      ab.send(numbered(1, 10));
      ab.send(numbered(2, 20));
      expect(ab.bufferedAmount).toBe(numbered(1, 10).length + numbered(2, 20).length);
      ab.close();
      expect(ab.bufferedAmount).toBe(0); // closed: 0, although bob has not read them
      for (let i = 0; i < 5; i++) await settle();
      expect(rb.order).toEqual([]);
      expect(ba.isClosed).toBe(false);
      ba.resumeReading();
      await rb.until(() => rb.closes.length === 1);
      expect(rb.order).toEqual(['message', 'message', 'close']);
      expect(rb.messages).toEqual([numbered(1, 10), numbered(2, 20)]);
      expect(ra.drains).toBe(0); // alice closed before bob read
    });
  }

  it('when the paused end closes, what waited for it is dropped and the sender drains', async () => {
    const { ab, ba } = await pair();
    const ra = record(ab);
    const rb = record(ba);
    ba.pauseReading();
    ab.send(numbered(1, 1000));
    await settle();
    expect(ab.bufferedAmount).toBeGreaterThan(1000);
    ba.close();
    await ra.until(() => ra.closes.length === 1);
    expect(ra.order).toEqual(['close']);
    expect(ra.drains).toBe(1);
    expect(ab.bufferedAmount).toBe(0);
    expect(rb.messages).toEqual([]);
  });

  it('sever() drops what a paused end holds, without drain', async () => {
    const { ab, ba } = await pair();
    const ra = record(ab);
    const rb = record(ba);
    ba.pauseReading();
    ab.send(numbered(1, 1000));
    ab.sever();
    await settle();
    expect(ra.drains).toBe(0);
    expect(ra.closes).toHaveLength(1);
    expect(rb.closes).toHaveLength(1);
    expect(rb.messages).toEqual([]);
    ba.resumeReading(); // ignored after close
    ab.pauseReading();
    await settle();
    expect(rb.messages).toEqual([]);
  });
});
