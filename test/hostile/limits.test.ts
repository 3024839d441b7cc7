/**
 * Limits (notes §11; src/captp/limits.ts): every limit has a default and an option, and a
 * peer that goes over one loses its session, with a reason naming the limit, and nothing else.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, E, DEFAULT_LIMITS, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { encode, SyrupDict, toNotation, type SyrupValue } from '../../src/syrup/index.js';

const encodeText = (v: SyrupValue): string => Buffer.from(encode(v)).toString('latin1');
import { Bench, RawPeer, assertAborts, ascii, deliver, expectAbort, exportDesc, rec, servedObject, SWISS, sym, watchProcessFaults } from './harness.js';

watchProcessFaults();

const nested = (depth: number): SyrupValue => {
  let v: SyrupValue = [];
  for (let i = 1; i < depth; i++) v = [v];
  return v;
};

let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

async function served(b: Bench): Promise<{ peer: RawPeer; obj: SyrupValue }> {
  const peer = await b.attacker();
  return { peer, obj: exportDesc(await Bench.fetchServed(peer, 0n)) };
}

describe('defaults', () => {
  it('every session limit has a positive integer default', () => {
    expect(Object.keys(DEFAULT_LIMITS)).toEqual(
      expect.arrayContaining(['maxAnswers', 'maxBytesLength', 'maxContainerLength', 'maxDepth', 'maxExports', 'maxImports', 'maxQuestions', 'handshakeTimeoutMs']),
    );
    for (const v of Object.values(DEFAULT_LIMITS)) expect(Number.isSafeInteger(v) && v > 0).toBe(true);
    expect(DEFAULT_LIMITS.maxDepth).toBe(64);
  });

  it('default maxDepth: 64 levels pass, 65 abort', async () => {
    bench = await Bench.start();
    const { peer, obj } = await served(bench);
    // record + args list + 62 = 64 containers open at once
    peer.send(deliver(obj, [sym('echo'), nested(62)], 1n, 1001n));
    expect((await peer.nextNonGc()).labelName).toBe('op:deliver');
    peer.send(deliver(obj, [sym('echo'), nested(63)], 2n, 1002n));
    await assertAborts(bench, peer, /^malformed message: Syrup: nesting deeper than maxDepth \(64\) at byte \d+$/);
  });
});

describe('custom limits', () => {
  it('maxDepth 8: 8 levels pass, 9 abort', async () => {
    bench = await Bench.start({ limits: { maxDepth: 8 } });
    const { peer, obj } = await served(bench);
    peer.send(deliver(obj, [sym('echo'), nested(6)], 1n, 1001n));
    expect(toNotation(await peer.nextNonGc())).toBe("<op:deliver <desc:export 1001> ['fulfill [[[[[[[]]]]]]]] f f>");
    peer.send(deliver(obj, [sym('echo'), nested(7)], 2n, 1002n));
    await assertAborts(bench, peer, /^malformed message: Syrup: nesting deeper than maxDepth \(8\) at byte \d+$/);
  });

  it('maxDepth 1000 (the largest allowed): 1000 levels are decoded without overflowing the stack, 1001 abort', async () => {
    bench = await Bench.start({ limits: { maxDepth: 1000 } });
    const { peer, obj } = await served(bench);
    // Built as bytes: our own encoder refuses values this deep.
    const deepEcho = (levels: number, answer: number) =>
      ascii(`<10'op:deliver${encodeText(obj)}[4'echo${'['.repeat(levels)}${']'.repeat(levels)}]${answer}+<18'desc:import-object${answer + 1000}+>>`);
    peer.send(deepEcho(998, 1));
    // Echoing it back goes over toSyrup's own 256-level limit: the answer breaks, the session lives.
    expect(toNotation(await peer.nextNonGc())).toBe("<op:deliver <desc:export 1001> ['break <exn:fail:mystery>] f f>");
    peer.send(deliver(obj, [sym('count')], 2n, 1002n));
    expect(toNotation(await peer.nextNonGc())).toBe("<op:deliver <desc:export 1002> ['fulfill 1] f f>");
    peer.send(deepEcho(999, 3));
    await assertAborts(bench, peer, /^malformed message: Syrup: nesting deeper than maxDepth \(1000\) at byte \d+$/);
  });

  it('handshakeTimeoutMs 100: a peer that connects and stays silent is aborted', async () => {
    bench = await Bench.start({ limits: { handshakeTimeoutMs: 100 } });
    const silent = await bench.attacker(false);
    await assertAborts(bench, silent, /^no valid op:start-session within 100 ms$/);
    // The established sessions are not subject to it.
    await new Promise((r) => setTimeout(r, 150));
    await bench.assertHealthy();
  });

  it('maxContainerLength 16: lists, structs and records over it abort', async () => {
    bench = await Bench.start({ limits: { maxContainerLength: 16 } });
    const items = (n: number) => Array.from({ length: n }, (_, i) => BigInt(i));
    const { peer, obj } = await served(bench);
    peer.send(deliver(obj, [sym('echo'), ...items(15)], 1n, 1001n));
    expect((await peer.nextNonGc()).labelName).toBe('op:deliver');
    peer.send(deliver(obj, [sym('echo'), ...items(16)], 2n, 1002n));
    await assertAborts(bench, peer, /^malformed message: Syrup: .*maxContainerLength \(16\)/);

    const p2 = (await served(bench)).peer;
    p2.send(deliver(obj, [sym('echo'), new SyrupDict(items(17).map((i) => [`k${String(i).padStart(2, '0')}`, i]))], 1n, 1001n));
    await assertAborts(bench, p2, /^malformed message: Syrup: .*maxContainerLength \(16\)/);

    const p3 = await bench.attacker();
    p3.send(rec('op:deliver', ...items(17)));
    await assertAborts(bench, p3, /^malformed message: Syrup: .*maxContainerLength \(16\)/);
  });

  it('maxBytesLength 64: strings, symbols and bytestrings over it abort', async () => {
    bench = await Bench.start({ limits: { maxBytesLength: 64 } });
    const { peer, obj } = await served(bench);
    peer.send(deliver(obj, [sym('echo'), 'x'.repeat(64)], 1n, 1001n));
    expect((await peer.nextNonGc()).labelName).toBe('op:deliver');
    peer.send(deliver(obj, [sym('echo'), 'é'.repeat(33)], 2n, 1002n)); // 66 bytes, 33 characters
    await assertAborts(bench, peer, /^malformed message: Syrup: .*maxBytesLength \(64\)/);
    for (const big of [sym('s'.repeat(65)), new Uint8Array(65)]) {
      const p = await bench.attacker();
      p.send(deliver(exportDesc(0), [big], false, false));
      await assertAborts(bench, p, /^malformed message: Syrup: .*maxBytesLength \(64\)/);
    }
    // A label is a symbol too.
    const p = await bench.attacker();
    p.send(rec('op:' + 'x'.repeat(100)));
    await assertAborts(bench, p, /^malformed message: Syrup: .*maxBytesLength \(64\)/);
  });

  it('maxAnswers 4: a fifth live answer position aborts; freed positions do not count', async () => {
    bench = await Bench.start({ limits: { maxAnswers: 4 } });
    const { peer, obj } = await served(bench); // answer 0 is the fetch
    for (const a of [1n, 2n, 3n]) {
      peer.send(deliver(obj, [sym('count')], a, 1000n + a));
      expect((await peer.nextNonGc()).labelName).toBe('op:deliver');
    }
    peer.send(rec('op:gc-answers', [3n]));
    peer.send(deliver(obj, [sym('count')], 13n, 1013n)); // takes the freed slot
    expect((await peer.nextNonGc()).labelName).toBe('op:deliver');
    peer.send(deliver(obj, [sym('count')], 4n, 1004n));
    await assertAborts(bench, peer, /^answer table is full \(limit 4\)$/);
  });

  it('maxAnswers 4 counts op:get / op:index answers too', async () => {
    bench = await Bench.start({ limits: { maxAnswers: 4 } });
    const { peer, obj } = await served(bench);
    for (const a of [1n, 2n, 3n]) peer.send(rec('op:index', obj, 0n, a));
    peer.send(rec('op:get', obj, 'f', 4n));
    await assertAborts(bench, peer, /^answer table is full \(limit 4\)$/);
  });

  it('maxImports 8: a ninth live import aborts, in one message or across several', async () => {
    bench = await Bench.start({ limits: { maxImports: 8 } });
    const imports = (from: number, n: number) => Array.from({ length: n }, (_, i) => rec('desc:import-object', BigInt(from + i)));
    const { peer, obj } = await served(bench);
    peer.send(deliver(obj, [sym('echo'), ...imports(100, 9)], false, false));
    await assertAborts(bench, peer, /^import table is full \(limit 8\)$/);

    const p2 = (await served(bench)).peer;
    // 7 imports + the resolver = 8: allowed. The resolver is released once answered.
    p2.send(deliver(obj, [sym('echo'), ...imports(100, 7)], 1n, 1001n));
    expect((await p2.nextNonGc()).labelName).toBe('op:deliver');
    p2.send(deliver(obj, [sym('echo'), ...imports(200, 2)], false, false));
    await assertAborts(bench, p2, /^import table is full \(limit 8\)$/);
  });

  it('maxExports 4: an answer that would export one more breaks (with the reason), the session goes on', async () => {
    bench = await Bench.start({ profile: 'endo', limits: { maxExports: 4 } });
    const { peer, obj } = await served(bench); // exports: 0 (bootstrap), 1 (served object)
    const results: string[] = [];
    for (const a of [1n, 2n, 3n]) {
      peer.send(deliver(obj, [sym('makeFn')], a, 1000n + a));
      results.push(toNotation(await peer.nextNonGc()));
    }
    expect(results[0]).toMatch(/^<op:deliver <desc:export 1001> \['fulfill <desc:import-object (\d+)>\] f f>$/);
    expect(results[1]).toMatch(/^<op:deliver <desc:export 1002> \['fulfill <desc:import-object (\d+)>\] f f>$/);
    expect(results[2]).toBe('<op:deliver <desc:export 1003> [\'break <desc:error "export table is full (limit 4)">] f f>');
    // Releasing one export makes room again.
    const first = BigInt(/import-object (\d+)/.exec(results[0])![1]);
    peer.send(rec('op:gc-exports', [first], [1n]));
    peer.send(deliver(obj, [sym('makeFn')], 4n, 1004n));
    expect(toNotation(await peer.nextNonGc())).toMatch(/^<op:deliver <desc:export 1004> \['fulfill <desc:import-object \d+>\] f f>$/);
    await bench.assertHealthy();
  });
});

describe('tcp-testing-only maxMessageBytes', () => {
  it('a length prefix over maxMessageBytes, a longer prefix, and a long raw message abort; the healthy session goes on', async () => {
    const server = await listenTcpTestingOnly({ designator: 'limits-tcp', maxMessageBytes: 1024 });
    const node = new OcapnNode({ netlayers: [server] });
    const uri = node.sturdyRefUri(servedObject(), SWISS);
    const client = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer({ designator: 'limits-healthy' })] });
    const ref = await client.enliven(uri);
    const attacks: Array<[Uint8Array, RegExp]> = [
      [ascii('1025:<'), /^malformed stream: frame length 1025 exceeds maxMessageBytes \(1024\) \(stream byte \d+\)$/],
      [ascii('99999999999:'), /^malformed stream: frame length prefix of more than 4 digits exceeds maxMessageBytes \(1024\)/],
      // A complete raw message over the limit is caught by the scanner, whose maxValueBytes is
      // the netlayer's maxMessageBytes.
      [ascii(`<10'op:deliver<11'desc:export0+>[2000"${'x'.repeat(2000)}]ff>`), /^malformed stream: .*(exceeds maxMessageBytes|longer than maxValueBytes) \(1024\)/],
      // No '>' yet: the reader buffers, but never more than maxMessageBytes.
      [ascii(`<10'op:deliver[${'1+'.repeat(600)}`), /^malformed stream: raw message exceeds maxMessageBytes \(1024\) and is still incomplete/],
    ];
    let i = 0;
    for (const [bytes, reason] of attacks) {
      const peer = await RawPeer.dial(createTcpTestingOnlyDialer({ designator: `limits-attacker-${i++}` }), server.location);
      await peer.handshake();
      peer.send(bytes);
      expect(await expectAbort(peer)).toMatch(reason);
      expect(await peer.waitClosed()).toBe(true);
      expect(await (E(ref as any) as any).echo(i)).toEqual([i]);
    }
    expect(server.connectionCount).toBe(1);
    await client.close();
    await node.close();
  });
});
