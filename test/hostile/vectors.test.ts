/**
 * Every case of shared/vectors/invalid-syrup.json sent by a hostile peer after a good
 * handshake: the node must abort that session with a reason naming the problem, close it, and
 * keep serving its healthy session, with no unhandled rejection.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { OcapnNode, E, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { Bench, RawPeer, assertAborts, ascii, expectAbort, fromHex, servedObject, SWISS, watchProcessFaults } from './harness.js';

interface InvalidCase {
  name: string;
  hex: string;
  level: 'syrup' | 'ocapn' | 'limit';
  mode: 'value' | 'whole-buffer';
}
const cases: InvalidCase[] = JSON.parse(
  readFileSync(new URL('../../../shared/vectors/invalid-syrup.json', import.meta.url), 'utf8'),
);

watchProcessFaults();

/**
 * Invalid canonical Syrup that sessions accept on purpose: Endo's Struct key order (sessions
 * decode with dictOrder 'canonical-or-js'; docs/syrup.md, notes §15.1).
 */
const ENDO_ORDER = new Set(['dict keys in JS string order (Endo OCapN writer order)']);

/** What the abort reason must say for a case sent as a whole message. */
function expectedReason(c: InvalidCase): RegExp {
  if (ENDO_ORDER.has(c.name)) return /^a CapTP message must be a record$/;
  if (c.level === 'limit') return /^malformed message: Syrup: nesting deeper than maxDepth \(64\)/;
  // The OCapN-level cases that are well-formed Syrup fail as CapTP messages (not a record /
  // label not a Symbol); the rest fail in the Syrup decoder, which names the rule and offset.
  if (c.level === 'ocapn' && /^7b/.test(c.hex)) return /^a CapTP message must be a record$/;
  if (c.level === 'ocapn' && /^3c/.test(c.hex)) return /^a CapTP message label must be a Symbol$/;
  return /^malformed message: Syrup: .+ at byte \d+$/;
}

/** `<op:deliver <desc:export 0> [VALUE] f f>`, with the case's bytes spliced in as VALUE. */
function embedded(hex: string): Uint8Array {
  const head = ascii("<10'op:deliver<11'desc:export0+>[");
  const tail = ascii(']ff>');
  const body = fromHex(hex);
  const out = new Uint8Array(head.length + body.length + tail.length);
  out.set(head);
  out.set(body, head.length);
  out.set(tail, head.length + body.length);
  return out;
}

describe('invalid-syrup.json over the memory netlayer', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await Bench.start();
  });
  afterAll(() => bench.close());

  it('has the 88 cases the README describes', () => {
    expect(cases.length).toBe(88);
    expect(cases.filter((c) => c.level === 'ocapn').length).toBe(7);
  });

  for (const c of cases) {
    it(`whole message: ${c.level} / ${c.name}`, async () => {
      const peer = await bench.attacker();
      peer.send(fromHex(c.hex));
      await assertAborts(bench, peer, expectedReason(c));
    });
  }

  // Inside an otherwise valid op:deliver, a bad value must still be caught: by the Syrup
  // decoder, or (for the OCapN-level cases) by the OCapN value decoder. Whole-buffer cases
  // and the empty input do not make sense spliced into a list.
  for (const c of cases.filter((x) => ENDO_ORDER.has(x.name))) {
    it(`inside op:deliver args, accepted: ${c.name}`, async () => {
      const peer = await bench.attacker();
      peer.send(embedded(c.hex));
      await new Promise((r) => setTimeout(r, 50));
      expect(peer.closed).toBe(false);
      await bench.assertHealthy();
    });
  }

  for (const c of cases.filter((x) => x.mode === 'value' && x.hex !== '' && !ENDO_ORDER.has(x.name))) {
    it(`inside op:deliver args: ${c.level} / ${c.name}`, async () => {
      const peer = await bench.attacker();
      peer.send(embedded(c.hex));
      const reason = await assertAborts(bench, peer, /\S/);
      if (c.level === 'ocapn') {
        expect(reason).toMatch(/Float32|sets are not allowed|Struct keys must be Strings|record labels must be Symbols|unexpected closer/);
      } else {
        expect(reason).toMatch(/^malformed message: Syrup: .+ at byte \d+$/);
      }
    });
  }
});

describe('invalid-syrup.json over tcp-testing-only (raw framing)', () => {
  it('a handful of cases abort the session; the frame reader sees the rest of the stream as malformed', async () => {
    const server = await listenTcpTestingOnly({ designator: 'hostile-tcp' });
    const node = new OcapnNode({ netlayers: [server] });
    const uri = node.sturdyRefUri(servedObject(), SWISS);
    const client = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer({ designator: 'healthy-tcp' })] });
    const ref = await client.enliven(uri);
    expect(await (E(ref as any) as any).echo('before')).toEqual(['before']);
    const byName = new Map(cases.map((c) => [c.name, c]));
    // name → expected reason. Cases that begin with a byte that cannot start a frame are
    // stream errors; a complete record with bad contents is a message error.
    const notAFrame = /^malformed stream: expected a message \(a '<' record or a digit length prefix\), got '.' \(0x[0-9a-f]{2}\) \(stream byte \d+\)$/;
    const picks: Array<[string, RegExp]> = [
      ['stray ]', notAFrame],
      ['unterminated list', notAFrame],
      ['bencode integer i42e', notAFrame],
      ['list nested 2000 deep', notAFrame],
      ['record without label <>', /^malformed stream: malformed Syrup message: Syrup: record without a label/],
      ['record with string label', /^a CapTP message label must be a Symbol$/],
      // The complete record <null> is one (unknown) operation; the stray '>' never gets read.
      ['record then extra >', /^unknown operation <null>$/],
    ];
    let i = 0;
    for (const [name, reason] of picks) {
      const c = byName.get(name);
      expect(c, name).toBeDefined();
      const peer = await RawPeer.dial(createTcpTestingOnlyDialer({ designator: `tcp-attacker-${i++}` }), server.location);
      await peer.handshake();
      peer.send(fromHex(c!.hex));
      const got = await expectAbort(peer);
      expect(got, name).toMatch(reason);
      expect(await peer.waitClosed(), name).toBe(true);
      expect(await (E(ref as any) as any).echo(name)).toEqual([name]);
    }
    // The limit case as a record, so the frame reader must scan it: 2,000 levels inside '<'.
    // (The raw reader scans only once a '>' has arrived, so one is appended.)
    const deep = await RawPeer.dial(createTcpTestingOnlyDialer({ designator: 'tcp-attacker-deep' }), server.location);
    await deep.handshake();
    deep.send(ascii('<' + '['.repeat(2000) + '>'));
    expect(await expectAbort(deep)).toMatch(/^malformed stream: .*nesting deeper than maxDepth/);
    expect(await deep.waitClosed()).toBe(true);
    expect(await (E(ref as any) as any).echo('after deep')).toEqual(['after deep']);
    await client.close();
    await node.close();
  });
});
