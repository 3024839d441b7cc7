/**
 * The bootstrap object every session exports at position 0 (notes §7): `fetch`,
 * `deposit-gift` and `withdraw-gift`.
 * @module
 */
import type { CaptpSession } from '../captp/session.js';
import type { OcapnNode } from './node.js';

/** Make the bootstrap object of `session`. Its methods are named by Selectors on the wire. */
export function makeBootstrap(node: OcapnNode, session: CaptpSession): object {
  return Object.freeze({
    /** `['fetch swiss]` → the object registered under that swiss number, or a break. */
    fetch: (swiss: unknown) => node.fetchLocal(swiss as Uint8Array),
    /** `['deposit-gift gift-id ref]` (fire-and-forget) from a gifter on this session. */
    'deposit-gift': (giftId: unknown, ref: unknown) => node.handoff.deposit(session, giftId, ref),
    /** `['withdraw-gift <signed handoff-receive>]` from a receiver on this session. */
    'withdraw-gift': (signedReceive: unknown) => node.handoff.withdraw(session, signedReceive),
  });
}
