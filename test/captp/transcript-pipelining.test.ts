/**
 * Promise pipelining on the wire, both ways (notes §6.3, §8): messages sent to
 * `<desc:answer n>` before n settles, and breaks that propagate down a pipeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { E } from '../../src/index.js';
import { ans, deliver, exp, expectNext, fetchObject, gcDeltas, imp, n, rec, rig, rigOutbound, settle, sym, type Rig } from './transcript-helpers.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

function gate<T>(): { promise: Promise<T>; open: (v: T) => void; fail: (e: unknown) => void } {
  let open!: (v: T) => void;
  let fail!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

describe('the peer pipelines on our answers', () => {
  it('a deliver to <desc:answer n> sent before n resolves runs after it, in order', async () => {
    const g = gate<object>();
    const log: string[] = [];
    current = await rig({
      setup: (node) =>
        node.register({
          slow: () => {
            log.push('slow');
            return g.promise;
          },
        }, 'slow'),
    });
    const { peer } = current;
    const obj = await fetchObject(peer, 'slow', false, 1);
    await expectNext(peer, '<op:gc-exports [1] [1]>');
    peer.send(deliver(exp(obj), [sym('slow')], 0, imp(2)));
    peer.send(deliver(ans(0), [sym('double'), 21n], 1, imp(3)));
    peer.send(deliver(ans(1), [], false, imp(4))); // 42 is not a target: this one breaks
    await expect(peer.next(100)).rejects.toThrow(/timed out/);
    expect(log).toEqual(['slow']);
    g.open({
      double: (x: bigint) => {
        log.push('double');
        return x * 2n;
      },
    });
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(n(await peer.next()));
    expect(got.filter((m) => !m.startsWith('<op:gc-'))).toEqual([
      "<op:deliver <desc:export 2> ['fulfill <desc:import-object 2>] f f>",
      "<op:deliver <desc:export 3> ['fulfill 42] f f>",
      "<op:deliver <desc:export 4> ['break \"TypeError: messages cannot be sent to data (bigint)\"] f f>",
    ]);
    // Goblins form: one position per GC message; each resolver released once.
    expect(got.filter((m) => m.startsWith('<op:gc-'))).toEqual(['<op:gc-exports [2] [1]>', '<op:gc-exports [3] [1]>', '<op:gc-exports [4] [1]>']);
    expect(log).toEqual(['slow', 'double']);
  });

  it('pipeline with break: the answer breaks and each queued message breaks its own answer (endo errors)', async () => {
    current = await rig({
      profile: 'endo',
      setup: (node) => node.register({ fail: () => Promise.reject(new Error('no car today')) }, 'factory'),
    });
    const { peer } = current;
    const f = await fetchObject(peer, 'factory', false, 1);
    await peer.next();
    peer.send(deliver(exp(f), [sym('fail')], 0, imp(2)));
    peer.send(deliver(ans(0), [[1n, 2n, 3n]], 1, imp(3)));
    peer.send(deliver(ans(1), [], false, imp(4)));
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(n(await peer.next()));
    // The breaks leave in pipeline order; each resolver is released once (GC timing may interleave).
    expect(got.filter((m) => m.startsWith('<op:deliver'))).toEqual([
      "<op:deliver <desc:export 2> ['break <desc:error \"no car today\">] f f>",
      "<op:deliver <desc:export 3> ['break <desc:error \"no car today\">] f f>",
      "<op:deliver <desc:export 4> ['break <desc:error \"no car today\">] f f>",
    ]);
    expect(gcDeltas(got)).toEqual({ 2: 1, 3: 1, 4: 1 });
  });

  it('op:listen on a pipelined answer that breaks is told the break', async () => {
    current = await rig({
      profile: 'suite',
      setup: (node) => node.register({ fail: () => { throw new Error('boom'); } }, 'x'),
    });
    const { peer } = current;
    const x = await fetchObject(peer, 'x', false, 0);
    peer.send(deliver(exp(x), [sym('fail')], 0, false));
    peer.send(deliver(ans(0), [sym('more')], 1, false));
    peer.send(rec('op:listen', ans(1), imp(1), false));
    await expectNext(peer, "<op:deliver-only <desc:export 1> ['break <desc:error \"boom\">]>");
  });
});

describe('our node pipelines on the peer\'s answers (node API)', () => {
  it('E(E(ref).a()).b(): the second op:deliver targets <desc:answer 0> and leaves before any answer arrives', async () => {
    current = await rigOutbound();
    const { peer, session } = current;
    const boot = session.peerBootstrap();
    const p = E(boot as any).a();
    const q = E(p).b(7n);
    await expectNext(peer, "<op:deliver <desc:export 0> ['a] 0 <desc:import-object 1>>");
    await expectNext(peer, "<op:deliver <desc:answer 0> ['b 7] 1 <desc:import-object 2>>");
    // Nothing else until the peer answers, and the peer has sent nothing but its hello.
    expect(peer.received).toHaveLength(3);
    await expect(peer.next(100)).rejects.toThrow(/timed out/);
    // Now answer: a → an object of the peer's; b → 'done'.
    peer.send(deliver(exp(1), [sym('fulfill'), imp(5)], false, false));
    peer.send(deliver(exp(2), [sym('fulfill'), 'done'], false, false));
    expect(await q).toBe('done');
    await p;
    // Each settled question's answer position is released, one per message (Goblins form).
    await expectNext(peer, '<op:gc-answers [0]>');
    await expectNext(peer, '<op:gc-answers [1]>');
    // A third call on the resolved presence goes to <desc:export 5>, with fresh positions.
    const r = E(await p).c();
    await expectNext(peer, "<op:deliver <desc:export 5> ['c] 2 <desc:import-object 3>>");
    peer.send(deliver(exp(3), [sym('fulfill'), 1n], false, false));
    expect(await r).toBe(1n);
  });

  it('a pipelined call on an answer the peer breaks rejects (the peer breaks each answer)', async () => {
    current = await rigOutbound();
    const { peer, session } = current;
    const p = E(session.peerBootstrap() as any).a();
    const q = E(p).b();
    await peer.next();
    await peer.next();
    peer.send(deliver(exp(1), [sym('break'), 'no a'], false, false));
    peer.send(deliver(exp(2), [sym('break'), 'no a'], false, false));
    await expect(p).rejects.toBe('no a');
    await expect(q).rejects.toBe('no a');
    await expectNext(peer, '<op:gc-answers [0]>');
    await expectNext(peer, '<op:gc-answers [1]>');
  });

  it('a call on an answer that settled to data fails locally and sends nothing', async () => {
    current = await rigOutbound({ profile: 'endo' });
    const { peer, session } = current;
    const p = E(session.peerBootstrap() as any).a();
    peer.send(deliver(exp(1), [sym('fulfill'), 'just data'], false, false));
    expect(await p).toBe('just data');
    await settle();
    await expectNext(peer, "<op:deliver <desc:export 0> ['a] 0 <desc:import-object 1>>");
    await expectNext(peer, '<op:gc-answers [0]>');
    // Sending to a settled answer of data fails locally, without touching the wire.
    await expect(E(p as any).b()).rejects.toThrow();
    await expect(peer.next(100)).rejects.toThrow(/timed out/);
  });
});
