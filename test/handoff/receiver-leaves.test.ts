/**
 * A withdrawal waiting for its deposit is dropped when its receiver's session ends, so a
 * receiver that walks away cannot hold a pending-withdrawal slot; the gift stays withdrawable.
 */
import { describe, it, expect } from 'vitest';
import { scene, deposit, signedGive, signedReceive, withdraw, giftId, settle } from './scripted.js';

describe('a waiting withdrawal whose receiver leaves', () => {
  it('frees its slot, and the gift can still be withdrawn by the next receiver', async () => {
    const s = await scene({ maxPendingWithdrawals: 1 });
    try {
      // R withdraws gift 1 before it is deposited: it waits and takes the only slot.
      withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
      await settle();
      s.R.peer.conn.close();
      await settle();
      // A second receiver now gets the slot (before the fix: "too many withdrawals waiting").
      const R2 = await s.dial('R2', 0x53);
      const w = withdraw(R2, signedReceive(s, R2, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
      await settle();
      deposit(s.G, giftId(1), s.giftPos);
      const outcome = await R2.resolution(w.resolverPos);
      expect(outcome.kind).toBe('fulfill');
    } finally {
      await s.close();
    }
  });
});
