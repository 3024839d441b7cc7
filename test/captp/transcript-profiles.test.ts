/**
 * Compatibility profiles on the wire (notes §13, §15) and the end of a session (§5.5): which
 * forms our node writes under goblins / endo / suite, the automatic switch to suite forms,
 * and what pending promises see when the peer aborts or the connection drops.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { E, SessionClosedError } from '../../src/index.js';
import { deliver, deliverOnly, exp, expectNext, expectNextNonGc, fetchObject, imp, impP, n, rec, rig, rigOutbound, settle, sym, type Rig } from './transcript-helpers.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** `keep(ref)` holds what it is given; `echo` returns its arguments. */
function objects(kept: unknown[]) {
  return (node: import('../../src/index.js').OcapnNode) => {
    node.register((ref: unknown) => {
      kept.push(ref);
      return true;
    }, 'keep');
    node.register((...args: unknown[]) => args, 'echo');
  };
}

describe('goblins profile (the default)', () => {
  it('fire-and-forget is <op:deliver … f f>; an imported promise gets a 3-field <op:listen … f>', async () => {
    current = await rig({ setup: objects([]) });
    const { peer } = current;
    const echo = await fetchObject(peer, 'echo', false, 1);
    await expectNext(peer, '<op:gc-exports [1] [1]>');
    // Give the node a promise of ours: it listens on it at once.
    peer.send(deliver(exp(echo), [impP(5)], false, false));
    await expectNext(peer, '<op:listen <desc:export 5> <desc:import-object 2> f>');
    // Settle it: the node releases the promise import (one position per message).
    peer.send(deliver(exp(2), [sym('fulfill'), 'v'], false, false));
    await expectNext(peer, '<op:gc-exports [5] [1]>');
  });

  it('a call from our node carries both answer-pos and resolver, even fetch (as Goblins does)', async () => {
    current = await rigOutbound();
    const { peer, node } = current;
    const ref = node.enliven({ peer: peer.location, swiss: new TextEncoder().encode('s') } as any);
    await expectNext(peer, "<op:deliver <desc:export 0> ['fetch b\"s\"] 0 <desc:import-object 1>>");
    peer.send(deliver(exp(1), [sym('fulfill'), imp(3)], false, false));
    const presence = await ref;
    E.sendOnly(presence as any).poke(1n);
    await expectNext(peer, '<op:gc-answers [0]>');
    await expectNext(peer, "<op:deliver <desc:export 3> ['poke 1] f f>");
  });
});

describe('suite profile', () => {
  it('created with profile "suite": op:deliver-only, singular GC labels, 3-field listen', async () => {
    current = await rig({ profile: 'suite', setup: objects([]) });
    const { peer } = current;
    const echo = await fetchObject(peer, 'echo', false, 0);
    expect(n(peer.received[1])).toBe("<op:deliver-only <desc:export 0> ['fulfill <desc:import-object 1>]>");
    peer.send(deliverOnly(exp(echo), [impP(5)]));
    await expectNext(peer, '<op:listen <desc:export 5> <desc:import-object 2> f>');
    peer.send(deliverOnly(exp(2), [sym('break'), sym('oh-no')]));
    await expectNext(peer, '<op:gc-export [5] [1]>');
  });

  it('an auto node switches to the suite main forms when the peer sends op:deliver-only', async () => {
    current = await rig({ profile: 'auto', setup: objects([]) });
    const { peer, session } = current;
    // The suite's fetch: no answer position, its resolver at its own export 0.
    const echo = await fetchObject(peer, 'echo', false, 0);
    expect(n(peer.received[1])).toBe("<op:deliver <desc:export 0> ['fulfill <desc:import-object 1>] 0 <desc:import-object 2>>");
    expect(session.detector?.identified).toBe('suite');
    peer.send(deliverOnly(exp(echo), ['hi']));
    await settle();
    expect(session.profile.name).toBe('suite');
    expect(session.detector?.identified).toBe('suite-main');
    peer.send(deliver(exp(echo), ['again'], false, imp(2)));
    await expectNextNonGc(peer, "<op:deliver-only <desc:export 2> ['fulfill [\"again\"]]>");
  });

  it('… and to singular GC labels when the peer sends op:gc-export or op:gc-answer', async () => {
    for (const msg of [rec('op:gc-export', [9n], [1n]), rec('op:gc-answer', [9n])]) {
      current = await rig({ profile: 'auto', setup: objects([]) });
      current.peer.send(msg);
      await settle();
      expect(current.session.profile.gcLabels).toBe('singular');
      expect(current.session.detector?.forms).toEqual({ gc: 'singular' });
      await current.close();
      current = undefined;
    }
  });

  it('a fixed profile never changes, whatever the peer sends', async () => {
    current = await rig({ profile: 'goblins', setup: objects([]) });
    const { peer, session } = current;
    const echo = await fetchObject(peer, 'echo', false, 1);
    peer.send(rec('op:gc-export', [9n], [1n]));
    peer.send(deliverOnly(exp(echo), ['hi']));
    peer.send(deliver(exp(echo), [], false, false));
    await settle();
    expect(session.profile.name).toBe('goblins');
    expect(session.detector).toBeUndefined();
  });
});

describe('the end of a session (notes §5.5)', () => {
  it('op:abort received: pending questions (pipelined ones too) reject with SessionClosedError naming the cause', async () => {
    current = await rigOutbound();
    const { peer, session } = current;
    const boot = session.peerBootstrap() as any;
    const q = E(boot).slow();
    const pipelined = E(q).more();
    await expectNext(peer, "<op:deliver <desc:export 0> ['slow] 0 <desc:import-object 1>>");
    await expectNext(peer, "<op:deliver <desc:answer 0> ['more] 1 <desc:import-object 2>>");
    peer.send(rec('op:abort', 'shutting down for maintenance'));
    for (const p of [q, pipelined]) {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(SessionClosedError);
      expect((err as SessionClosedError).message).toContain('peer aborted: shutting down for maintenance');
      expect((err as SessionClosedError).message).toContain('ocapn://raw.memory');
      expect((err as SessionClosedError).reason).toBe('peer aborted: shutting down for maintenance');
    }
    expect(session.isOpen).toBe(false);
    expect(await peer.waitClosed()).toBe(true);
    // New calls on the dead session reject at once, with the same cause.
    await expect(E(boot).again()).rejects.toThrow(/shutting down for maintenance/);
  });

  it('an imported promise breaks when the peer aborts', async () => {
    const kept: unknown[] = [];
    current = await rig({ setup: objects(kept) });
    const { peer } = current;
    const keep = await fetchObject(peer, 'keep', false, 1);
    await peer.next();
    peer.send(deliver(exp(keep), [impP(4)], false, false));
    await expectNext(peer, '<op:listen <desc:export 4> <desc:import-object 2> f>');
    peer.send(rec('op:abort', 'bye'));
    await expect(kept[0] as Promise<unknown>).rejects.toThrow(/peer aborted: bye/);
  });

  it('the connection drops without op:abort: the same, with a connection cause', async () => {
    current = await rigOutbound();
    const { peer, session, net } = current;
    const q = E(session.peerBootstrap() as any).slow();
    await peer.next();
    expect(net.sever('node', 'raw')).toBeGreaterThan(0);
    const err = await q.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(SessionClosedError);
    expect((err as SessionClosedError).reason).toMatch(/^connection (closed|failed)/);
    expect(session.isOpen).toBe(false);
    expect(current.node.sessions).toHaveLength(0);
  });

  it('the peer closes its end cleanly (Goblins: FIN, no abort): the same', async () => {
    current = await rigOutbound();
    const { peer, session } = current;
    const q = E(session.peerBootstrap() as any).slow();
    await peer.next();
    peer.conn.close();
    await expect(q).rejects.toBeInstanceOf(SessionClosedError);
    await expect(q).rejects.toThrow(/connection closed/);
  });

  it('node.close() sends op:abort with its reason and closes', async () => {
    current = await rig({ setup: objects([]) });
    const { peer, node } = current;
    await node.close('going home');
    await expectNext(peer, '<op:abort "going home">');
    expect(await peer.waitClosed()).toBe(true);
  });
});
