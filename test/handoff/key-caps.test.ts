/**
 * Byte strings used as map keys (swiss numbers, gift ids) are length-capped before any key is
 * built, and the key function (toHex) does linear work: one buffer and one decode, no string
 * grown byte by byte (issue 7, item 4: a 16 MiB swiss used to block 5 s and take ~1 GB).
 */
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { OcapnNode, MemoryNetwork } from '../../src/index.js';
import { toNotation } from '../../src/syrup/index.js';
import { toHex, bytesEqual } from '../../src/syrup/bytes.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { scene, deposit, signedGive, signedReceive, withdraw, rec as srec, sym as ssym, type Scene } from './scripted.js';

const MiB = 1024 * 1024;

let s: Scene | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('swiss numbers are capped (default 256 bytes)', () => {
  async function fetchAs(node: OcapnNode, net: MemoryNetwork, swiss: Uint8Array): Promise<{ text: string; peer: RawPeer }> {
    const peer = await RawPeer.dial(net.netlayer(`f-${Math.random()}`), node.location);
    await peer.handshake();
    peer.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), swiss], 0n, rec('desc:import-object', 1n)));
    return { text: toNotation(await peer.nextNonGc()), peer };
  }

  it('a fetch with a 1 MiB swiss number breaks with the limit, and the session lives', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('N')], profile: 'endo' });
    node.register({ hi: () => 'hi' }, 'svc');
    const { text, peer } = await fetchAs(node, net, new Uint8Array(MiB).fill(0x41));
    expect(text).toContain("'break");
    expect(text).toContain('a swiss number of 1048576 bytes is longer than the limit (256)');
    // The session goes on: a normal fetch still works.
    peer.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), new TextEncoder().encode('svc')], 1n, rec('desc:import-object', 2n)));
    expect(toNotation(await peer.nextNonGc())).toMatch(/'fulfill <desc:import-object \d+>/);
    expect(node.sessions[0].isActive).toBe(true);
    await node.close();
  });

  it('register() refuses a swiss number over the limit with a RangeError; the limit is an option', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('N')] });
    expect(() => node.register({}, new Uint8Array(257))).toThrow(RangeError);
    expect(() => node.register({}, 'x'.repeat(257))).toThrow(/longer than maxSwissBytes \(256\)/);
    expect(node.register({}, new Uint8Array(256).fill(1)).swiss).toHaveLength(256);
    const big = new OcapnNode({ netlayers: [net.netlayer('B')], maxSwissBytes: 4096 });
    const swiss = new Uint8Array(4000).fill(7);
    big.register({ hi: () => 'hi' }, swiss);
    expect((await fetchAs(big, net, swiss)).text).toMatch(/'fulfill <desc:import-object \d+>/);
    expect(() => new OcapnNode({ netlayers: [net.netlayer('C')], maxSwissBytes: 0 })).toThrow(RangeError);
    await Promise.all([node.close(), big.close()]);
  });
});

describe('gift ids are capped (default 256 bytes)', () => {
  it('a deposit with a 1 MiB gift id breaks with the limit; the session lives', async () => {
    s = await scene({}, { profile: 'endo' });
    const { resolverPos } = s.G.call(srec('desc:export', 0n), [ssym('deposit-gift'), new Uint8Array(MiB).fill(3), srec('desc:export', s.giftPos)]);
    const r = await s.G.resolution(resolverPos);
    expect(r.kind).toBe('break');
    expect(r.text).toContain('deposit-gift refused: gift-id of 1048576 bytes is longer than the limit (256)');
    expect(await s.G.normalCall('G')).toBe('"hello G, I am Carol"');
  });

  it('a withdraw whose give carries a 1 MiB gift id breaks with the limit', async () => {
    s = await scene({}, { profile: 'endo' });
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: new Uint8Array(MiB).fill(4) }), { count: 0n }));
    const r = await s.R.resolution(w.resolverPos);
    expect(r.kind).toBe('break');
    expect(r.text).toContain('gift-id of 1048576 bytes is longer than the limit (256)');
    expect(await s.R.normalCall('R')).toBe('"hello R, I am Carol"');
  });

  it('short gift ids (the suite uses 7 bytes) and ones at the limit still work; the limit is an option', async () => {
    s = await scene({ maxGiftIdBytes: 300 });
    for (const [i, id] of [new Uint8Array(7).fill(1), new Uint8Array(300).fill(2)].entries()) {
      deposit(s.G, id, s.giftPos);
      const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: id }), { count: BigInt(i) }));
      expect((await s.R.resolution(w.resolverPos)).kind).toBe('fulfill');
    }
  });
});

describe('toHex, the key function', () => {
  it('matches lowercase hex for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toHex(all)).toBe(Buffer.from(all).toString('hex'));
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('is injective: equal keys exactly when equal bytes (fixed seed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(toHex(a) === toHex(b)).toBe(bytesEqual(a, b));
        expect(toHex(a)).toHaveLength(2 * a.length);
      }),
      { seed: 0x7e57, numRuns: 500 },
    );
  });

  it('builds a key of 8 MiB with heap growth linear in the input (under 4 bytes per input byte)', () => {
    const input = new Uint8Array(8 * MiB);
    for (let i = 0; i < input.length; i++) input[i] = (i * 131) & 0xff;
    const before = process.memoryUsage().heapUsed;
    const key = toHex(input);
    const grew = process.memoryUsage().heapUsed - before;
    expect(key).toHaveLength(16 * MiB);
    expect(key.slice(0, 8)).toBe('00830689');
    // The key string itself takes 2 bytes per input byte; per-byte concatenation took ~60.
    expect(grew).toBeLessThan(4 * input.length);
  });
});
