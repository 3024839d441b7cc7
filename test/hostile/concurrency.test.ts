/**
 * Abuse in parallel with healthy traffic: many hostile sessions at once do not disturb the
 * healthy one; messages after an abort are never acted on; a connection that drops in the
 * middle of a message leaves nothing behind; bootstrap methods given garbage break, not abort.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { composeProfile, OcapnNode, E, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { toNotation, type SyrupValue } from '../../src/syrup/index.js';
import { Bench, RawPeer, answerDesc, assertAborts, ascii, deliver, expectAbort, exportDesc, rec, servedObject, settle, SWISS, sym, watchProcessFaults } from './harness.js';

watchProcessFaults();

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const ABUSE: Array<SyrupValue | Uint8Array> = [
  ascii('garbage'),
  rec('op:frobnicate'),
  rec('op:deliver', exportDesc(-1n), [], false, false),
  rec('op:start-session', '1.0', 1n, 2n, 3n),
  deliver(exportDesc(0), [rec('no-such-record')], false, false),
  deliver(exportDesc(0), [exportDesc(999)], false, false),
  ascii('[' .repeat(100)),
];

describe('parallel abuse', () => {
  it('30 hostile sessions at once, while the healthy session makes 30 calls', async () => {
    bench = await Bench.start();
    const b = bench;
    const attackers = await Promise.all(Array.from({ length: 30 }, () => b.attacker()));
    const calls = Array.from({ length: 30 }, (_, i) => (E(b.healthyRef as any) as any).echo(i) as Promise<unknown>);
    attackers.forEach((peer, i) => peer.send(ABUSE[i % ABUSE.length]));
    const reasons = await Promise.all(attackers.map((peer) => expectAbort(peer)));
    expect(reasons.every((r) => r.length > 0)).toBe(true);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 30 }, (_, i) => [i]));
    for (const peer of attackers) expect(await peer.waitClosed()).toBe(true);
    expect(b.node.sessions.length).toBe(1);
    await b.assertHealthy();
  });

  it('pipelined healthy calls in flight survive another session\'s abort', async () => {
    bench = await Bench.start();
    const child = (E(bench.healthyRef as any) as any).echo('a', 'b');
    const peer = await bench.attacker();
    peer.send(ascii('}'));
    const [reply] = await Promise.all([child, assertAborts(bench, peer, /^malformed message: Syrup: unexpected closer/)]);
    expect(reply).toEqual(['a', 'b']);
  });
});

describe('after an abort', () => {
  it('messages that follow the bad one are never acted on', async () => {
    bench = await Bench.start();
    const peer = await bench.attacker();
    const obj = exportDesc(await Bench.fetchServed(peer, 0n));
    peer.send(deliver(obj, [sym('count')], 1n, 1001n));
    const reply = await peer.nextNonGc();
    const n = (reply.fields[1] as SyrupValue[])[1] as bigint;
    peer.send(ascii('x'));
    peer.send(deliver(obj, [sym('count')], 2n, 1002n));
    peer.send(deliver(answerDesc(1), [sym('count')], 3n, 1003n));
    await assertAborts(bench, peer, /^malformed message: Syrup: unknown type byte 'x'/);
    await settle();
    // Nothing but GC traffic came before the abort, and nothing at all after it.
    const after = peer.received.slice(peer.received.indexOf(reply) + 1);
    expect(after.filter((m) => !m.labelName!.startsWith('op:gc-')).map((m) => m.labelName)).toEqual(['op:abort']);
    expect(after[after.length - 1].labelName).toBe('op:abort');
    expect(await (E(bench.healthyRef as any) as any).count()).toBe(n + 1n);
  });
});

describe('bootstrap methods given garbage break the answer', () => {
  it('deposit-gift and withdraw-gift with bad arguments', async () => {
    bench = await Bench.start();
    const peer = await bench.attacker();
    const obj = exportDesc(await Bench.fetchServed(peer, 0n));
    const BREAK = (r: bigint) => `<op:deliver <desc:export ${r}> ['break <exn:fail:mystery>] f f>`;
    peer.send(deliver(exportDesc(0), [sym('deposit-gift'), 'not bytes', obj], 1n, 1001n));
    expect(toNotation(await peer.nextNonGc())).toBe(BREAK(1001n));
    peer.send(deliver(exportDesc(0), [sym('withdraw-gift'), 'not an envelope'], 2n, 1002n));
    expect(toNotation(await peer.nextNonGc())).toBe(BREAK(1002n));
    peer.send(deliver(exportDesc(0), [sym('withdraw-gift')], 3n, 1003n));
    expect(toNotation(await peer.nextNonGc())).toBe(BREAK(1003n));
    peer.send(deliver(exportDesc(0), [sym('fetch')], 4n, 1004n));
    expect(toNotation(await peer.nextNonGc())).toBe(BREAK(1004n));
    peer.send(deliver(obj, [sym('echo'), 'alive'], 5n, 1005n));
    expect(toNotation(await peer.nextNonGc())).toBe(`<op:deliver <desc:export 1005> ['fulfill ["alive"]] f f>`);
    await bench.assertHealthy();
  });
});

describe('tcp-testing-only: a connection that drops mid-message', () => {
  it('leaves no session behind and disturbs nobody', async () => {
    const server = await listenTcpTestingOnly({ designator: 'drop-tcp' });
    const node = new OcapnNode({ netlayers: [server], profile: composeProfile('goblins', { errorForm: 'mystery' }) });
    const uri = node.sturdyRefUri(servedObject(), SWISS);
    const client = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer({ designator: 'drop-healthy' })] });
    const ref = await client.enliven(uri);
    for (const [i, partial] of ["<10'op:deli", '12345:<', "<10'op:deliver[" + '1+'.repeat(100)].entries()) {
      const peer = await RawPeer.dial(createTcpTestingOnlyDialer({ designator: `drop-attacker-${i}` }), server.location);
      await peer.handshake();
      peer.send(ascii(partial));
      await new Promise((r) => setTimeout(r, 20));
      peer.conn.close();
      expect(await peer.waitClosed()).toBe(true);
    }
    for (let i = 0; i < 50 && node.sessions.length > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(node.sessions.length).toBe(1);
    expect(await (E(ref as any) as any).echo('still here')).toEqual(['still here']);
    await client.close();
    await node.close();
  });
});
