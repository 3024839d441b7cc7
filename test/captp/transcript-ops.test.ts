/**
 * Transcript tests, one op at a time: a byte-level peer (fixed key) sends exact messages to a
 * real OcapnNode over the memory netlayer, and we assert the exact messages the node sends
 * back, in order (notes §5–§8; Goblins default profile unless a test says otherwise).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encode, toNotation, type SyrupValue } from '../../src/syrup/index.js';
import { publicKeyFromSyrup, signatureFromSyrup, verify, publicId } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { Tagged } from '../../src/index.js';
import {
  ans,
  ascii,
  deliver,
  deliverOnly,
  exp,
  expectNext,
  fetchArgs,
  fetchObject,
  imp,
  impP,
  latin1,
  n,
  rec,
  rig,
  sym,
  type Rig,
} from './transcript-helpers.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** A node hosting a small calculator (methods by Selector), an echo function and a thrower. */
async function calcRig(profile?: 'goblins' | 'endo' | 'suite'): Promise<Rig> {
  current = await rig({
    profile,
    setup: (node) => {
      node.register(
        {
          add: (a: bigint, b: bigint) => a + b,
          fail: () => {
            throw new Error('calculator on fire');
          },
          data: () => ({ foo: 72n, bar: 'baz' }),
          list: () => [sym('a'), sym('b'), sym('c')],
          tagged: () => new Tagged('money', 5n),
        },
        'calc',
      );
      node.register((...args: unknown[]) => args, 'echo');
    },
  });
  return current;
}

describe('op:start-session (notes §5.2)', () => {
  it('our node sends version "1.0", its key, its locator, and a signature over <my-location LOC>', async () => {
    const r = await calcRig();
    const hello = r.hello;
    expect(hello.fields).toHaveLength(4);
    const [version, pubkey, location, sig] = hello.fields as SyrupValue[];
    expect(version).toBe('1.0');
    expect(n(pubkey)).toMatch(/^\['public-key \['ecc \['curve 'Ed25519\] \['flags 'eddsa\] \['q :[0-9a-f]{64}\]\]\]$/);
    expect(n(location)).toBe(n(peerLocatorToSyrup(r.node.location)));
    expect(n(location)).toBe("<ocapn-peer 'memory \"node\" f>");
    expect(n(sig)).toMatch(/^\['sig-val \['eddsa \['r :[0-9a-f]{64}\] \['s :[0-9a-f]{64}\]\]\]$/);
    const key = publicKeyFromSyrup(pubkey);
    expect(verify(rec('my-location', location), signatureFromSyrup(sig), key)).toBe(true);
    // Not over the bare locator.
    expect(verify(location, signatureFromSyrup(sig), key)).toBe(false);
    // The session agrees on the key and the Session ID.
    expect(Buffer.from(r.session.publicKey).equals(Buffer.from(key))).toBe(true);
    expect(Buffer.from(r.session.id!).equals(Buffer.from(r.peer.sessionId!))).toBe(true);
    expect(Buffer.from(r.session.peerPublicId!).equals(Buffer.from(publicId(r.peer.keyPair.publicKey)))).toBe(true);
  });

  it('is the first message, sent before the peer says anything', async () => {
    const r = (current = await rig({ noHandshake: true, setup: () => {} }));
    const first = await r.peer.next();
    expect(first.labelName).toBe('op:start-session');
    expect(r.session.isActive).toBe(false);
    r.peer.send(r.peer.startSession());
    await r.session.ready;
    expect(r.session.isActive).toBe(true);
  });
});

describe('bootstrap fetch (notes §7)', () => {
  it('fetch of a registered object fulfils with <desc:import-object n>, then releases the resolver', async () => {
    const r = await calcRig();
    r.peer.send(deliver(exp(0), fetchArgs('calc'), 0, imp(1)));
    await expectNext(r.peer, "<op:deliver <desc:export 1> ['fulfill <desc:import-object 1>] f f>");
    await expectNext(r.peer, '<op:gc-exports [1] [1]>');
    // A second fetch of the same object names the same export position.
    r.peer.send(deliver(exp(0), fetchArgs('calc'), 1, imp(2)));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill <desc:import-object 1>] f f>");
    await expectNext(r.peer, '<op:gc-exports [2] [1]>');
  });

  it('exact bytes of the fulfil', async () => {
    const r = await calcRig();
    r.peer.send(deliver(exp(0), fetchArgs('calc'), false, imp(3)));
    await r.peer.next();
    expect(latin1(r.peer.receivedBytes[1])).toBe("<10'op:deliver<11'desc:export3+>[7'fulfill<18'desc:import-object1+>]ff>");
  });

  it('fetch of an unknown swiss number breaks (goblins profile: a String with name and message)', async () => {
    const r = await calcRig();
    r.peer.send(deliver(exp(0), fetchArgs('nope'), 0, imp(1)));
    await expectNext(r.peer, "<op:deliver <desc:export 1> ['break \"Error: no object registered under that swiss number\"] f f>");
    await expectNext(r.peer, '<op:gc-exports [1] [1]>');
    expect(r.session.isActive).toBe(true);
  });

  it('fetch of an unknown swiss number breaks (suite: <desc:error "msg">)', async () => {
    const r = await calcRig('suite');
    r.peer.send(deliver(exp(0), fetchArgs('nope'), false, imp(0)));
    await expectNext(r.peer, "<op:deliver-only <desc:export 0> ['break <desc:error \"no object registered under that swiss number\">]>");
  });
});

describe('op:deliver (notes §6.3)', () => {
  it('with answer-pos and resolver: the result goes to the resolver, and the answer stays usable', async () => {
    const r = await calcRig();
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await expectNext(r.peer, '<op:gc-exports [1] [1]>');
    r.peer.send(deliver(exp(calc), [sym('add'), 2n, 3n], 0, imp(2)));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill 5] f f>");
    await expectNext(r.peer, '<op:gc-exports [2] [1]>');
    // The answer position still holds 5: listen on it.
    r.peer.send(rec('op:listen', ans(0), imp(3), false));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['fulfill 5] f f>");
    await expectNext(r.peer, '<op:gc-exports [3] [1]>');
  });

  it('with answer-pos only, then op:listen on <desc:answer n> (3-field and 2-field both accepted)', async () => {
    const r = await calcRig();
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await r.peer.next(); // gc of the fetch resolver
    r.peer.send(deliver(exp(calc), [sym('add'), 40n, 2n], 0, false));
    r.peer.send(rec('op:listen', ans(0), imp(2), false));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill 42] f f>");
    await expectNext(r.peer, '<op:gc-exports [2] [1]>');
    r.peer.send(rec('op:listen', ans(0), imp(3)));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['fulfill 42] f f>");
    await expectNext(r.peer, '<op:gc-exports [3] [1]>');
  });

  it('op:listen on an export that is a promise, with an import-promise listener (no op:listen back on it)', async () => {
    const r = await calcRig();
    r.node.register(() => [Promise.resolve('later')], 'promised');
    const f = await fetchObject(r.peer, 'promised', false, 1);
    await r.peer.next();
    r.peer.send(deliver(exp(f), [], false, imp(2)));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill [<desc:import-promise 2>]] f f>");
    await expectNext(r.peer, '<op:gc-exports [2] [1]>');
    r.peer.send(rec('op:listen', exp(2), impP(3), false));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['fulfill \"later\"] f f>");
    await expectNext(r.peer, '<op:gc-exports [3] [1]>');
  });

  it('op:deliver f f and op:deliver-only run the call and send nothing back', async () => {
    const seen: unknown[] = [];
    const r = await calcRig();
    r.node.register((x: unknown) => seen.push(x), 'sink');
    const sink = await fetchObject(r.peer, 'sink', false, 1);
    await r.peer.next();
    r.peer.send(deliver(exp(sink), ['one'], false, false));
    r.peer.send(deliverOnly(exp(sink), ['two']));
    await expect(r.peer.next(150)).rejects.toThrow(/timed out/);
    expect(seen).toEqual(['one', 'two']);
  });

  it('a method that throws breaks the answer (goblins profile: "Name: message", no stack)', async () => {
    const r = await calcRig();
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('fail')], 0, imp(2)));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['break \"Error: calculator on fire\"] f f>");
    expect(r.session.isActive).toBe(true);
  });

  it('a method that throws breaks the answer (endo profile: <desc:error "msg">)', async () => {
    const r = await calcRig('endo');
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('fail')], 0, imp(2)));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['break <desc:error \"calculator on fire\">] f f>");
  });

  it('a method that throws breaks the answer (suite profile: <desc:error "msg">, deliver-only)', async () => {
    const r = await calcRig('suite');
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await expectNext(r.peer, '<op:gc-export [1] [1]>');
    r.peer.send(deliver(exp(calc), [sym('fail')], 0, imp(2)));
    await expectNext(r.peer, "<op:deliver-only <desc:export 2> ['break <desc:error \"calculator on fire\">]>");
  });

  it('unknown method, Object.prototype method, unknown export, unknown answer: the answer breaks, the session lives', async () => {
    const r = await calcRig('endo');
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('nope')], false, imp(2)));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['break <desc:error \"target has no method \\\"nope\\\"\">] f f>");
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('toString')], false, imp(3)));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['break <desc:error \"target has no method \\\"toString\\\"\">] f f>");
    await r.peer.next();
    r.peer.send(deliver(exp(99), [], false, imp(4)));
    await expectNext(r.peer, "<op:deliver <desc:export 4> ['break <desc:error \"no export at position 99\">] f f>");
    await r.peer.next();
    r.peer.send(deliver(ans(7), [], false, imp(5)));
    await expectNext(r.peer, "<op:deliver <desc:export 5> ['break <desc:error \"no answer at position 7\">] f f>");
    await r.peer.next();
    expect(r.session.isActive).toBe(true);
  });

  it('reusing a live answer position aborts the session', async () => {
    const r = await calcRig();
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('add'), 1n, 1n], 4, false));
    r.peer.send(deliver(exp(calc), [sym('add'), 1n, 1n], 4, false));
    await expectNext(r.peer, '<op:abort "answer position 4 is already in use">');
    expect(await r.peer.waitClosed()).toBe(true);
  });

  it('echo returns every OCapN value unchanged (exact bytes)', async () => {
    const r = await calcRig();
    const echo = await fetchObject(r.peer, 'echo', false, 1);
    await r.peer.next();
    const args: SyrupValue[] = ['foo', 1n, false, ascii('bar'), ['baz'], -0, sym('sym'), 2n ** 64n + 1n, 'björn 😀'];
    r.peer.send(deliver(exp(echo), args, false, imp(2)));
    const m = await r.peer.next();
    expect(latin1(m)).toBe(latin1(rec('op:deliver', exp(2), [sym('fulfill'), args], false, false)));
    expect(toNotation(m)).toBe('<op:deliver <desc:export 2> [\'fulfill ["foo" 1 f b"bar" ["baz"] -0.0 \'sym 18446744073709551617 "björn 😀"]] f f>');
  });
});

describe('op:get / op:index / op:untag (notes §6.3)', () => {
  async function calcAt(r: Rig): Promise<number> {
    const calc = await fetchObject(r.peer, 'calc', false, 1);
    await r.peer.next();
    return calc;
  }

  it('op:get on an answer: the field; absent field or not a Struct: break', async () => {
    const r = await calcRig('endo');
    const calc = await calcAt(r);
    r.peer.send(deliver(exp(calc), [sym('data')], 0, false));
    r.peer.send(rec('op:get', ans(0), 'foo', 1n));
    r.peer.send(rec('op:listen', ans(1), imp(2), false));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill 72] f f>");
    await r.peer.next();
    r.peer.send(rec('op:get', ans(0), 'nope', 2n));
    r.peer.send(rec('op:listen', ans(2), imp(3), false));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['break <desc:error \"no field \\\"nope\\\" in a Struct\">] f f>");
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('list')], 3, false));
    r.peer.send(rec('op:get', ans(3), 'foo', 4n));
    r.peer.send(rec('op:listen', ans(4), imp(4)));
    await expectNext(r.peer, "<op:deliver <desc:export 4> ['break <desc:error \"no field \\\"foo\\\" in a Struct\">] f f>");
  });

  it('op:index on an answer: the element; out of range or not a List: break', async () => {
    const r = await calcRig('endo');
    const calc = await calcAt(r);
    r.peer.send(deliver(exp(calc), [sym('list')], 0, false));
    r.peer.send(rec('op:index', ans(0), 1n, 1n));
    r.peer.send(rec('op:listen', ans(1), imp(2), false));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill 'b] f f>");
    await r.peer.next();
    r.peer.send(rec('op:index', ans(0), 3n, 2n));
    r.peer.send(rec('op:listen', ans(2), imp(3), false));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['break <desc:error \"no element 3 in a List\">] f f>");
    await r.peer.next();
    r.peer.send(deliver(exp(calc), [sym('data')], 3, false));
    r.peer.send(rec('op:index', ans(3), 0n, 4n));
    r.peer.send(rec('op:listen', ans(4), imp(4), false));
    await expectNext(r.peer, "<op:deliver <desc:export 4> ['break <desc:error \"no element 0 in a List\">] f f>");
  });

  it('op:untag: the payload for the right tag; another tag or not Tagged: break', async () => {
    const r = await calcRig('endo');
    const calc = await calcAt(r);
    r.peer.send(deliver(exp(calc), [sym('tagged')], 0, false));
    r.peer.send(rec('op:untag', ans(0), 'money', 1n));
    r.peer.send(rec('op:listen', ans(1), imp(2), false));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['fulfill 5] f f>");
    await r.peer.next();
    r.peer.send(rec('op:untag', ans(0), 'time', 2n));
    r.peer.send(rec('op:listen', ans(2), imp(3), false));
    await expectNext(r.peer, "<op:deliver <desc:export 3> ['break <desc:error \"not a Tagged value with tag \\\"time\\\"\">] f f>");
    await r.peer.next();
    r.peer.send(rec('op:untag', exp(calc), 'money', 3n));
    r.peer.send(rec('op:listen', ans(3), imp(4), false));
    await expectNext(r.peer, "<op:deliver <desc:export 4> ['break <desc:error \"not a Tagged value with tag \\\"money\\\"\">] f f>");
  });

  it('a broken receiver breaks the selection (the rejection propagates)', async () => {
    const r = await calcRig('endo');
    const calc = await calcAt(r);
    r.peer.send(deliver(exp(calc), [sym('fail')], 0, false));
    r.peer.send(rec('op:index', ans(0), 0n, 1n));
    r.peer.send(rec('op:get', ans(1), 'x', 2n));
    r.peer.send(rec('op:listen', ans(2), imp(2), false));
    await expectNext(r.peer, "<op:deliver <desc:export 2> ['break <desc:error \"calculator on fire\">] f f>");
  });

  it('our node sends op:get then op:listen for a remote field (E.get)', async () => {
    const r = await calcRig();
    const encoded = encode(rec('op:get', exp(0), 'x', 0n));
    expect(latin1(encoded)).toBe("<6'op:get<11'desc:export0+>1\"x0+>");
    // Exercise the session API directly: getField on the peer's bootstrap.
    const p = r.session.getField({ kind: 'export', pos: 0 }, 'x');
    // new-answer-pos is never 0 for op:get/index/untag (Endo refuses 0 there; notes §6.1).
    await expectNext(r.peer, '<op:get <desc:export 0> "x" 1>');
    await expectNext(r.peer, '<op:listen <desc:answer 1> <desc:import-object 1> f>');
    r.peer.send(deliver(exp(1), [sym('fulfill'), 'field value'], false, false));
    expect(await p).toBe('field value');
    await expectNext(r.peer, '<op:gc-answers [1]>');
  });
});
