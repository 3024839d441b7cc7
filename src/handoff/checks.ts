/**
 * The exporter's withdraw-gift checks, side by side so they can be audited at a glance
 * (notes §9.4), cheapest first. Each failed check throws a {@link HandoffError}, which breaks
 * that withdraw's answer and leaves the session running.
 * @module
 */
import { bytesEqual } from '../syrup/index.js';
import type { SyrupValue } from '../syrup/types.js';
import type { CaptpSession } from '../captp/session.js';
import type { PeerLocator } from '../locator/types.js';
import { HandoffError, openEnvelope, parseGive, parseReceive, type HandoffGive, type HandoffReceive } from './certificates.js';

/** What the checks need to look up. */
export interface CheckContext {
  /** The active session with this SessionID, if any. */
  sessionById(id: Uint8Array): CaptpSession | undefined;
  /** Whether `loc` names this node. */
  isOwnLocation(loc: PeerLocator): boolean;
  /** The highest handoff count accepted so far for (this E–R session, that G–E session), if any. */
  lastCount(er: CaptpSession, ge: CaptpSession): bigint | undefined;
  /** Longest gift id accepted, in bytes. */
  readonly maxGiftIdBytes: number;
  /** Ed25519 verification (the crypto module's `verify`; a test may count the calls). */
  verify(record: SyrupValue, signature: Uint8Array, publicKey: Uint8Array): boolean;
}

/** A withdraw that passed every check: the gift to hand over is (ge, give.giftId). */
export interface CheckedWithdraw {
  readonly ge: CaptpSession;
  readonly give: HandoffGive;
  readonly receive: HandoffReceive;
}

/**
 * Check a signed `desc:handoff-receive` that arrived as `withdraw-gift` on session `er` (E–R).
 * Every comparison and lookup runs before the two signature verifications, so a withdraw that
 * fails a cheap check costs no Ed25519 work. Does not record the count; the caller does that
 * once every check has passed.
 */
export function checkWithdraw(ctx: CheckContext, er: CaptpSession, signedReceive: unknown): CheckedWithdraw {
  const fail = (why: string): never => {
    throw new HandoffError(`withdraw-gift refused: ${why}`);
  };
  const outer = openEnvelope(signedReceive as never);
  const receive = parseReceive(outer.signed);
  const inner = openEnvelope(receive.signedGive);
  const give = parseGive(inner.signed);
  const count = receive.handoffCount;

  // 1. The gifter–exporter session named by the give exists (and is live).
  const ge = ctx.sessionById(give.session) ?? fail('no live session with the gifter for that give');
  // 2. The gifter-side names the gifter of that session.
  if (!bytesEqual(give.gifterSide, ge.peerPublicId!)) fail('gifter-side does not match the gifter of that session');
  // 3. The give names us as the exporter.
  if (!ctx.isOwnLocation(give.exporterLocation)) fail('the give names another exporter');
  // 4. The gift id is not longer than we key gifts by.
  if (give.giftId.length > ctx.maxGiftIdBytes) fail(`gift-id of ${give.giftId.length} bytes is longer than the limit (${ctx.maxGiftIdBytes})`);
  // 5. The receive was made for this E–R session ...
  if (!bytesEqual(receive.receivingSession, er.id!)) fail('receiving-session is not this session');
  // 6. ... by the peer on the other side of it.
  if (!bytesEqual(receive.receivingSide, er.peerPublicId!)) fail('receiving-side is not the peer of this session');
  // 7. The count is above every count accepted for this (E–R, G–E) pair (a high-water mark, notes §15).
  const last = ctx.lastCount(er, ge);
  if (last !== undefined && count <= last) fail(`handoff-count ${count} is not above ${last}, the highest already used`);
  // 8. The give was signed by the gifter's key in that G–E session.
  if (!ctx.verify(give.record, inner.signature, ge.peerPublicKey!)) fail('the give signature does not verify under the gifter key');
  // 9. The receive was signed by the receiver the gifter designated (the give's receiver-key).
  if (!ctx.verify(receive.record, outer.signature, give.receiverKey)) fail('the receive signature does not verify under the give receiver-key');
  return { ge, give, receive };
}
