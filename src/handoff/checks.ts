/**
 * The exporter's withdraw-gift checks, side by side so they can be audited at a glance
 * (notes §9.4). Each failed check throws a {@link HandoffError}, which breaks that withdraw's
 * answer and leaves the session running.
 * @module
 */
import { verify } from '../crypto/index.js';
import { bytesEqual } from '../syrup/index.js';
import type { CaptpSession } from '../captp/session.js';
import type { PeerLocator } from '../locator/types.js';
import { HandoffError, openEnvelope, parseGive, parseReceive, type HandoffGive, type HandoffReceive } from './certificates.js';

/** What the checks need to look up. */
export interface CheckContext {
  /** The active session with this SessionID, if any. */
  sessionById(id: Uint8Array): CaptpSession | undefined;
  /** Whether `loc` names this node. */
  isOwnLocation(loc: PeerLocator): boolean;
  /** Whether `count` was already used for (this E–R session, that G–E session). */
  countUsed(er: CaptpSession, ge: CaptpSession, count: bigint): boolean;
}

/** A withdraw that passed every check: the gift to hand over is (ge, give.giftId). */
export interface CheckedWithdraw {
  readonly ge: CaptpSession;
  readonly give: HandoffGive;
  readonly receive: HandoffReceive;
}

/**
 * Check a signed `desc:handoff-receive` that arrived as `withdraw-gift` on session `er` (E–R).
 * Does not mark the count used; the caller does that once every check has passed.
 */
export function checkWithdraw(ctx: CheckContext, er: CaptpSession, signedReceive: unknown): CheckedWithdraw {
  const fail = (why: string): never => {
    throw new HandoffError(`withdraw-gift refused: ${why}`);
  };
  const outer = openEnvelope(signedReceive as never);
  const receive = parseReceive(outer.signed);
  const inner = openEnvelope(receive.signedGive);
  const give = parseGive(inner.signed);

  // 1. The gifter–exporter session named by the give exists (and is live).
  const ge = ctx.sessionById(give.session) ?? fail('no live session with the gifter for that give');
  // 2. The give was signed by the gifter's key in that G–E session.
  if (!verify(give.record, inner.signature, ge.peerPublicKey!)) fail('the give signature does not verify under the gifter key');
  // 3. The gifter-side names that same key.
  if (!bytesEqual(give.gifterSide, ge.peerPublicId!)) fail('gifter-side does not match the gifter of that session');
  // 4. The give names us as the exporter.
  if (!ctx.isOwnLocation(give.exporterLocation)) fail('the give names another exporter');
  // 5. The receive was signed by the receiver the gifter designated (the give's receiver-key).
  if (!verify(receive.record, outer.signature, give.receiverKey)) fail('the receive signature does not verify under the give receiver-key');
  // 6. The receive was made for this E–R session ...
  if (!bytesEqual(receive.receivingSession, er.id!)) fail('receiving-session is not this session');
  // 7. ... by the peer on the other side of it.
  if (!bytesEqual(receive.receivingSide, er.peerPublicId!)) fail('receiving-side is not the peer of this session');
  // 8. The handoff count was never used for this (E–R, G–E) pair (notes §15: per pair, not per E–R).
  if (ctx.countUsed(er, ge, receive.handoffCount)) fail(`handoff-count ${receive.handoffCount} was already used`);
  return { ge, give, receive };
}
