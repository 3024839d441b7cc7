/** ConnectionEventQueue: the buffering / ordering / once-only rules every netlayer relies on. */
import { describe, expect, it } from 'vitest';
import { ConnectionEventQueue, type ConnectionHandlers } from '../../src/netlayers/index.js';
import { bytes, settle } from './helpers.js';

function recorder() {
  const log: string[] = [];
  const handlers: ConnectionHandlers = {
    message: (b) => log.push(`m:${String.fromCharCode(...b)}`),
    error: (e) => log.push(`e:${e.message}`),
    close: (e) => log.push(`c:${e?.message ?? ''}`),
  };
  return { log, handlers };
}

describe('ConnectionEventQueue', () => {
  it('buffers until setHandlers, then delivers in order from a microtask', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    q.message(bytes('a'));
    q.message(bytes('b'));
    q.setHandlers(handlers);
    expect(log).toEqual([]);
    q.message(bytes('c'));
    expect(log).toEqual([]);
    await settle();
    expect(log).toEqual(['m:a', 'm:b', 'm:c']);
  });

  it('drops messages after error, and everything after close; error and close once', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    q.setHandlers(handlers);
    q.message(bytes('a'));
    q.error(new Error('bad'));
    q.error(new Error('worse'));
    q.message(bytes('b'));
    q.close();
    q.close(new Error('again'));
    q.message(bytes('c'));
    await settle();
    expect(log).toEqual(['m:a', 'e:bad', 'c:']);
    expect(q.closed).toBe(true);
    expect(q.errored).toBe(true);
  });

  it('validates setHandlers', () => {
    const q = new ConnectionEventQueue(() => {});
    expect(() => q.setHandlers({ message() {}, error() {} } as unknown as ConnectionHandlers)).toThrow(/handlers\.close/);
    q.setHandlers(recorder().handlers);
    expect(() => q.setHandlers(recorder().handlers)).toThrow(/already called/);
    expect(() => new ConnectionEventQueue(undefined as never)).toThrow(TypeError);
  });

  it('after a throwing message handler delivers only close', async () => {
    const thrown: Error[] = [];
    const q = new ConnectionEventQueue((e) => {
      thrown.push(e);
      q.close(e);
    });
    const log: string[] = [];
    q.setHandlers({
      message: (b) => {
        log.push(`m:${String.fromCharCode(...b)}`);
        throw new Error('oops');
      },
      error: () => log.push('e'),
      close: (e) => log.push(`c:${e?.message}`),
    });
    q.message(bytes('a'));
    q.message(bytes('b'));
    q.error(new Error('x'));
    await settle();
    expect(log).toEqual(['m:a', 'c:oops']);
    expect(thrown.map((e) => e.message)).toEqual(['oops']);
  });

  it('delivers drain in order, after error too, merged when repeated, never after close', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    q.drain(); // before setHandlers: kept
    q.drain(); // merged into the one above
    q.message(bytes('a'));
    q.setHandlers({ ...handlers, drain: () => log.push('d') });
    expect(log).toEqual([]);
    q.drain();
    expect(log).toEqual([]); // never synchronous
    await settle();
    q.error(new Error('bad'));
    q.drain(); // the connection stays writable after error
    q.close();
    q.drain();
    await settle();
    expect(log).toEqual(['d', 'm:a', 'd', 'e:bad', 'd', 'c:']);
  });

  it('skips drain when the handlers have none, and checks its type', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    expect(() => q.setHandlers({ ...handlers, drain: 5 } as unknown as ConnectionHandlers)).toThrow(/handlers\.drain/);
    q.setHandlers(handlers);
    q.drain();
    q.message(bytes('a'));
    await settle();
    expect(log).toEqual(['m:a']);
  });

  it('a throwing drain handler is handled like a throwing message handler', async () => {
    const thrown: Error[] = [];
    const q = new ConnectionEventQueue((e) => {
      thrown.push(e);
      q.close(e);
    });
    const { log, handlers } = recorder();
    q.setHandlers({
      ...handlers,
      drain: () => {
        throw new Error('drain bug');
      },
    });
    q.drain();
    q.message(bytes('a'));
    await settle();
    expect(log).toEqual(['c:drain bug']);
    expect(thrown.map((e) => e.message)).toEqual(['drain bug']);
  });

  it('setMaxMessageBytes turns a queued message over the limit into the error; nothing follows', async () => {
    const q = new ConnectionEventQueue(() => {});
    const { log, handlers } = recorder();
    q.message(bytes('ab'));
    q.message(bytes('abcd')); // already queued when the limit is set
    q.message(bytes('c'));
    q.error(new Error('later'));
    expect(() => q.setMaxMessageBytes(0)).toThrow(RangeError);
    expect(() => q.setMaxMessageBytes(1.5)).toThrow(RangeError);
    q.setMaxMessageBytes(3, (length, max) => new Error(`too big ${length}>${max}`));
    q.setHandlers(handlers);
    q.close();
    await settle();
    expect(log).toEqual(['m:ab', 'e:too big 4>3', 'c:']);
    expect(q.errored).toBe(true);
  });
});
