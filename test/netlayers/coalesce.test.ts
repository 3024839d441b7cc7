/**
 * The stream netlayers write the frames of one turn as one socket write (bench/ found one
 * write per message the largest fixed cost of a call). Counted, not timed: socket writes,
 * bytes on the wire, bufferedAmount and drain.
 */
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SocketConnection } from '../../src/netlayers/stream/socket-connection.js';
import type { Framing } from '../../src/netlayers/stream/framing.js';
import { encode, rec } from '../../src/syrup/index.js';

async function socketPair(): Promise<{ ours: Socket; theirs: Socket; close(): void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const ours = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(ours, 'connect');
  const [theirs] = (await accepted) as [Socket];
  return { ours, theirs, close: () => (ours.destroy(), theirs.destroy(), server.close()) };
}

const options = (framing: Framing) => ({ transport: 'test', framing, maxMessageBytes: 1 << 20, closeLingerMs: 100, syrup: undefined });

describe('SocketConnection coalesces one turn of sends', () => {
  for (const framing of ['raw', 'netstring'] as Framing[]) {
    it(`${framing}: 50 sends in one turn are one socket write; bytes, order, bufferedAmount and drain intact`, async () => {
      const pair = await socketPair();
      try {
        const writes: number[] = [];
        const write = pair.ours.write.bind(pair.ours) as (chunk: Uint8Array, cb?: () => void) => boolean;
        pair.ours.write = ((chunk: Uint8Array, cb?: () => void) => {
          writes.push(chunk.length);
          return write(chunk, cb);
        }) as typeof pair.ours.write;
        const conn = new SocketConnection(pair.ours, true, options(framing));
        let drains = 0;
        conn.setHandlers({ message: () => {}, error: () => {}, close: () => {}, drain: () => drains++ });
        const messages = Array.from({ length: 50 }, (_, i) => encode(rec('op:gc-answers', [BigInt(i)])));
        const total = messages.reduce((n, m) => n + m.length, 0);
        const reused = new Uint8Array(messages[0]);
        for (const m of messages) conn.send(m);
        conn.send(reused);
        reused.fill(0); // the caller reuses its buffer at once: what was sent must not change
        // Queued, not yet written: bufferedAmount counts the bytes from send() on.
        expect(writes).toEqual([]);
        if (framing === 'raw') expect(conn.bufferedAmount).toBe(total + messages[0].length);
        else expect(conn.bufferedAmount).toBeGreaterThan(total + messages[0].length);
        const expected = framing === 'raw' ? conn.bufferedAmount : undefined;
        let got = 0;
        const chunks: Buffer[] = [];
        pair.theirs.on('data', (d: Buffer) => {
          chunks.push(d);
          got += d.length;
        });
        await new Promise((r) => setTimeout(r, 50));
        expect(writes.length).toBe(1);
        expect(drains).toBe(1);
        expect(conn.bufferedAmount).toBe(0);
        if (expected !== undefined) {
          expect(got).toBe(expected);
          expect(Buffer.concat(chunks)).toEqual(Buffer.concat([...messages, messages[0]]));
        }
        // A later turn is a later write.
        conn.send(messages[1]);
        await new Promise((r) => setTimeout(r, 50));
        expect(writes.length).toBe(2);
        expect(drains).toBe(2);
      } finally {
        pair.close();
      }
    });
  }

  it('close() writes the frames queued this turn before its end', async () => {
    const pair = await socketPair();
    try {
      const conn = new SocketConnection(pair.ours, true, options('raw'));
      conn.setHandlers({ message: () => {}, error: () => {}, close: () => {} });
      const m = encode(rec('op:abort', 'bye'));
      conn.send(m);
      conn.close();
      const chunks: Buffer[] = [];
      pair.theirs.on('data', (d: Buffer) => chunks.push(d));
      await once(pair.theirs, 'end');
      expect(Buffer.concat(chunks)).toEqual(Buffer.from(m));
    } finally {
      pair.close();
    }
  });
});
