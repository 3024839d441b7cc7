/**
 * Bad targets and failing methods break the answer, not the session; bad positions and
 * descriptors in values abort the session (notes §6, §11).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { E } from '../../src/index.js';
import { toNotation, type SyrupValue } from '../../src/syrup/index.js';
import { Bench, RawPeer, answerDesc, assertAborts, ascii, deliver, exportDesc, rec, sym, watchProcessFaults } from './harness.js';

watchProcessFaults();

let bench: Bench;
beforeAll(async () => {
  bench = await Bench.start();
});
afterAll(() => bench.close());

/** An attacker that has fetched the served object; returns it and the object's export position. */
async function withServed(): Promise<{ peer: RawPeer; obj: SyrupValue }> {
  const peer = await bench.attacker();
  const pos = await Bench.fetchServed(peer, 0n);
  return { peer, obj: exportDesc(pos) };
}

/** The next non-GC message, in notation. */
const nextNotation = async (peer: RawPeer): Promise<string> => toNotation(await peer.nextNonGc());

/** `echo` on the served object works on this session (answer `pos`, resolver `pos + 1000`). */
async function assertSessionWorks(peer: RawPeer, obj: SyrupValue, pos: bigint): Promise<void> {
  peer.send(deliver(obj, [sym('echo'), 'ok'], pos, pos + 1000n));
  expect(await nextNotation(peer)).toBe(`<op:deliver <desc:export ${pos + 1000n}> ['fulfill ["ok"]] f f>`);
  expect(peer.closed).toBe(false);
}

const BREAK = (resolver: bigint) => `<op:deliver <desc:export ${resolver}> ['break <exn:fail:mystery>] f f>`;

describe('the answer breaks, the session stays up', () => {
  it('op:deliver to an unknown export', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(exportDesc(999), [sym('echo'), 'x'], 1n, 1001n));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    await assertSessionWorks(peer, obj, 2n);
  });

  it('op:deliver to an unknown answer position', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(answerDesc(77), [sym('echo'), 'x'], 1n, 1001n));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    await assertSessionWorks(peer, obj, 2n);
  });

  it('a method that throws', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(obj, [sym('boom')], 1n, 1001n));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    await assertSessionWorks(peer, obj, 2n);
  });

  it('a method whose promise rejects', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(obj, [sym('rejectLater')], 1n, 1001n));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    await assertSessionWorks(peer, obj, 2n);
  });

  it('an unknown method, an Object.prototype method, and a non-Symbol selector', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(obj, [sym('nope')], 1n, 1001n));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    peer.send(deliver(obj, [sym('constructor')], 2n, 1002n));
    expect(await nextNotation(peer)).toBe(BREAK(1002n));
    peer.send(deliver(obj, [sym('__proto__')], 3n, 1003n));
    expect(await nextNotation(peer)).toBe(BREAK(1003n));
    peer.send(deliver(obj, ['echo', 'x'], 4n, 1004n));
    expect(await nextNotation(peer)).toBe(BREAK(1004n));
    await assertSessionWorks(peer, obj, 5n);
  });

  it('fetch of an unknown swiss number, and fetch with a non-bytes swiss', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(exportDesc(0), [sym('fetch'), ascii('no-such-object')], 1n, 1001n));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    peer.send(deliver(exportDesc(0), [sym('fetch'), 'hostile-echo'], 2n, 1002n));
    expect(await nextNotation(peer)).toBe(BREAK(1002n));
    await assertSessionWorks(peer, obj, 3n);
  });

  it('a message pipelined on a broken answer breaks too', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(obj, [sym('boom')], 1n, false));
    peer.send(deliver(answerDesc(1), [sym('echo'), 'x'], 2n, 1002n));
    expect(await nextNotation(peer)).toBe(BREAK(1002n));
    await assertSessionWorks(peer, obj, 3n);
  });

  it('op:listen on an unknown export breaks the listener', async () => {
    const { peer, obj } = await withServed();
    peer.send(rec('op:listen', exportDesc(4242), rec('desc:import-object', 1001n), false));
    expect(await nextNotation(peer)).toBe(BREAK(1001n));
    await assertSessionWorks(peer, obj, 2n);
  });

  it('op:get / op:index / op:untag on the wrong kind of value break that answer', async () => {
    const { peer, obj } = await withServed();
    peer.send(rec('op:get', obj, 'field', 1n));
    peer.send(rec('op:index', obj, 3n, 2n));
    peer.send(rec('op:untag', obj, 'tag', 3n));
    for (const a of [1n, 2n, 3n]) {
      peer.send(rec('op:listen', answerDesc(a), rec('desc:import-object', 1000n + a), false));
      expect(await nextNotation(peer)).toBe(BREAK(1000n + a));
    }
    await assertSessionWorks(peer, obj, 4n);
  });

  it('an answer position reused after op:gc-answers is fine', async () => {
    const { peer, obj } = await withServed();
    await assertSessionWorks(peer, obj, 5n);
    peer.send(rec('op:gc-answers', [5n]));
    await assertSessionWorks(peer, obj, 5n);
  });

  it('gc of unknown exports and answers is ignored', async () => {
    const { peer, obj } = await withServed();
    peer.send(rec('op:gc-exports', [12345n, 0n], [1n, 99n]));
    peer.send(rec('op:gc-answers', [999n]));
    await assertSessionWorks(peer, obj, 1n);
    // The bootstrap object (export 0) survived the attempt to collect it.
    await assertSessionWorks(peer, obj, 2n);
    peer.send(deliver(exportDesc(0), [sym('fetch'), ascii('hostile-echo')], 3n, 1003n));
    expect(await nextNotation(peer)).toMatch(/^<op:deliver <desc:export 1003> \['fulfill <desc:import-object \d+>\] f f>$/);
  });
});

describe('bad positions and descriptors abort the session', () => {
  it('an answer position reused while live', async () => {
    const { peer, obj } = await withServed();
    await assertSessionWorks(peer, obj, 5n);
    peer.send(deliver(obj, [sym('echo'), 'again'], 5n, 1006n));
    await assertAborts(bench, peer, /^answer position 5 is already in use$/);
  });

  it('a message rejected for a reused answer position is not delivered', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(obj, [sym('count')], 1n, 1001n));
    const first = await peer.nextNonGc();
    const n = ((first.fields[1] as SyrupValue[])[1]) as bigint;
    peer.send(deliver(obj, [sym('count')], 1n, 1002n));
    await assertAborts(bench, peer, /^answer position 1 is already in use$/);
    expect(await (E(bench.healthyRef as any) as any).count()).toBe(n + 1n);
  });

  it('a message rejected for a full import table is not delivered', async () => {
    const b = await Bench.start({ limits: { maxImports: 2 } });
    try {
      const peer = await b.attacker();
      const obj = exportDesc(await Bench.fetchServed(peer, 0n));
      peer.send(deliver(obj, [sym('count')], 1n, 1001n));
      const n = (((await peer.nextNonGc()).fields[1] as SyrupValue[])[1]) as bigint;
      // Two imports in the arguments fill this session's table; the resolver overflows it.
      peer.send(deliver(obj, [sym('count'), rec('desc:import-object', 50n), rec('desc:import-object', 51n)], 2n, 1002n));
      await assertAborts(b, peer, /^import table is full \(limit 2\)$/);
      expect(await (E(b.healthyRef as any) as any).count()).toBe(n + 1n);
    } finally {
      await b.close();
    }
  });

  it('an answer position reused by op:get while live', async () => {
    const { peer, obj } = await withServed();
    peer.send(rec('op:get', obj, 'x', 0n));
    await assertAborts(bench, peer, /^answer position 0 is already in use$/);
  });

  const badTargets: Array<[string, SyrupValue, RegExp]> = [
    ['a negative export position', exportDesc(-1n), /^op:deliver to position must be an integer/],
    ['a negative answer position', answerDesc(-3n), /^op:deliver to position must be an integer/],
    ['a 2^64 export position', exportDesc(2n ** 64n), /^op:deliver to position must be an integer/],
    ['a 2^53 answer position', answerDesc(2n ** 53n), /^op:deliver to position must be an integer/],
    ['a string position', rec('desc:export', '1'), /^op:deliver to position must be an integer/],
    ['a descriptor with two positions', rec('desc:export', 1n, 2n), /^op:deliver to must be one of/],
  ];
  for (const [name, target, reason] of badTargets) {
    it(`target with ${name}`, async () => {
      const peer = await bench.attacker();
      peer.send(deliver(target, [sym('echo')], false, false));
      await assertAborts(bench, peer, reason);
    });
  }

  it('a negative or huge answer position', async () => {
    const p1 = await bench.attacker();
    p1.send(deliver(exportDesc(0), [sym('fetch'), ascii('x')], -1n, 1n));
    await assertAborts(bench, p1, /^op:deliver answerPos must be an integer/);
    const p2 = await bench.attacker();
    p2.send(deliver(exportDesc(0), [sym('fetch'), ascii('x')], 2n ** 70n, 1n));
    await assertAborts(bench, p2, /^op:deliver answerPos must be an integer/);
  });

  it('a resolver with a negative or huge position', async () => {
    const p1 = await bench.attacker();
    p1.send(deliver(exportDesc(0), [sym('fetch'), ascii('x')], 0n, -1n));
    await assertAborts(bench, p1, /^op:deliver resolveMe position must be an integer/);
    const p2 = await bench.attacker();
    p2.send(deliver(exportDesc(0), [sym('fetch'), ascii('x')], 0n, 2n ** 64n));
    await assertAborts(bench, p2, /^op:deliver resolveMe position must be an integer/);
  });

  const badValues: Array<[string, SyrupValue, RegExp]> = [
    ['<desc:export n> naming no export', exportDesc(31337), /^<desc:export 31337> names no export of ours$/],
    ['<desc:answer n> naming no answer', answerDesc(31337), /^<desc:answer 31337> names no answer of ours$/],
    ['<desc:import-object -1>', rec('desc:import-object', -1n), /^<desc:import-object> needs one position/],
    ['<desc:import-promise 2^64>', rec('desc:import-promise', 2n ** 64n), /^<desc:import-promise> needs one position/],
    ['<desc:export> with no position', rec('desc:export'), /^<desc:export> needs one position/],
    ['an unknown record label', rec('frobnicate', 1n), /^unknown record <frobnicate> in a value$/],
    ['an op record as a value', rec('op:abort', 'x'), /^unknown record <op:abort> in a value$/],
    ['<void> with a field', rec('void', 1n), /^<void> takes 0 field\(s\), got 1$/],
    ['<desc:tagged> with an integer tag', rec('desc:tagged', 1n, 2n), /^<desc:tagged> tag must be a Symbol or String$/],
    ['<desc:error> without a message', rec('desc:error'), /^<desc:error> needs a String message and at most a Struct of fields$/],
    ['a malformed sturdyref', rec('ocapn-sturdyref', 1n), /^bad sturdyref: /],
    ['a malformed peer locator', rec('ocapn-peer', sym('memory')), /^bad peer locator: /],
    ['a malformed signed envelope', rec('desc:sig-envelope', 1n, 2n), /^a sig-envelope must hold a record$/],
    ['a signed envelope around an unexpected record', rec('desc:sig-envelope', rec('frob'), [sym('sig-val')]), /^bad envelope signature: /],
  ];
  for (const [name, value, reason] of badValues) {
    it(`a value holding ${name}`, async () => {
      const { peer, obj } = await withServed();
      peer.send(deliver(obj, [sym('echo'), [value]], 1n, 1001n));
      await assertAborts(bench, peer, reason);
    });
  }

  it('work in flight when a session aborts settles quietly', async () => {
    const { peer, obj } = await withServed();
    peer.send(deliver(obj, [sym('rejectLater')], 1n, 1001n));
    peer.send(deliver(obj, [sym('echo'), rec('desc:import-promise', 7n)], 2n, 1002n));
    peer.send(rec('op:nonsense'));
    await assertAborts(bench, peer, /^unknown operation <op:nonsense>$/);
  });
});
