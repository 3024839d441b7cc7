// Review of the delivery rewrite (src/captp/dispatch.ts deliver(): one reaction ends the
// pending-work count and answers the resolver) and of export journals as marks
// (src/captp/tables.ts): pending work back to 0 after every kind of delivery, no unhandled
// rejection, and export counts back to where they were after a question fails half-way.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { OcapnNode, MemoryNetwork, E } from '../../src/index.js';
import { toNotation, type SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { Bench, watchProcessFaults } from '../hostile/harness.js';

watchProcessFaults();

const wait = (ms = 10) => new Promise((r) => setTimeout(r, ms));
const exp = (n: bigint | number) => rec('desc:export', BigInt(n));
const ans = (n: bigint | number) => rec('desc:answer', BigInt(n));
const imp = (n: bigint | number) => rec('desc:import-object', BigInt(n));
const deliver = (to: SyrupValue, args: SyrupValue[], answerPos: bigint | false = false, resolveMe: SyrupValue | false = false) => rec('op:deliver', to, args, answerPos, resolveMe);

describe('review-perf: pending work after every kind of delivery', () => {
  it('sync value, thrown error, rejected promise, forwarded call (live and closed), broken-answer target, resolver fast path: pending back to 0', async () => {
    const net = new MemoryNetwork();
    let held: unknown;
    const served = {
      echo: (...a: unknown[]) => a,
      boom: () => {
        throw new Error('kaboom');
      },
      rejectLater: () => Promise.reject(new Error('later kaboom')),
      keep: (x: unknown) => void (held = x),
      held: () => held,
    };
    const errors: unknown[] = [];
    const node = new OcapnNode({ netlayers: [net.netlayer('a')], onMethodError: (e) => errors.push(e) });
    const uri = node.sturdyRefUri(served, 'swiss-perf');
    const third = new OcapnNode({ netlayers: [net.netlayer('c')] });
    const ref = await third.enliven(uri);
    await E(ref as unknown as typeof served).keep({ hi: () => 'hi from the third node' });
    const peer = await RawPeer.dial(net.netlayer('raw'), node.location, randomBytes(32));
    await peer.handshake();
    await wait();
    const s = node.sessions.at(-1)!;
    // Fetch the served object (answer 0, resolver 1000).
    peer.send(deliver(exp(0), [sym('fetch'), new TextEncoder().encode('swiss-perf')], 0n, imp(1000)));
    const fetched = await peer.nextNonGc();
    const obj = exp(((fetched.fields[1] as SyrupValue[])[1] as SyrupRecord).fields[0] as bigint);
    const reply = async () => toNotation(await peer.nextNonGc());

    peer.send(deliver(obj, [sym('echo'), 'x'], 1n, imp(1001)));
    expect(await reply()).toBe('<op:deliver <desc:export 1001> [\'fulfill ["x"]] f f>');
    peer.send(deliver(obj, [sym('boom')], 2n, imp(1002)));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1002> \['break /);
    peer.send(deliver(obj, [sym('rejectLater')], 3n, imp(1003)));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1003> \['break /);
    // Fire and forget, each kind: nothing comes back, nothing is unhandled.
    peer.send(deliver(obj, [sym('boom')]));
    peer.send(deliver(obj, [sym('rejectLater')]));
    peer.send(deliver(ans(2), [sym('echo')]));
    peer.send(deliver(exp(777), [sym('echo')]));
    // A broken answer as the target, with a resolver.
    peer.send(deliver(ans(2), [sym('echo'), 'y'], 4n, imp(1004)));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1004> \['break /);
    // Forwarded to the third node's object: answer 5 is our presence for it.
    peer.send(deliver(obj, [sym('held')], 5n, false));
    const fwd = ans(5);
    peer.send(deliver(fwd, [sym('hi')], 6n, imp(1006)));
    expect(await reply()).toBe("<op:deliver <desc:export 1006> ['fulfill \"hi from the third node\"] f f>");
    peer.send(deliver(fwd, [sym('hi')]));
    await wait(20);
    expect(s.pending).toBe(0);
    // The third node goes away: forwarded calls break, fire-and-forget ones vanish.
    await third.close();
    await wait(20);
    peer.send(deliver(fwd, [sym('hi')], 7n, imp(1007)));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1007> \['break /);
    peer.send(deliver(fwd, [sym('hi')]));
    // A pipelined message on a promise answer that is still pending when it arrives.
    peer.send(deliver(obj, [sym('rejectLater')], 8n, false));
    peer.send(deliver(ans(8), [sym('echo')], 9n, imp(1009)));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1009> \['break /);
    await wait(20);
    expect(s.pending).toBe(0);
    expect(s.isActive).toBe(true);
    // op:listen and the selections (trackPending without its own .catch now).
    peer.send(rec('op:listen', ans(2), imp(1010), false));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1010> \['break /);
    peer.send(rec('op:listen', ans(1), imp(1011), false));
    expect(await reply()).toBe('<op:deliver <desc:export 1011> [\'fulfill ["x"]] f f>');
    peer.send(rec('op:get', ans(2), 'field', 20n));
    peer.send(rec('op:index', ans(1), 5n, 21n));
    peer.send(rec('op:index', ans(1), 0n, 22n));
    peer.send(rec('op:listen', ans(21), imp(1012), false));
    expect(await reply()).toMatch(/^<op:deliver <desc:export 1012> \['break /);
    peer.send(rec('op:listen', ans(22), imp(1013), false));
    expect(await reply()).toBe('<op:deliver <desc:export 1013> [\'fulfill "x"] f f>');
    await wait(20);
    expect(s.pending).toBe(0);
    // The resolver fast path counts nothing.
    const q = E(s.peerBootstrap() as { ask(): Promise<unknown> }).ask();
    const asked = await peer.nextNonGc();
    peer.send(deliver(exp((asked.fields[3] as SyrupRecord).fields[0] as bigint), [sym('fulfill'), 'z']));
    await expect(q).resolves.toBe('z');
    expect(s.pending).toBe(0);
    // Local methods' failures reached the host, forwarded ones did not.
    expect(errors.length).toBe(5);
    await node.close();
  });
});

describe('review-perf: export journals as marks', () => {
  async function rig() {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('node')], limits: { maxExports: 4 } });
    const peer = await RawPeer.dial(net.netlayer('raw'), node.location, randomBytes(32));
    await peer.handshake();
    await wait();
    const s = node.sessions[0];
    const boot = s.peerBootstrap() as Record<string, (...a: unknown[]) => Promise<unknown>>;
    return { node, peer, s, boot };
  }

  it('the resolver export fails at the table limit: the arguments\' exports (new and repeated) are undone, nothing is sent', async () => {
    const { node, peer, s, boot } = await rig();
    const o1 = { a: () => 1 };
    const o2 = { b: () => 2 };
    E(boot).first(o1).catch(() => {}); // o1 at 1, resolver at 2
    const q1 = await peer.nextNonGc();
    expect(toNotation(q1.fields[1])).toBe("['first <desc:import-object 1>]");
    expect(s.exports.size).toBe(3);
    // o1 once more (count 2) and o2 new (the 4th entry): no room left for the resolver.
    await expect(E(boot).second(o1, o2)).rejects.toThrow(/export/);
    expect(s.exports.size).toBe(3);
    expect(s.exports.has(3)).toBe(false);
    // The peer received o1 once: one release frees it (the failed question's count was undone).
    peer.send(rec('op:gc-exports', [1n], [1n]));
    await wait();
    expect(s.exports.has(1)).toBe(false);
    expect(s.exports.size).toBe(2);
    expect(s.isActive).toBe(true);
    // Nothing of the failed question reached the wire; a later question exports afresh.
    E(boot).third(o2).catch(() => {});
    const q3 = await peer.nextNonGc();
    expect(toNotation(q3.fields[1])).toMatch(/^\['third <desc:import-object \d+>\]$/);
    await node.close();
  });

  it('an argument unpassable half-way (inner journal) inside a question (outer journal): counts back, and later exports are not journaled forever', async () => {
    const { node, peer, s, boot } = await rig();
    const o1 = { a: () => 1 };
    const o2 = { b: () => 2 };
    E(boot).first(o1).catch(() => {}); // o1 at 1, resolver at 2
    await peer.nextNonGc();
    await expect(E(boot).second(o1, o2, [Symbol('not passable')] as unknown as string[])).rejects.toThrow();
    expect(s.exports.size).toBe(3);
    peer.send(rec('op:gc-exports', [1n], [1n]));
    await wait();
    expect(s.exports.has(1)).toBe(false);
    // After the failures, an unrelated later failure undoes only its own exports.
    E(boot).third(o2).catch(() => {}); // o2 at 3, resolver at 4
    const q3 = await peer.nextNonGc();
    const o2pos = ((q3.fields[1] as SyrupValue[])[1] as SyrupRecord).fields[0] as bigint;
    await expect(E(boot).fourth(o2)).rejects.toThrow(/export/); // table full: o2's second count undone
    peer.send(rec('op:gc-exports', [o2pos], [1n]));
    await wait();
    expect(s.exports.has(Number(o2pos))).toBe(false);
    await node.close();
  });
});
