// Review of the AnswerResolver fast path (src/captp/questions.ts, src/captp/dispatch.ts): a
// hostile peer, and an app that gets a resolver back, against our questions' resolvers.
import { describe, it, expect } from 'vitest';
import { OcapnNode, MemoryNetwork, E, withCallOptions } from '../../src/index.js';
import { toNotation, type SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { watchProcessFaults } from '../hostile/harness.js';

watchProcessFaults();

const wait = (ms = 10) => new Promise((r) => setTimeout(r, ms));
const exp = (n: bigint) => rec('desc:export', n);
const deliver = (to: SyrupValue, args: SyrupValue[], answerPos: bigint | false = false, resolveMe: SyrupValue | false = false) => rec('op:deliver', to, args, answerPos, resolveMe);

async function rig() {
  const net = new MemoryNetwork();
  const node = new OcapnNode({ netlayers: [net.netlayer('node')] });
  const peer = await RawPeer.dial(net.netlayer('raw'), node.location);
  await peer.handshake();
  await wait();
  const session = node.sessions[0];
  const boot = session.peerBootstrap() as Record<string, (...a: unknown[]) => Promise<unknown>>;
  return { node, peer, boot, session };
}

/** The node's next op:deliver question: its args, answer position and resolver position. */
async function question(peer: RawPeer): Promise<{ args: SyrupValue[]; answer: bigint; resolver: bigint }> {
  const q = await peer.nextNonGc();
  expect(q.labelName).toBe('op:deliver');
  return { args: q.fields[1] as SyrupValue[], answer: q.fields[2] as bigint, resolver: (q.fields[3] as SyrupRecord).fields[0] as bigint };
}

/** Every message the node sent up to a round trip: ask once more, answer, return what came before. */
async function drain(peer: RawPeer, boot: Record<string, (...a: unknown[]) => Promise<unknown>>): Promise<string[]> {
  const ping = E(boot).ping();
  const seen: string[] = [];
  for (;;) {
    const m = await peer.next();
    if (m.labelName === 'op:deliver' && toNotation(m).includes("['ping]")) {
      const r = (m.fields[3] as SyrupRecord).fields[0] as bigint;
      peer.send(deliver(exp(r), [sym('fulfill'), 'pong']));
      expect(await ping).toBe('pong');
      return seen;
    }
    seen.push(toNotation(m));
  }
}

describe('review-perf: AnswerResolver against a hostile peer and a careful app', () => {
  it('a fulfil after the deadline passed does nothing; the answer position is released once', async () => {
    const { node, peer, boot, session } = await rig();
    const answer = E(withCallOptions(boot, { timeoutMs: 20 })).hello();
    const q = await question(peer);
    await expect(answer).rejects.toThrow(/did not answer within 20 ms/);
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), 'late']));
    peer.send(deliver(exp(q.resolver), [sym('break'), 'later']));
    // Nothing in reply to the late messages; at most one release of the answer (under the
    // 'auto' profile GC waits until the peer's GC labels are known: same at 391c0aa).
    const seen = await drain(peer, boot);
    expect(seen.filter((m) => m !== `<op:gc-answers [${q.answer}]>`)).toEqual([]);
    expect(seen.length).toBeLessThanOrEqual(1);
    expect(session.isActive).toBe(true);
    expect(session.questions.size).toBe(0);
    await node.close();
  });

  it('a fulfil after the AbortSignal fired does nothing', async () => {
    const { node, peer, boot, session } = await rig();
    const ac = new AbortController();
    const answer = E(withCallOptions(boot, { signal: ac.signal })).hello();
    const q = await question(peer);
    ac.abort(new Error('changed my mind'));
    await expect(answer).rejects.toThrow('changed my mind');
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), 'late']));
    const seen = await drain(peer, boot);
    expect(seen.filter((m) => m !== `<op:gc-answers [${q.answer}]>`)).toEqual([]);
    expect(seen.length).toBeLessThanOrEqual(1);
    expect(session.isActive).toBe(true);
    expect(session.questions.size).toBe(0);
    await node.close();
  });

  it('a fulfil to a resolver the peer already released (op:gc-exports) settles nothing and aborts nothing', async () => {
    const { node, peer, boot, session } = await rig();
    let settled = false;
    const answer = E(boot).hello();
    answer.then(() => (settled = true), () => (settled = true));
    const q = await question(peer);
    peer.send(rec('op:gc-exports', [q.resolver], [1n]));
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), 'ghost']));
    await drain(peer, boot);
    expect(settled).toBe(false);
    expect(session.isActive).toBe(true);
    expect(session.exports.has(Number(q.resolver))).toBe(false);
    await node.close();
  });

  it('a fulfil with an answer position, then a message pipelined on that answer: data, so that answer breaks; the session goes on', async () => {
    const { node, peer, boot, session } = await rig();
    const answer = E(boot).hello();
    const q = await question(peer);
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), 'v'], 5n, rec('desc:import-object', 50n)));
    peer.send(deliver(rec('desc:answer', 5n), [sym('fulfill'), 'w'], 6n, rec('desc:import-object', 51n)));
    await expect(answer).resolves.toBe('v');
    const replies = [toNotation(await peer.nextNonGc()), toNotation(await peer.nextNonGc())];
    expect(replies[0]).toBe("<op:deliver <desc:export 50> ['fulfill <void>] f f>");
    expect(replies[1]).toMatch(/^<op:deliver <desc:export 51> \['break /);
    expect(session.isActive).toBe(true);
    await wait();
    expect(session.pending).toBe(0);
    await node.close();
  });

  it('a listen resolver (for a promise the peer gave us) settles once and reports the promise import once', async () => {
    const { node, peer, boot, session } = await rig();
    const answer = E(boot).hello();
    const q = await question(peer);
    // The answer is a promise of the peer's: the node listens to it.
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), rec('desc:import-promise', 7n)]));
    const listen = await peer.expect('op:listen');
    expect(toNotation(listen.fields[0])).toBe('<desc:export 7>');
    const l = (listen.fields[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(l), [sym('fulfill'), 'first']));
    peer.send(deliver(exp(l), [sym('break'), 'second']));
    peer.send(deliver(exp(l), [sym('fulfill'), 'third']));
    await expect(answer).resolves.toBe('first');
    const seen = await drain(peer, boot);
    expect(seen.filter((m) => m.startsWith('<op:gc-exports'))).toEqual(['<op:gc-exports [7] [1]>']);
    expect(session.remotePromises.size).toBe(0);
    expect(session.isActive).toBe(true);
    await node.close();
  });

  it('a promise of the peer received again right behind its fulfil (same batch) still settles, and every receipt is reported', async () => {
    const { node, peer, boot, session } = await rig();
    const answer = E(boot).hello();
    const q = await question(peer);
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), rec('desc:import-promise', 7n)]));
    const listen = await peer.expect('op:listen');
    const l = (listen.fields[1] as SyrupRecord).fields[0] as bigint;
    await expect(Promise.race([answer, wait(20).then(() => 'not yet')])).resolves.toBe('not yet');
    // Fulfil, and in the same batch hand the promise to the app again.
    let again: unknown;
    const app = { take: (p: unknown) => void (again = p) };
    const q2p = E(boot).give(app);
    const q2 = await question(peer);
    const appPos = (q2.args[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(l), [sym('fulfill'), 'resolved']));
    peer.send(deliver(exp(appPos), [sym('take'), rec('desc:import-promise', 7n)]));
    await expect(answer).resolves.toBe('resolved');
    // A second listen may be needed (the first receipt is already released): answer it too.
    const seen: string[] = [];
    let againSettled = false;
    for (let i = 0; i < 4 && !againSettled; i++) {
      if (again !== undefined) (again as Promise<unknown>).then(() => (againSettled = true), () => (againSettled = true));
      const m = await peer.next(200).catch(() => undefined);
      if (!m) break;
      seen.push(toNotation(m));
      if (m.labelName === 'op:listen') peer.send(deliver(exp((m.fields[1] as SyrupRecord).fields[0] as bigint), [sym('fulfill'), 'resolved']));
    }
    await expect(again as Promise<unknown>).resolves.toBe('resolved');
    peer.send(deliver(exp(q2.resolver), [sym('fulfill'), 'ok']));
    await expect(q2p).resolves.toBe('ok');
    seen.push(...(await drain(peer, boot)));
    // Two receipts of export 7, two reported (in one op or two).
    const reported = seen.filter((m) => m.startsWith('<op:gc-exports')).map((m) => /^<op:gc-exports \[7\] \[(\d+)\]>$/.exec(m)?.[1]);
    expect(reported.reduce((n, d) => n + Number(d), 0)).toBe(2);
    expect(session.isActive).toBe(true);
    await node.close();
  });

  it('a promise of the peer fulfilled with itself, or with a promise of ours awaiting it: the session goes on, nothing unhandled', async () => {
    const { node, peer, boot, session } = await rig();
    const answer = E(boot).hello();
    answer.catch(() => {});
    const q = await question(peer);
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), rec('desc:import-promise', 7n)]));
    const listen = await peer.expect('op:listen');
    const l = (listen.fields[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(l), [sym('fulfill'), rec('desc:import-promise', 7n)]));
    await drain(peer, boot);
    expect(session.isActive).toBe(true);
    // The promise is resolved with itself: it is broken (a cycle), or never settles; it does not abort.
    const outcome = await Promise.race([answer.then(() => 'fulfilled', () => 'broken'), wait(30).then(() => 'pending')]);
    expect(['broken', 'pending']).toContain(outcome);
    await node.close();
  });

  it('the app gets our resolver back as a value: it is the same frozen object, and calling it settles the question', async () => {
    const { node, peer, boot, session } = await rig();
    let got: { fulfill(v: unknown): void; break(r: unknown): void } | undefined;
    const app = { take: (r: typeof got) => void (got = r) };
    const answer = E(boot).hello(app);
    const q = await question(peer);
    const appPos = (q.args[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(appPos), [sym('take'), exp(q.resolver)]));
    await wait();
    expect(got).toBeDefined();
    // Nothing but fulfill and break, and nothing the app can add or replace (the old resolver was frozen).
    expect(Object.isFrozen(got)).toBe(true);
    expect(() => Object.defineProperty(got, 'fulfill', { value: () => {} })).toThrow(TypeError);
    got!.fulfill('from the app');
    got!.break('ignored');
    await expect(answer).resolves.toBe('from the app');
    peer.send(deliver(exp(q.resolver), [sym('fulfill'), 'peer too late']));
    const seen = await drain(peer, boot);
    expect(seen.filter((m) => m.startsWith('<op:gc-answers'))).toEqual([`<op:gc-answers [${q.answer}]>`]);
    expect(session.isActive).toBe(true);
    await node.close();
  });

  it('an app object that merely inherits from a resolver is no resolver: a peer message to it does not abort the session', async () => {
    const { node, peer, boot, session } = await rig();
    let got: object | undefined;
    const app = { take: (r: object) => void (got = r) };
    const answer = E(boot).hello(app);
    answer.catch(() => {});
    const q = await question(peer);
    const appPos = (q.args[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(appPos), [sym('take'), exp(q.resolver)]));
    await wait();
    // The app (carelessly) exports an object whose prototype is our resolver.
    const heir = Object.create(got!) as object;
    const second = E(boot).again(heir);
    second.catch(() => {});
    const q2 = await question(peer);
    const heirPos = (q2.args[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(heirPos), [sym('fulfill'), 'through the heir']));
    await drain(peer, boot);
    expect(session.isActive).toBe(true);
    await node.close();
  });

  it('a break reason that is a record, and a fulfil carrying our own export back, are settled as the old method call did', async () => {
    const { node, peer, boot } = await rig();
    const mine = { hi: () => 'mine' };
    const a1 = E(boot).one(mine);
    const q1 = await question(peer);
    const minePos = (q1.args[1] as SyrupRecord).fields[0] as bigint;
    peer.send(deliver(exp(q1.resolver), [sym('fulfill'), [exp(minePos), 1n]]));
    await expect(a1).resolves.toEqual([mine, 1n]);
    const a2 = E(boot).two();
    const q2 = await question(peer);
    peer.send(deliver(exp(q2.resolver), [sym('break'), 42n]));
    await expect(a2).rejects.toBe(42n);
    await node.close();
  });
});
