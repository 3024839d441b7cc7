/**
 * Distributed GC on the wire (notes §6.3): op:gc-exports with wire deltas and op:gc-answers,
 * received (our tables) and sent (our imports and questions), in every profile's form.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { E } from '../../src/index.js';
import { forceGc } from '../helpers/gc.js';
import { ans, deliver, deliverOnly, exp, expectNext, fetchObject, imp, rec, rig, rigOutbound, settle, sym, type Rig } from './transcript-helpers.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** A node with an object `thing`, a function `keep` that holds on to what it is given, and `echo`. */
function holder(kept: unknown[]) {
  return (node: import('../../src/index.js').OcapnNode) => {
    node.register({ ping: () => 'pong' }, 'thing');
    node.register((ref: unknown) => {
      kept.push(ref);
      return true;
    }, 'keep');
    node.register((...args: unknown[]) => args, 'echo');
  };
}

describe('op:gc-exports received: the wire delta is subtracted, the export freed at 0', () => {
  it('an export sent twice survives a delta of 1 and is freed by the next', async () => {
    current = await rig({ profile: 'endo', setup: holder([]) });
    const { peer } = current;
    const a = await fetchObject(peer, 'thing', false, 1); // sent once
    const b = await fetchObject(peer, 'thing', false, 2); // sent again: count 2
    expect(b).toBe(a);
    await expectNext(peer, '<op:gc-exports [2] [1]>');
    peer.send(rec('op:gc-exports', [BigInt(a)], [1n]));
    peer.send(deliver(exp(a), [sym('ping')], false, imp(3)));
    await expectNext(peer, "<op:deliver <desc:export 3> ['fulfill \"pong\"] f f>");
    await expectNext(peer, '<op:gc-exports [3] [1]>');
    peer.send(rec('op:gc-exports', [BigInt(a)], [1n]));
    peer.send(deliver(exp(a), [sym('ping')], false, imp(4)));
    await expectNext(peer, "<op:deliver <desc:export 4> ['break <desc:error \"no export at position 1\">] f f>");
    expect(current.session.isActive).toBe(true);
  });

  it('a delta covering several sends at once frees it; a later fetch gets a fresh position', async () => {
    current = await rig({ profile: 'endo', setup: holder([]) });
    const { peer } = current;
    const a = await fetchObject(peer, 'thing', false, 1);
    await fetchObject(peer, 'thing', false, 2);
    await fetchObject(peer, 'thing', false, 3);
    peer.send(rec('op:gc-exports', [BigInt(a)], [3n]));
    const again = await fetchObject(peer, 'thing', false, 4);
    expect(again).toBe(a + 1);
  });

  it('the suite\'s singular op:gc-export (list and scalar payloads) is accepted', async () => {
    current = await rig({ profile: 'suite', setup: holder([]) });
    const { peer } = current;
    const a = await fetchObject(peer, 'thing', false, 0);
    await fetchObject(peer, 'thing', false, 0);
    peer.send(rec('op:gc-export', [BigInt(a)], [1n]));
    peer.send(rec('op:gc-export', BigInt(a), 1n));
    peer.send(deliver(exp(a), [sym('ping')], false, imp(0)));
    await expectNext(peer, "<op:deliver-only <desc:export 0> ['break <desc:error \"no export at position 1\">]>");
  });

  it('the bootstrap object (export 0) is never collected', async () => {
    current = await rig({ profile: 'endo', setup: holder([]) });
    const { peer } = current;
    peer.send(rec('op:gc-exports', [0n], [5n]));
    await fetchObject(peer, 'thing', false, 1);
  });

  it('unknown positions are ignored', async () => {
    current = await rig({ setup: holder([]) });
    const { peer } = current;
    peer.send(rec('op:gc-exports', [77n], [1n]));
    await fetchObject(peer, 'thing', false, 1);
    expect(current.session.isActive).toBe(true);
  });
});

describe('op:gc-answers received', () => {
  it('after it, <desc:answer n> is unknown, and n can be reused', async () => {
    current = await rig({ profile: 'endo', setup: holder([]) });
    const { peer } = current;
    const t = await fetchObject(peer, 'thing', false, 1);
    await peer.next();
    peer.send(deliver(exp(t), [sym('ping')], 0, false));
    peer.send(rec('op:listen', ans(0), imp(2), false));
    await expectNext(peer, "<op:deliver <desc:export 2> ['fulfill \"pong\"] f f>");
    await peer.next();
    peer.send(rec('op:gc-answers', [0n]));
    peer.send(rec('op:listen', ans(0), imp(3), false));
    await expectNext(peer, "<op:deliver <desc:export 3> ['break <desc:error \"no answer at position 0\">] f f>");
    await peer.next();
    // Reusing 0 is now allowed (no abort).
    peer.send(deliver(exp(t), [sym('ping')], 0, imp(4)));
    await expectNext(peer, "<op:deliver <desc:export 4> ['fulfill \"pong\"] f f>");
    expect(current.session.isActive).toBe(true);
  });

  it('the suite\'s singular op:gc-answer is accepted', async () => {
    current = await rig({ profile: 'suite', setup: holder([]) });
    const { peer } = current;
    const t = await fetchObject(peer, 'thing', false, 0);
    peer.send(deliver(exp(t), [sym('ping')], 3, false));
    peer.send(rec('op:gc-answer', [3n]));
    peer.send(deliver(exp(t), [sym('ping')], 3, imp(0)));
    await expectNext(peer, "<op:deliver-only <desc:export 0> ['fulfill \"pong\"]>");
    expect(current.session.isActive).toBe(true);
  });
});

describe('GC our node sends', () => {
  it('releaseImport reports how many times the import was received (one position per message, Goblins)', async () => {
    const kept: unknown[] = [];
    current = await rig({ setup: holder(kept) });
    const { peer, session } = current;
    const keep = await fetchObject(peer, 'keep', false, 1);
    await expectNext(peer, '<op:gc-exports [1] [1]>');
    peer.send(deliver(exp(keep), [imp(7)], false, false));
    peer.send(deliver(exp(keep), [imp(7)], false, false));
    peer.send(deliver(exp(keep), [imp(8)], false, false));
    await settle();
    expect(kept).toHaveLength(3);
    expect(kept[0]).toBe(kept[1]);
    session.releaseImport(kept[0] as object);
    session.releaseImport(kept[2] as object);
    await expectNext(peer, '<op:gc-exports [7] [2]>');
    await expectNext(peer, '<op:gc-exports [8] [1]>');
    // Releasing again sends nothing.
    session.releaseImport(kept[0] as object);
    await expect(peer.next(100)).rejects.toThrow(/timed out/);
  });

  it('batched in one message under the endo profile', async () => {
    const kept: unknown[] = [];
    current = await rig({ profile: 'endo', setup: holder(kept) });
    const { peer, session } = current;
    const keep = await fetchObject(peer, 'keep', false, 1);
    await peer.next();
    peer.send(deliver(exp(keep), [imp(7)], false, false));
    peer.send(deliver(exp(keep), [imp(8)], false, false));
    peer.send(deliver(exp(keep), [imp(8)], false, false));
    await settle();
    session.releaseImport(kept[0] as object);
    session.releaseImport(kept[1] as object);
    await expectNext(peer, '<op:gc-exports [7 8] [1 2]>');
  });

  it('singular labels under the suite profile', async () => {
    const kept: unknown[] = [];
    current = await rig({ profile: 'suite', setup: holder(kept) });
    const { peer, session } = current;
    const keep = await fetchObject(peer, 'keep', false, 1);
    await expectNext(peer, '<op:gc-export [1] [1]>');
    peer.send(deliverOnly(exp(keep), [imp(7)]));
    await settle();
    session.releaseImport(kept[0] as object);
    await expectNext(peer, '<op:gc-export [7] [1]>');
  });

  it('op:gc-answers once our question settles (Goblins: plural label, one position each)', async () => {
    current = await rigOutbound();
    const { peer, session } = current;
    const boot = session.peerBootstrap() as any;
    const p1 = E(boot).one();
    const p2 = E(boot).two();
    await expectNext(peer, "<op:deliver <desc:export 0> ['one] 0 <desc:import-object 1>>");
    await expectNext(peer, "<op:deliver <desc:export 0> ['two] 1 <desc:import-object 2>>");
    peer.send(deliver(exp(2), [sym('fulfill'), 2n], false, false));
    expect(await p2).toBe(2n);
    await expectNext(peer, '<op:gc-answers [1]>');
    peer.send(deliver(exp(1), [sym('break'), sym('oh-no')], false, false));
    await expect(p1).rejects.toBeDefined();
    await expectNext(peer, '<op:gc-answers [0]>');
  });

  it('op:gc-answer (singular) under the suite profile, and op:deliver-only for sends', async () => {
    current = await rigOutbound({ profile: 'suite' });
    const { peer, session } = current;
    const boot = session.peerBootstrap() as any;
    const p = E(boot).one();
    E.sendOnly(boot).two();
    await expectNext(peer, "<op:deliver <desc:export 0> ['one] 0 <desc:import-object 1>>");
    await expectNext(peer, "<op:deliver-only <desc:export 0> ['two]>");
    peer.send(deliverOnly(exp(1), [sym('fulfill'), 1n]));
    expect(await p).toBe(1n);
    await expectNext(peer, '<op:gc-answer [0]>');
  });
});

const gc = forceGc;

describe.skipIf(!gc)('imports collected by the JS GC are reported (suite test_gc_export_*)', () => {
  async function collectUntil(peer: Rig['peer'], done: (deltas: Record<number, number>) => boolean): Promise<Record<number, number>> {
    const deltas: Record<number, number> = {};
    for (let i = 0; i < 100 && !done(deltas); i++) {
      gc!();
      // FinalizationRegistry callbacks run in a later task; wait briefly for what they send.
      const m = await peer.next(20).catch(() => undefined);
      if (m && (m.labelName === 'op:gc-export' || m.labelName === 'op:gc-exports')) {
        const [ps, ds] = m.fields as bigint[][];
        ps.forEach((p, k) => (deltas[Number(p)] = (deltas[Number(p)] ?? 0) + Number(ds[k])));
      }
    }
    return deltas;
  }

  it('an object given to echo with deliver-only: op:gc-export [1] [1]', async () => {
    current = await rig({ profile: 'suite', setup: holder([]) });
    const { peer } = current;
    const echo = await fetchObject(peer, 'echo', false, 0);
    peer.send(deliverOnly(exp(echo), [imp(1)]));
    const deltas = await collectUntil(peer, (d) => d[1] === 1);
    expect(deltas[1]).toBe(1);
  });

  it('four references in one message, or in four messages: wire delta 4', async () => {
    current = await rig({ profile: 'suite', setup: holder([]) });
    const { peer } = current;
    const echo = await fetchObject(peer, 'echo', false, 0);
    peer.send(deliverOnly(exp(echo), [imp(1), imp(1), imp(1), imp(1)]));
    for (let i = 0; i < 4; i++) peer.send(deliverOnly(exp(echo), [imp(2)]));
    const deltas = await collectUntil(peer, (d) => d[1] === 4 && d[2] === 4);
    expect(deltas).toMatchObject({ 1: 4, 2: 4 });
  });
});
