/**
 * Well-formed Syrup that is not a valid CapTP operation, and abuse of the handshake
 * (notes §5.3, §11): each aborts only the offending session with a reason that names the
 * problem; the node keeps serving its healthy session; nothing escapes as an unhandled rejection.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { encode, SyrupDict, SyrupRecord, SyrupSet, type SyrupValue } from '../../src/syrup/index.js';
import { sign, signatureToSyrup, publicKeyToSyrup } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { Bench, assertAborts, ascii, deliver, exportDesc, freshName, rec, sym, watchProcessFaults } from './harness.js';

watchProcessFaults();

let bench: Bench;
beforeAll(async () => {
  bench = await Bench.start();
});
afterAll(() => bench.close());

/** Send `message` after a good handshake and expect an abort whose reason matches `reason`. */
async function abortsWith(message: SyrupValue | Uint8Array, reason: RegExp): Promise<void> {
  const peer = await bench.attacker();
  peer.send(message);
  await assertAborts(bench, peer, reason);
}

describe('well-formed Syrup that is not a valid operation', () => {
  const cases: Array<[string, SyrupValue | Uint8Array, RegExp]> = [
    ['unknown op label', rec('op:frobnicate', 1n), /^unknown operation <op:frobnicate>$/],
    ['a record label that is not an op at all', rec('desc:export', 0n), /^unknown operation <desc:export>$/],
    ['op:bootstrap (removed in 2023)', rec('op:bootstrap', 0n, rec('desc:import-object', 1n)), /^unknown operation <op:bootstrap>$/],
    ['op:deliver with too few fields', rec('op:deliver', exportDesc(0)), /^<op:deliver> takes 4 fields, got 1$/],
    ['op:deliver with too many fields', rec('op:deliver', exportDesc(0), [], false, false, false), /^<op:deliver> takes 4 fields, got 5$/],
    ['op:listen with 1 field', rec('op:listen', exportDesc(0)), /^<op:listen> takes 2 or 3 fields, got 1$/],
    ['op:gc-answers with no fields', rec('op:gc-answers'), /^<op:gc-answers> takes 1 fields?, got 0$/],
    ['op:abort with two fields', rec('op:abort', 'a', 'b'), /^<op:abort> takes 1 fields?, got 2$/],
    ['op:deliver target is an integer', rec('op:deliver', 0n, [], false, false), /^op:deliver to must be one of <desc:export pos>, <desc:answer pos>$/],
    ['op:deliver target is an import descriptor', rec('op:deliver', rec('desc:import-object', 0n), [], false, false), /^op:deliver to must be one of/],
    ['op:deliver args is a string', rec('op:deliver', exportDesc(0), 'fetch', false, false), /^op:deliver args must be a List$/],
    ['op:deliver answer-pos is a string', rec('op:deliver', exportDesc(0), [], '0', false), /^op:deliver answerPos must be an integer from 0 to 2\^53-1$/],
    ['op:deliver answer-pos is t', rec('op:deliver', exportDesc(0), [], true, false), /^op:deliver answerPos must be an integer from 0 to 2\^53-1$/],
    ['op:deliver resolve-me is an export descriptor', rec('op:deliver', exportDesc(0), [], 0n, exportDesc(1)), /^op:deliver resolveMe must be one of <desc:import-object pos>, <desc:import-promise pos>$/],
    ['op:listen wants-partial is an integer', rec('op:listen', exportDesc(0), rec('desc:import-object', 1n), 1n), /^op:listen wantsPartial must be a Boolean$/],
    ['op:get field name is a symbol', rec('op:get', exportDesc(0), sym('x'), 0n), /^op:get fieldName must be a String$/],
    ['op:index index is negative', rec('op:index', exportDesc(0), -1n, 0n), /^op:index index must be an integer from 0 to 2\^53-1$/],
    ['op:gc-exports lists of different lengths', rec('op:gc-exports', [1n, 2n], [1n]), /position and delta lists differ in length/],
    ['op:gc-exports delta is negative', rec('op:gc-exports', [1n], [-5n]), /^op:gc-exports wireDeltas must be an integer from 0 to 2\^53-1$/],
    ['op:gc-answers position is a float', rec('op:gc-answers', [1.5]), /^op:gc-answers answerPositions must be an integer from 0 to 2\^53-1$/],
    ['top level is a list', [sym('op:deliver'), exportDesc(0)], /^a CapTP message must be a record$/],
    ['top level is an integer', 5n, /^a CapTP message must be a record$/],
    ['top level is a string', 'op:abort', /^a CapTP message must be a record$/],
    ['top level is a struct', new SyrupDict([['op', 'abort']]), /^a CapTP message must be a record$/],
    ['top level is a bytestring', encode(ascii('<op:abort>')), /^a CapTP message must be a record$/],
    ['raw bytes that are not Syrup', ascii('<op:abort>'), /^malformed message: Syrup: .*at byte \d+$/],
    ['a string label', new SyrupRecord('op:deliver', [exportDesc(0), [], false, false]), /^a CapTP message label must be a Symbol$/],
    ['a bytes label', new SyrupRecord(ascii('op:abort'), ['x']), /^a CapTP message label must be a Symbol$/],
    ['a set as the message', new SyrupSet([1n, 2n]), /^malformed message: Syrup: sets are not allowed/],
    ['a set inside args', deliver(exportDesc(0), [new SyrupSet([1n])], false, false), /^malformed message: Syrup: sets are not allowed/],
    ['a non-string struct key in args', deliver(exportDesc(0), [new SyrupDict([[1n, 'a']])], false, false), /^Struct keys must be Strings$/],
    ['a symbol struct key in args', deliver(exportDesc(0), [new SyrupDict([[sym('a'), 1n]])], false, false), /^Struct keys must be Strings$/],
    ['a Float32 in args', ascii("<10'op:deliver<11'desc:export0+>[F\x3f\x80\x00\x00]ff>"), /^malformed message: Syrup: Float32 \(F\) is not allowed/],
    ['a record with a string label in args', deliver(exportDesc(0), [new SyrupRecord('void', [])], false, false), /^record labels must be Symbols$/],
  ];
  for (const [name, message, reason] of cases) {
    it(name, () => abortsWith(message, reason));
  }
});

describe('abort reasons stay bounded', () => {
  it('an unknown label of 100,000 characters is quoted only in part', async () => {
    const peer = await bench.attacker();
    peer.send(rec('op:' + 'x'.repeat(100_000)));
    const reason = await assertAborts(bench, peer, /^unknown operation <op:xxxx+… \(100023 characters\)$/);
    expect(reason.length).toBeLessThan(600);
  });

  it('cutting never splits a surrogate pair into an ill-formed string', async () => {
    const peer = await bench.attacker();
    // "unknown operation <" is 19 code units; the emoji pairs straddle the cut at 500.
    peer.send(rec('op:' + '😀'.repeat(1000)));
    const reason = await assertAborts(bench, peer, /^unknown operation <op:😀+.?… \(\d+ characters\)$/u);
    expect(reason.isWellFormed()).toBe(true);
  });
});

describe('handshake abuse', () => {
  it('op:deliver before op:start-session', async () => {
    const peer = await bench.attacker(false);
    peer.send(deliver(exportDesc(0), [sym('fetch'), ascii('hostile-echo')], 0n, 1n));
    await assertAborts(bench, peer, /^op:deliver before op:start-session$/);
  });

  it('op:gc-answers before op:start-session', async () => {
    const peer = await bench.attacker(false);
    peer.send(rec('op:gc-answers', [0n]));
    await assertAborts(bench, peer, /^op:gc-answers before op:start-session$/);
  });

  it('garbage before op:start-session', async () => {
    const peer = await bench.attacker(false);
    peer.send(ascii('hello'));
    await assertAborts(bench, peer, /^malformed message: Syrup:/);
  });

  it('a second op:start-session', async () => {
    const peer = await bench.attacker();
    peer.send(peer.startSession());
    await assertAborts(bench, peer, /^second op:start-session in one session$/);
  });

  it('a bad CapTP version', async () => {
    const peer = await bench.attacker(false);
    peer.send(peer.startSession('0.9'));
    await assertAborts(bench, peer, /^unsupported CapTP version "0\.9" \(we speak "1\.0"\)$/);
  });

  it('a CapTP version that is not a String', async () => {
    const peer = await bench.attacker(false);
    const good = peer.startSession();
    peer.send(new SyrupRecord(good.label, [1n, ...good.fields.slice(1)]));
    await assertAborts(bench, peer, /^op:start-session captpVersion must be a String$/);
  });

  it('a location signature that does not verify', async () => {
    const peer = await bench.attacker(false);
    const good = peer.startSession();
    const loc = peerLocatorToSyrup(peer.location);
    // Signed over the bare locator (no <my-location> wrapper): a real mistake, not random bytes.
    const wrong = signatureToSyrup(sign(loc, peer.keyPair.privateKey));
    peer.send(new SyrupRecord(good.label, [good.fields[0], good.fields[1], good.fields[2], wrong]));
    await assertAborts(bench, peer, /^op:start-session location signature does not verify$/);
  });

  it('a signature over a different location than the one claimed', async () => {
    const peer = await bench.attacker(false);
    const good = peer.startSession();
    const other = peerLocatorToSyrup({ ...peer.location, designator: 'someone-else' });
    peer.send(new SyrupRecord(good.label, [good.fields[0], good.fields[1], other, good.fields[3]]));
    await assertAborts(bench, peer, /^op:start-session location signature does not verify$/);
  });

  const badKeys: Array<[string, (k: SyrupValue) => SyrupValue]> = [
    ['a pubkey that is a bytestring', () => new Uint8Array(32)],
    ['a pubkey list with the wrong curve', () => [sym('public-key'), [sym('ecc'), [sym('curve'), sym('Ed448')], [sym('flags'), sym('eddsa')], [sym('q'), new Uint8Array(32)]]]],
    ['a pubkey list with a 31-byte q', () => [sym('public-key'), [sym('ecc'), [sym('curve'), sym('Ed25519')], [sym('flags'), sym('eddsa')], [sym('q'), new Uint8Array(31)]]]],
    ['a pubkey list missing q', () => [sym('public-key'), [sym('ecc'), [sym('curve'), sym('Ed25519')], [sym('flags'), sym('eddsa')]]]],
    ['an empty pubkey list', () => []],
    ['a pubkey list with an extra field', (k) => [...(k as SyrupValue[]), 1n]],
  ];
  for (const [name, mutate] of badKeys) {
    it(`start-session with ${name}`, async () => {
      const peer = await bench.attacker(false);
      const good = peer.startSession();
      peer.send(new SyrupRecord(good.label, [good.fields[0], mutate(good.fields[1]), good.fields[2], good.fields[3]]));
      await assertAborts(bench, peer, /^bad op:start-session: .+/);
    });
  }

  it('start-session with a malformed location', async () => {
    const peer = await bench.attacker(false);
    const good = peer.startSession();
    peer.send(new SyrupRecord(good.label, [good.fields[0], good.fields[1], rec('ocapn-peer', 'memory'), good.fields[3]]));
    await assertAborts(bench, peer, /^bad op:start-session: .+/);
  });

  it('start-session with a malformed signature list', async () => {
    const peer = await bench.attacker(false);
    const good = peer.startSession();
    peer.send(new SyrupRecord(good.label, [good.fields[0], good.fields[1], good.fields[2], [sym('sig-val'), [sym('eddsa'), [sym('r'), new Uint8Array(3)]]]]));
    await assertAborts(bench, peer, /^bad op:start-session: .+/);
  });

  it('a start-session that claims the healthy peer\'s location', async () => {
    const peer = await bench.attacker(false);
    const healthyLoc = bench.client.location;
    const loc = peerLocatorToSyrup(healthyLoc);
    const sig = signatureToSyrup(sign(rec('my-location', loc), peer.keyPair.privateKey));
    peer.send(rec('op:start-session', '1.0', publicKeyToSyrup(peer.keyPair.publicKey), loc, sig));
    // The memory network proves who dialled: the claim is refused as not matching it.
    await assertAborts(bench, peer, /^peer location does not match the designator the netlayer proved$/);
    expect(bench.node.sessionWith(healthyLoc)).toBeDefined();
  });

  it('op:abort from the peer ends only that session', async () => {
    const peer = await bench.attacker();
    peer.send(rec('op:abort', 'bye'));
    expect(await peer.waitClosed()).toBe(true);
    await bench.assertHealthy();
  });

  it('a designator can come back after its session was aborted', async () => {
    const netlayer = bench.net.netlayer(freshName());
    const first = await bench.attackerOn(netlayer);
    first.send(rec('op:nonsense'));
    await assertAborts(bench, first, /^unknown operation <op:nonsense>$/);
    const second = await bench.attackerOn(netlayer);
    const served = await Bench.fetchServed(second);
    expect(served).toBeGreaterThan(0n);
  });
});
