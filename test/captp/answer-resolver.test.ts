// The resolver exported with each of our questions (src/captp/questions.ts AnswerResolver):
// a plain fulfil or break settles the question directly; any other message to it is an
// ordinary delivery that can reach nothing but `fulfill` and `break`; it acts once.
import { describe, it, expect } from 'vitest';
import { OcapnNode, MemoryNetwork, E } from '../../src/index.js';
import { toNotation, type SyrupRecord } from '../../src/syrup/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';

async function rig() {
  const net = new MemoryNetwork();
  const node = new OcapnNode({ netlayers: [net.netlayer('node')] });
  const peer = await RawPeer.dial(net.netlayer('raw'), node.location);
  await peer.handshake();
  // The node asks the raw peer's bootstrap object a question.
  await new Promise((r) => setTimeout(r, 10));
  const session = node.sessions[0];
  const boot = session.peerBootstrap();
  return { node, peer, boot };
}

/** The node's next question: its resolver's position. */
async function question(peer: RawPeer): Promise<bigint> {
  const q = await peer.nextNonGc();
  expect(q.labelName).toBe('op:deliver');
  return ((q.fields[3] as SyrupRecord).fields[0]) as bigint;
}

describe('AnswerResolver: the resolver of each question', () => {
  it('a fulfil with no answer position settles the question, once', async () => {
    const { node, peer, boot } = await rig();
    const answer = E(boot as { hello(): Promise<string> }).hello();
    const r = await question(peer);
    peer.send(rec('op:deliver', rec('desc:export', r), [sym('fulfill'), 'first'], false, false));
    peer.send(rec('op:deliver', rec('desc:export', r), [sym('fulfill'), 'second'], false, false));
    await expect(answer).resolves.toBe('first');
    // The answer position is released, and the resolver too once the peer reports it.
    const gc = await peer.expect('op:gc-answers');
    expect(toNotation(gc)).toBe('<op:gc-answers [0]>');
    await node.close();
  });

  it('a break turns a "Name: message" String into an error', async () => {
    const { node, peer, boot } = await rig();
    const answer = E(boot as { hello(): Promise<string> }).hello();
    const r = await question(peer);
    peer.send(rec('op:deliver', rec('desc:export', r), [sym('break'), 'TypeError: nope'], false, false));
    await expect(answer).rejects.toThrow('nope');
    await node.close();
  });

  it('only fulfill and break are reachable: constructor and other names are "no method", the session goes on', async () => {
    const { node, peer, boot } = await rig();
    const answer = E(boot as { hello(): Promise<string> }).hello();
    const r = await question(peer);
    for (const [i, name] of ['constructor', 'settle', 'receive', 'toString', '__proto__'].entries()) {
      peer.send(rec('op:deliver', rec('desc:export', r), [sym(name), 'x'], BigInt(10 + i), rec('desc:import-object', BigInt(20 + i))));
      const reply = await peer.nextNonGc();
      expect(toNotation(reply)).toMatch(new RegExp(`^<op:deliver <desc:export ${20 + i}> \\['break `));
      expect(toNotation(reply)).toContain(`has no method`);
    }
    // A fulfil sent as an ordinary call with an answer position still settles the question.
    peer.send(rec('op:deliver', rec('desc:export', r), [sym('fulfill'), 'late but fine'], 30n, rec('desc:import-object', 31n)));
    await expect(answer).resolves.toBe('late but fine');
    expect(toNotation(await peer.nextNonGc())).toBe("<op:deliver <desc:export 31> ['fulfill <void>] f f>");
    expect(node.sessions[0].isActive).toBe(true);
    await node.close();
  });

  it('a resolver message with other arguments is an ordinary delivery (no settlement from a wrong shape)', async () => {
    const { node, peer, boot } = await rig();
    let settled = false;
    const answer = E(boot as { hello(): Promise<string> }).hello();
    answer.then(() => (settled = true), () => (settled = true));
    const r = await question(peer);
    // Three arguments: fulfill('a', 'b') as a call settles with the first argument.
    peer.send(rec('op:deliver', rec('desc:export', r), [sym('bogus')], false, false));
    await new Promise((res) => setTimeout(res, 20));
    expect(settled).toBe(false);
    peer.send(rec('op:deliver', rec('desc:export', r), [sym('fulfill'), 'a', 'b'], false, false));
    await expect(answer).resolves.toBe('a');
    await node.close();
  });
});

describe('ImportTable.holdsObjects (what test-peer collects garbage for)', () => {
  it('counted resolvers alone hold no object; a presence does, until dropped', async () => {
    const { ImportTable } = await import('../../src/captp/tables.js');
    const t = new ImportTable<object>(10);
    t.count(3); // a resolver: counted, no JS object
    expect(t.holdsObjects()).toBe(false);
    const presence = {};
    const token = t.put(4, presence);
    expect(t.holdsObjects()).toBe(true);
    t.drop(4, token);
    expect(t.holdsObjects()).toBe(false);
  });
});
