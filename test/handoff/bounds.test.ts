/**
 * The exporter's handoff tables are bounded (HandoffOptions): the gift table per gifter
 * session and the withdrawals waiting for a deposit (handoff counts take constant memory per
 * (E–R, G–E) pair: see counts.test.ts). Going over a bound breaks that one deposit or
 * withdraw; the session lives.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, MemoryNetwork, DEFAULT_HANDOFF_OPTIONS, allowAnyPeer } from '../../src/index.js';
import { scene, deposit, signedGive, signedReceive, withdraw, giftId, rec, sym, type Scene, type Scripted } from './scripted.js';

const LIMITS = { maxGiftsPerSession: 2, maxPendingWithdrawals: 1 };

let s: Scene | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** G deposits with an answer position and a resolver, so the outcome is visible. */
async function depositAnswered(g: Scripted, id: Uint8Array, pos: bigint) {
  const { resolverPos } = g.call(rec('desc:export', 0n), [sym('deposit-gift'), id, rec('desc:export', pos)]);
  return g.resolution(resolverPos);
}

async function withdrawOutcome(sc: Scene, r: Scripted, g: Scripted, id: Uint8Array, count: bigint) {
  const w = withdraw(r, signedReceive(sc, r, signedGive(sc, g, { giftId: id }), { count }));
  return { w, outcome: () => r.resolution(w.resolverPos) };
}

async function expectAlive(sc: Scene): Promise<void> {
  expect(await sc.R.normalCall('R')).toBe('"hello R, I am Carol"');
  expect(await sc.G.normalCall('G')).toBe('"hello G, I am Carol"');
  expect(sc.R.ended || sc.G.ended).toBe(false);
}

describe('handoff bounds', () => {
  it('the defaults are finite', () => {
    expect(DEFAULT_HANDOFF_OPTIONS).toEqual({
      maxGiftsPerSession: 10_000,
      maxPendingWithdrawals: 1_000,
      maxGiftIdBytes: 256,
      maxGivesInFlight: 1_000,
      maxPendingHandoffs: 16,
      maxHandoffDials: 256,
      dialPolicy: allowAnyPeer,
    });
  });

  it('bad options are refused when the node is made', () => {
    const net = new MemoryNetwork();
    expect(() => new OcapnNode({ netlayers: [net.netlayer('x')], handoff: { maxGiftsPerSession: 0 } })).toThrow(RangeError);
    expect(() => new OcapnNode({ netlayers: [net.netlayer('y')], handoff: { maxUsedCounts: 1.5 } })).toThrow(RangeError);
    expect(() => new OcapnNode({ netlayers: [net.netlayer('z')], handoff: { maxGifts: 3 } as never })).toThrow(TypeError);
    expect(() => new OcapnNode({ netlayers: [net.netlayer('w')], handoff: { maxHandoffDials: -1 } })).toThrow(RangeError);
    expect(() => new OcapnNode({ netlayers: [net.netlayer('v')], handoff: { dialPolicy: 5 as never } })).toThrow(TypeError);
  });

  it('gift table: the deposit over maxGiftsPerSession breaks; room comes back after a withdraw', async () => {
    s = await scene(LIMITS);
    expect((await depositAnswered(s.G, giftId(1), s.giftPos)).kind).toBe('fulfill');
    expect((await depositAnswered(s.G, giftId(2), s.giftPos)).kind).toBe('fulfill');
    expect((await depositAnswered(s.G, giftId(3), s.giftPos)).kind).toBe('break');
    await expectAlive(s);
    const { outcome } = await withdrawOutcome(s, s.R, s.G, giftId(1), 0n);
    expect((await outcome()).kind).toBe('fulfill');
    expect((await depositAnswered(s.G, giftId(4), s.giftPos)).kind).toBe('fulfill');
    // The limit is per gifter session: another gifter has its own table.
    const G2 = await s.dial('G2', 0x48);
    const pos2 = await G2.fetch('gift');
    expect((await depositAnswered(G2, giftId(1), pos2)).kind).toBe('fulfill');
    expect((await depositAnswered(G2, giftId(2), pos2)).kind).toBe('fulfill');
    await expectAlive(s);
  });

  it('a fire-and-forget deposit over the limit is dropped, and the session lives', async () => {
    s = await scene(LIMITS);
    deposit(s.G, giftId(1), s.giftPos);
    deposit(s.G, giftId(2), s.giftPos);
    deposit(s.G, giftId(3), s.giftPos);
    await expectAlive(s);
    // gift 3 was not stored: a withdraw of it waits (it does not get the gift) ...
    const { w, outcome } = await withdrawOutcome(s, s.R, s.G, giftId(3), 0n);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.R.resolved(w.resolverPos)).toBe(false);
    // ... until the gifter leaves
    s.G.peer.conn.close();
    expect((await outcome()).kind).toBe('break');
  });

  it('pending withdrawals: the one over maxPendingWithdrawals breaks; the waiting one still completes', async () => {
    s = await scene(LIMITS);
    const first = await withdrawOutcome(s, s.R, s.G, giftId(1), 0n);
    const second = await withdrawOutcome(s, s.R, s.G, giftId(2), 1n);
    expect((await second.outcome()).kind).toBe('break');
    expect(s.R.resolved(first.w.resolverPos)).toBe(false);
    await expectAlive(s);
    deposit(s.G, giftId(1), s.giftPos);
    expect((await first.outcome()).kind).toBe('fulfill');
    // The slot is free again (shown with another receiver).
    const R2 = await s.dial('R2', 0x53);
    const third = await withdrawOutcome(s, R2, s.G, giftId(9), 0n);
    await new Promise((r) => setTimeout(r, 30));
    expect(R2.resolved(third.w.resolverPos)).toBe(false);
    deposit(s.G, giftId(9), s.giftPos);
    expect((await third.outcome()).kind).toBe('fulfill');
  });
});
