/**
 * The official test suite's scenarios that the recorded transcripts do not cover (or cover
 * only from one side), re-expressed as our own tests: a raw peer plays the suite against a
 * node hosting the suite's objects under the suite profile (notes §5, §12).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OcapnNode, MemoryNetwork } from '../../src/index.js';
import { registerTestObjects, TEST_SWISS } from '../../src/cli/test-objects.js';
import { keyPairFromSeed, publicId, publicKeyFromSyrup, randomBytes } from '../../src/crypto/index.js';
import { compareBytes as compareIds, SyrupDict } from '../../src/syrup/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { RawPeer, SEED2 } from '../helpers/raw-peer.js';
import { ans, ascii, deliver, deliverOnly, exp, expectNext, expectNextNonGc, fetchObject, imp, n, rec, sym } from './transcript-helpers.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** A suite-profile node with the suite's objects, and the raw peer's netlayer (not yet dialled). */
function suiteNode() {
  const net = new MemoryNetwork();
  const node = new OcapnNode({ netlayers: [net.netlayer('node')], profile: 'suite' });
  registerTestObjects(node);
  cleanup = () => node.close();
  return { net, node, raw: net.netlayer('raw') };
}

async function connected() {
  const s = suiteNode();
  const peer = await RawPeer.dial(s.raw, s.node.location);
  await peer.handshake();
  return { ...s, peer };
}

describe('op:abort (suite op_abort.py)', () => {
  it('test_abort_after_setup: after an abort nothing answers, and the connection closes', async () => {
    const { peer, node } = await connected();
    peer.send(rec('op:abort', 'test-abort-after-setup'));
    peer.send(deliver(exp(0), [sym('fetch'), ascii(TEST_SWISS.echo)], false, imp(0)));
    expect(await peer.waitClosed()).toBe(true);
    expect(peer.received.map((m) => m.labelName)).toEqual(['op:start-session']);
    expect(node.sessions).toHaveLength(0);
  });

  it('a CapTP message before op:start-session aborts', async () => {
    const { node, raw } = suiteNode();
    const peer = await RawPeer.dial(raw, node.location);
    await peer.expect('op:start-session');
    peer.send(deliver(exp(0), [sym('fetch'), ascii(TEST_SWISS.echo)], false, imp(0)));
    await expectNext(peer, '<op:abort "op:deliver before op:start-session">');
    expect(await peer.waitClosed()).toBe(true);
  });
});

describe('op:start-session (suite op_start_session.py)', () => {
  it('test_duplicate_start_session_aborts', async () => {
    const { peer } = await connected();
    peer.send(peer.startSession());
    await expectNext(peer, '<op:abort "second op:start-session in one session">');
    expect(await peer.waitClosed()).toBe(true);
  });

  it('test_second_connection_after_first_established: the second is aborted, the first lives', async () => {
    const { peer, node, raw } = await connected();
    // A fresh session key, as the suite uses: a reused one is refused for that reason first.
    const second = await RawPeer.dial(raw, node.location, randomBytes(32));
    await second.handshake();
    await expectNext(second, '<op:abort "a session with this peer is already active">');
    expect(await second.waitClosed()).toBe(true);
    const echo = await fetchObject(peer, TEST_SWISS.echo, false, 0);
    expect(echo).toBe(1);
  });

  it('a start-session whose locator is not a peer locator aborts', async () => {
    const { node, raw } = suiteNode();
    const peer = await RawPeer.dial(raw, node.location);
    await peer.expect('op:start-session');
    const good = peer.startSession();
    peer.send(rec('op:start-session', '1.0', good.fields[1], 'not a locator', good.fields[3]));
    const abort = await peer.expect('op:abort');
    expect(abort.fields[0]).toMatch(/^bad op:start-session: /);
  });

  /**
   * Crossed hellos (notes §5.4): the suite makes our node dial a second identity it controls
   * (via the sturdyref enlivener) and, while that dial is in its handshake, dials our node from
   * that identity. The connection whose opener's Public ID is lower is aborted.
   */
  async function crossedHellos(outboundShouldWin: boolean) {
    const { net, node, peer } = await connected();
    const enlivener = await fetchObject(peer, TEST_SWISS.sturdyrefEnlivener, false, 0);
    const other = net.netlayer('other');
    let accepted!: (p: RawPeer) => void;
    const inboundP = new Promise<RawPeer>((res) => (accepted = res));
    other.accept((conn) => accepted(new RawPeer(conn, keyPairFromSeed(randomBytes(32)), other.location)));
    peer.send(deliverOnly(exp(enlivener), [rec('ocapn-sturdyref', peerLocatorToSyrup(other.location), ascii('my-object'))]));
    // Our node dials "other" and says hello; "other" does not answer yet.
    const inbound = await inboundP;
    const nodeHello = await inbound.expect('op:start-session');
    const idOut = publicId(publicKeyFromSyrup(nodeHello.fields[1]));
    // Pick a key for "other"'s own dial so the wanted side wins.
    let seed = 0;
    const seedBytes = (i: number) => Uint8Array.from({ length: 32 }, (_, k) => (k === 0 ? i & 255 : k === 1 ? i >> 8 : 7));
    for (;; seed++) {
      const idIn = publicId(keyPairFromSeed(seedBytes(seed)).publicKey);
      if (compareIds(idIn, idOut) > 0 === outboundShouldWin) break;
    }
    const outbound = await RawPeer.dial(other, node.location, seedBytes(seed));
    await outbound.handshake();
    return { node, inbound, outbound };
  }

  it('test_crossed_hellos_mitigation_outbound_aborts: our dial wins, the incoming connection is aborted', async () => {
    const { inbound, outbound } = await crossedHellos(false);
    await expectNext(outbound, '<op:abort "Crossed hellos mitigated">');
    expect(await outbound.waitClosed()).toBe(true);
    // Our node's own connection goes on: once "other" answers, the enlivener's fetch arrives there.
    inbound.send(inbound.startSession()); // its hello was already read above
    await expectNext(inbound, "<op:deliver <desc:export 0> ['fetch b\"my-object\"] 0 <desc:import-object 1>>");
  });

  it('test_crossed_hellos_mitigation_aborts_inbound: their dial wins, our own dial is aborted', async () => {
    const { inbound, outbound } = await crossedHellos(true);
    await expectNext(inbound, '<op:abort "Crossed hellos mitigated">');
    expect(await inbound.waitClosed()).toBe(true);
    // The enlivener's fetch goes out on the surviving connection.
    await expectNext(outbound, "<op:deliver <desc:export 0> ['fetch b\"my-object\"] 0 <desc:import-object 1>>");
  });
});

describe('referencing ops on the suite objects (suite referencing_ops.py)', () => {
  /** The suite's make_promise_pair: returns [promise export, resolver export]. */
  async function promisePair(peer: RawPeer, pr: number, resolverPos: number): Promise<[number, number]> {
    peer.send(deliver(exp(pr), [], false, imp(resolverPos)));
    const m = await peer.nextNonGc();
    const [, value] = m.fields[1] as unknown[];
    const [vow, resolver] = value as { fields: bigint[] }[];
    return [Number(vow.fields[0]), Number(resolver.fields[0])];
  }

  it('test_op_index_success_desc_answer', async () => {
    const { peer } = await connected();
    const echo = await fetchObject(peer, TEST_SWISS.echo, false, 0);
    peer.send(deliver(exp(echo), [sym('foo'), sym('bar'), sym('baz')], 0, imp(1)));
    peer.send(rec('op:index', ans(0), 1n, 1n));
    peer.send(rec('op:listen', ans(1), imp(2), false));
    const got = [await peer.nextNonGc(), await peer.nextNonGc()].map(n).sort();
    expect(got).toEqual([
      "<op:deliver-only <desc:export 1> ['fulfill ['foo 'bar 'baz]]>",
      "<op:deliver-only <desc:export 2> ['fulfill 'bar]>",
    ]);
  });

  it('test_op_index_success_desc_export / test_op_get_success_desc_export', async () => {
    const { peer } = await connected();
    const pr = await fetchObject(peer, TEST_SWISS.promiseResolver, false, 0);
    const [vow, resolver] = await promisePair(peer, pr, 1);
    peer.send(rec('op:index', exp(vow), 2n, 0n));
    peer.send(rec('op:listen', ans(0), imp(2), false));
    peer.send(deliverOnly(exp(resolver), [sym('fulfill'), [100n, 200n, 300n, 400n]]));
    await expectNextNonGc(peer, "<op:deliver-only <desc:export 2> ['fulfill 300]>");
    const [vow2, resolver2] = await promisePair(peer, pr, 3);
    peer.send(deliverOnly(exp(resolver2), [sym('fulfill'), new SyrupDict([['foo', 72n], ['bar', 'baz']])]));
    peer.send(rec('op:get', exp(vow2), 'foo', 1n));
    peer.send(rec('op:listen', ans(1), imp(4), false));
    await expectNextNonGc(peer, "<op:deliver-only <desc:export 4> ['fulfill 72]>");
  });

  it('test_op_index_on_broken_promise / test_op_get_not_struct: breaks', async () => {
    const { peer } = await connected();
    const pr = await fetchObject(peer, TEST_SWISS.promiseResolver, false, 0);
    const [vow, resolver] = await promisePair(peer, pr, 1);
    peer.send(rec('op:index', exp(vow), 2n, 0n));
    peer.send(rec('op:listen', ans(0), imp(2), false));
    peer.send(deliverOnly(exp(resolver), [sym('break'), sym('oh-no')]));
    await expectNextNonGc(peer, "<op:deliver-only <desc:export 2> ['break 'oh-no]>");
    const [vow2, resolver2] = await promisePair(peer, pr, 3);
    peer.send(deliverOnly(exp(resolver2), [sym('fulfill'), sym('not-a-struct')]));
    peer.send(rec('op:get', exp(vow2), 'foo', 1n));
    peer.send(rec('op:listen', ans(1), imp(4), false));
    await expectNextNonGc(peer, "<op:deliver-only <desc:export 4> ['break <desc:error \"no field \\\"foo\\\" in a Struct\">]>");
  });
});
