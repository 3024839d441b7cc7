// Review of the event queue rewrite (messages queued as their bytes, slots reused): the
// ordering and once-only rules of src/netlayers/event-queue.ts still hold.
import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { ConnectionEventQueue, type ConnectionHandlers } from '../../src/netlayers/index.js';

const settle = () => new Promise((r) => setTimeout(r, 0));
const b = (s: string) => new TextEncoder().encode(s);

function recorder(extra: Partial<ConnectionHandlers> = {}) {
  const log: string[] = [];
  const handlers: ConnectionHandlers = {
    message: (m) => log.push(`m:${new TextDecoder().decode(m)}`),
    error: (e) => log.push(`e:${e.message}`),
    close: (e) => log.push(`c:${e?.message ?? ''}`),
    drain: () => log.push('d'),
    ...extra,
  };
  return { log, handlers };
}

describe('review-perf: ConnectionEventQueue after the bytes-as-events rewrite', () => {
  it('a Uint8Array made in another realm is a message, not a close (found by review: it was taken for a close event)', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    q.setHandlers(handlers);
    const foreign = runInNewContext('new Uint8Array([104, 105])') as Uint8Array;
    expect(foreign instanceof Uint8Array).toBe(false); // really from another realm
    q.message(foreign);
    q.drain();
    q.message(foreign);
    q.close();
    await settle();
    expect(log).toEqual(['m:hi', 'd', 'm:hi', 'c:']);
  });

  it('a drain behind a foreign-realm message is not merged away, and close stays single', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    const foreign = runInNewContext('new Uint8Array([120])') as Uint8Array;
    q.drain();
    q.message(foreign);
    q.drain();
    q.drain();
    q.setHandlers(handlers);
    await settle();
    expect(log).toEqual(['d', 'm:x', 'd']);
    q.close(new Error('end'));
    await settle();
    expect(log).toEqual(['d', 'm:x', 'd', 'c:end']);
  });

  it('a burst of more than 1024 messages, then error, drain and close, keeps order; more messages after the burst still arrive', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    q.setHandlers(handlers);
    for (let i = 0; i < 1500; i++) q.message(b(String(i)));
    await settle();
    expect(log.length).toBe(1500);
    expect(log[0]).toBe('m:0');
    expect(log[1499]).toBe('m:1499');
    for (let i = 0; i < 3; i++) q.message(b(`after${i}`));
    q.drain();
    q.error(new Error('bad'));
    q.message(b('dropped'));
    q.drain();
    q.close();
    q.drain();
    await settle();
    expect(log.slice(1500)).toEqual(['m:after0', 'm:after1', 'm:after2', 'd', 'e:bad', 'd', 'c:']);
  });

  it('events pushed by a handler during delivery come after the ones already queued, in order', async () => {
    const q = new ConnectionEventQueue(() => {});
    let pushed = false;
    const { log, handlers } = recorder({
      message: (m) => {
        const t = new TextDecoder().decode(m);
        log.push(`m:${t}`);
        if (!pushed) {
          pushed = true;
          for (let i = 0; i < 1100; i++) q.message(b(`n${i}`));
          q.close();
        }
      },
    });
    q.setHandlers(handlers);
    q.message(b('first'));
    q.message(b('second'));
    await settle();
    expect(log.slice(0, 3)).toEqual(['m:first', 'm:second', 'm:n0']);
    expect(log.length).toBe(2 + 1100 + 1);
    expect(log.at(-2)).toBe('m:n1099');
    expect(log.at(-1)).toBe('c:');
    // Nothing after close, and a second delivery round is empty.
    q.message(b('late'));
    await settle();
    expect(log.length).toBe(2 + 1100 + 1);
  });

  it('after a message handler throws, only close is delivered (and onHandlerThrow once)', async () => {
    const thrown: string[] = [];
    const q = new ConnectionEventQueue((e) => {
      thrown.push(e.message);
      q.close(e);
    });
    const { log, handlers } = recorder({
      message: (m) => {
        log.push(`m:${new TextDecoder().decode(m)}`);
        throw 'boom';
      },
    });
    q.setHandlers(handlers);
    q.message(b('a'));
    q.message(b('b'));
    q.drain();
    q.error(new Error('late error'));
    await settle();
    expect(log).toEqual(['m:a', 'c:boom']);
    expect(thrown).toEqual(['boom']);
  });

  it('a message over the limit becomes the error, even far into a long queue', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    for (let i = 0; i < 1030; i++) q.message(b('ok'));
    q.message(b('toolong'));
    q.message(b('ok'));
    q.setMaxMessageBytes(3);
    q.setHandlers(handlers);
    q.close();
    await settle();
    expect(log.length).toBe(1030 + 2);
    expect(log[1030]).toBe('e:incoming message of 7 bytes exceeds maxMessageBytes (3)');
    expect(log[1031]).toBe('c:');
  });
});
