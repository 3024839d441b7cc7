/**
 * Handoff counts are checked against a high-water mark per (E–R, G–E) session pair (issue 7,
 * item 6; notes §9.4, §15): a withdraw is accepted only if its count is above every count
 * accepted for that pair. Memory is constant per pair, so a pair can hand off forever; every
 * replay (an equal or an older count) is still refused.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, MemoryNetwork, E, Far, DEFAULT_HANDOFF_OPTIONS } from '../../src/index.js';
import { scene, deposit, signedGive, signedReceive, withdraw, giftId, type Scene, type Scripted } from './scripted.js';

let s: Scene | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** G deposits gift `id`; R withdraws it with `count`; returns the outcome. */
async function handoff(sc: Scene, r: Scripted, g: Scripted, id: Uint8Array, count: bigint, pos = sc.giftPos): Promise<string> {
  deposit(g, id, pos);
  const w = withdraw(r, signedReceive(sc, r, signedGive(sc, g, { giftId: id }), { count }));
  const res = await r.resolution(w.resolverPos);
  return res.kind === 'break' ? `break ${res.text}` : res.kind;
}

/** A 32-byte gift id from a number (distinct for 0..65535). */
const id16 = (n: number): Uint8Array => {
  const b = new Uint8Array(32);
  b[0] = n >> 8;
  b[1] = n & 0xff;
  return b;
};

describe('handoff counts: a high-water mark per (E–R, G–E) pair', () => {
  it('maxUsedCounts is a deprecated no-op: with it at 5, handoffs 6 to 100 on one pair succeed', { timeout: 30_000 }, async () => {
    expect(Object.hasOwn(DEFAULT_HANDOFF_OPTIONS, 'maxUsedCounts')).toBe(false);
    s = await scene({ maxUsedCounts: 5 });
    for (let i = 0; i < 100; i++) expect(await handoff(s, s.R, s.G, id16(i), BigInt(i))).toBe('fulfill');
    expect(s.R.ended || s.G.ended).toBe(false);
  });

  it('a replay of the last count or an older one is refused; a higher one (gaps allowed) is accepted', async () => {
    s = await scene({}, { profile: 'endo' });
    expect(await handoff(s, s.R, s.G, giftId(1), 3n)).toBe('fulfill');
    expect(await handoff(s, s.R, s.G, giftId(2), 10n)).toBe('fulfill');
    expect(await handoff(s, s.R, s.G, giftId(3), 10n)).toContain('handoff-count 10 is not above 10, the highest already used');
    expect(await handoff(s, s.R, s.G, giftId(4), 3n)).toContain('handoff-count 3 is not above 10');
    expect(await handoff(s, s.R, s.G, giftId(5), 7n)).toContain('handoff-count 7 is not above 10');
    // The refused withdraws took nothing: gift 3 is still there for a fresh count.
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(3) }), { count: 11n }));
    expect((await s.R.resolution(w.resolverPos)).kind).toBe('fulfill');
    expect(s.R.ended || s.G.ended).toBe(false);
  });

  it('each pair has its own mark: another gifter session, or another receiver session, starts afresh', async () => {
    s = await scene();
    expect(await handoff(s, s.R, s.G, giftId(1), 5n)).toBe('fulfill');
    // Same E–R session, another G–E session: count 0 is fine (a Goblins receiver counts per G–R).
    const G2 = await s.dial('G2', 0x48);
    const pos2 = await G2.fetch('gift');
    expect(await handoff(s, s.R, G2, giftId(1), 0n, pos2)).toBe('fulfill');
    // Another E–R session with the same G–E session: count 0 is fine too.
    const R2 = await s.dial('R2', 0x53);
    expect(await handoff(s, R2, s.G, giftId(2), 0n)).toBe('fulfill');
    // ... and the first pair still remembers its mark.
    expect(await handoff(s, s.R, s.G, giftId(3), 5n)).toMatch(/^break/);
  });

  it('three real nodes: with maxUsedCounts 2 at the exporter, 12 handoffs in a row succeed', async () => {
    const net = new MemoryNetwork();
    const C = new OcapnNode({ netlayers: [net.netlayer('C')], handoff: { maxUsedCounts: 2 } });
    const B = new OcapnNode({ netlayers: [net.netlayer('B')] });
    const A = new OcapnNode({ netlayers: [net.netlayer('A')] });
    try {
      const carolUri = C.sturdyRefUri(Far('Carol', { hello: (who: string) => `hello ${who}` }));
      const bobUri = B.sturdyRefUri(Far('Bob', { callIt: (carol: unknown) => E(carol as { hello(w: string): string }).hello('B') }));
      const carol = await A.enliven(carolUri);
      const bob = await A.enliven<{ callIt(c: unknown): string }>(bobUri);
      for (let i = 0; i < 12; i++) expect(await E(bob).callIt(carol)).toBe('hello B');
    } finally {
      await Promise.all([A.close(), B.close(), C.close()]);
    }
  });
});
