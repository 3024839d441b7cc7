/**
 * Third-party handoffs (notes §9): the gifter deposits and gives, the receiver withdraws, the
 * exporter checks and hands over. Every table is bounded.
 * @module
 */
import { randomBytes, publicKeyToSyrup, signatureToSyrup } from '../crypto/index.js';
import { peerLocatorToSyrup } from '../locator/index.js';
import { ModelError, SigEnvelope } from '../model/index.js';
import { SyrupRecord, type SyrupValue } from '../syrup/types.js';
import { E, HandledPromise } from '../captp/eventual-send.js';
import { label } from '../captp/ops.js';
import { bytesEqual } from '../syrup/index.js';
import { toHex } from '../syrup/bytes.js';
import type { RefInfo } from '../captp/refs.js';
import type { CaptpSession } from '../captp/session.js';
import type { SessionClosedError } from '../captp/errors.js';
import type { PeerLocator } from '../locator/types.js';
import { HandoffError, makeGive, makeReceive, openEnvelope, parseGive } from './certificates.js';
import { checkWithdraw } from './checks.js';

/** Limits of the handoff tables (per node). */
export interface HandoffOptions {
  /** Gifts deposited and not yet withdrawn, per gifter session. Default 10,000. */
  readonly maxGiftsPerSession: number;
  /** Withdrawals waiting for their deposit, per gifter session. Default 1,000. */
  readonly maxPendingWithdrawals: number;
  /** Used handoff counts remembered per (E–R, G–E) pair. Default 100,000. */
  readonly maxUsedCounts: number;
  /** Receiver: gives from one gifter session being withdrawn at once (each may dial). Default 1,000. */
  readonly maxPendingHandoffs: number;
}

export const DEFAULT_HANDOFF_OPTIONS: HandoffOptions = Object.freeze({
  maxGiftsPerSession: 10_000,
  maxPendingWithdrawals: 1_000,
  maxUsedCounts: 100_000,
  maxPendingHandoffs: 1_000,
});

/** What the handoff layer needs from the node above it. */
export interface HandoffHost {
  connect(peer: PeerLocator): Promise<CaptpSession>;
  sessionById(id: Uint8Array): CaptpSession | undefined;
  isOwnLocation(loc: PeerLocator): boolean;
}

interface Waiter {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface GifterState {
  gifts: Map<string, unknown>;
  waiting: Map<string, Waiter>;
  /** Gift ids already handed over (a gift is withdrawn at most once); oldest forgotten first. */
  withdrawn: Set<string>;
}

export class HandoffManager {
  private readonly options: HandoffOptions;
  /** Exporter: per G–E session, deposited gifts and withdrawals waiting for their deposit. */
  private readonly byGifter = new WeakMap<CaptpSession, GifterState>();
  /** Exporter: per E–R session, per G–E session id, the handoff counts used. */
  private readonly used = new WeakMap<CaptpSession, WeakMap<CaptpSession, Set<bigint>>>();
  /** Exporter: per E–R session, how to cancel its withdrawals still waiting for a deposit. */
  private readonly waitingOf = new WeakMap<CaptpSession, Set<() => void>>();
  /** Receiver: next handoff count per E–R session (rises from 0; notes §15). */
  private readonly nextCount = new WeakMap<CaptpSession, bigint>();
  /** Receiver: gives being withdrawn, per gifter session (G–R). */
  private readonly pendingHandoffs = new WeakMap<CaptpSession, number>();

  constructor(private readonly host: HandoffHost, options?: Partial<HandoffOptions>) {
    const o: Record<string, number> = { ...DEFAULT_HANDOFF_OPTIONS };
    for (const [k, v] of Object.entries(options ?? {})) {
      if (!Object.hasOwn(DEFAULT_HANDOFF_OPTIONS, k)) throw new TypeError(`unknown handoff option "${k}"`);
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new RangeError(`handoff option ${k} must be a positive integer`);
      o[k] = v;
    }
    this.options = Object.freeze(o) as unknown as HandoffOptions;
  }

  // ---- Gifter (G): a reference imported from G–E is being sent to R on G–R (notes §9.2) ----

  /** Replace `ref` (imported from another session) by a signed give, after depositing it. */
  encodeForeign(gr: CaptpSession, ref: object, info: RefInfo): SyrupValue | undefined {
    const ge = info.session as CaptpSession;
    if (!ge.isActive || !gr.isActive || !ge.id || !gr.peerPublicKey) return undefined;
    const giftId = randomBytes(32);
    ge.sendOnly({ kind: 'export', pos: 0 }, [label('deposit-gift'), giftId, ref]);
    const give = makeGive({
      receiverKey: publicKeyToSyrup(gr.peerPublicKey),
      exporterLocation: peerLocatorToSyrup(ge.peerLocation!),
      session: ge.id,
      gifterSide: ge.ourPublicId,
      giftId,
    });
    return new SigEnvelope(give, signatureToSyrup(ge.sign(give))).toSyrup();
  }

  // ---- Receiver (R): a signed give arrived on G–R (notes §9.3) ----

  /** Decode a `desc:sig-envelope` found in a value on session `s`. */
  decodeSigEnvelope(s: CaptpSession, env: SyrupRecord): unknown {
    let opened;
    try {
      opened = openEnvelope(env);
    } catch (e) {
      throw new ModelError((e as Error).message);
    }
    // A signed receive travels as withdraw-gift's argument: hand it to the bootstrap as is.
    if (opened.signed.labelName === 'desc:handoff-receive') return opened.envelope;
    if (opened.signed.labelName !== 'desc:handoff-give') throw new ModelError(`unexpected signed <${opened.signed.labelName}>`);
    return this.receiveGive(s, opened.envelope, opened.signed);
  }

  private receiveGive(gr: CaptpSession, envelope: SigEnvelope, signed: SyrupRecord): Promise<unknown> {
    let settle!: { resolve: (v: unknown) => void; reject: (e: unknown) => void };
    const p: Promise<unknown> = new HandledPromise((resolve: (v: unknown) => void, reject: (e: unknown) => void) => {
      settle = { resolve, reject };
    });
    p.catch(() => {});
    const inFlight = this.pendingHandoffs.get(gr) ?? 0;
    if (inFlight >= this.options.maxPendingHandoffs) {
      settle.reject(new HandoffError(`too many handoffs in progress from this gifter (limit ${this.options.maxPendingHandoffs})`));
      return p;
    }
    this.pendingHandoffs.set(gr, inFlight + 1);
    const done = () => this.pendingHandoffs.set(gr, (this.pendingHandoffs.get(gr) ?? 1) - 1);
    p.then(done, done);
    const run = async (): Promise<void> => {
      const give = parseGive(signed);
      if (!bytesEqual(give.receiverKey, gr.publicKey)) throw new HandoffError('this give is addressed to another receiver');
      if (this.host.isOwnLocation(give.exporterLocation)) throw new HandoffError('a give naming this node as its exporter');
      const er = await this.host.connect(give.exporterLocation);
      const count = this.nextCount.get(er) ?? 0n;
      this.nextCount.set(er, count + 1n);
      const receive = makeReceive({ receivingSession: er.id!, receivingSide: er.ourPublicId, handoffCount: count, signedGive: envelope });
      const signedReceive = new SigEnvelope(receive, signatureToSyrup(gr.sign(receive)));
      // Resolve with the answer promise itself, so messages queued on the gift pipeline onto it.
      settle.resolve((E(er.peerBootstrap()) as Record<string, (...a: unknown[]) => Promise<unknown>>)['withdraw-gift'](signedReceive));
    };
    run().catch(settle.reject);
    return p;
  }

  // ---- Exporter (E) (notes §9.4) ----

  private gifter(ge: CaptpSession): GifterState {
    let st = this.byGifter.get(ge);
    if (!st) this.byGifter.set(ge, (st = { gifts: new Map(), waiting: new Map(), withdrawn: new Set() }));
    return st;
  }

  /** `deposit-gift` on G–E: store the gift, or hand it to a withdrawal already waiting. */
  deposit(ge: CaptpSession, giftId: unknown, ref: unknown): void {
    if (!(giftId instanceof Uint8Array)) throw new TypeError('deposit-gift: gift-id must be a ByteArray');
    const st = this.gifter(ge);
    const key = toHex(giftId);
    const waiter = st.waiting.get(key);
    if (waiter) {
      st.waiting.delete(key);
      this.markWithdrawn(st, key);
      waiter.resolve(ref);
      return;
    }
    if (st.withdrawn.has(key)) throw new HandoffError('deposit-gift: that gift-id was already withdrawn');
    if (st.gifts.has(key)) throw new HandoffError('deposit-gift: that gift-id is already deposited');
    if (st.gifts.size >= this.options.maxGiftsPerSession) throw new HandoffError(`deposit-gift: gift table full (limit ${this.options.maxGiftsPerSession})`);
    st.gifts.set(key, ref);
  }

  /** `withdraw-gift` on E–R: check everything, then hand over the gift (at most once). */
  withdraw(er: CaptpSession, signedReceive: unknown): unknown {
    if (!(signedReceive instanceof SigEnvelope)) throw new HandoffError('withdraw-gift takes a signed handoff-receive');
    const { ge, give, receive } = checkWithdraw(
      {
        sessionById: (id) => this.host.sessionById(id),
        isOwnLocation: (loc) => this.host.isOwnLocation(loc),
        countUsed: (e, g, c) => this.usedSet(e, g).has(c),
      },
      er,
      signedReceive,
    );
    const used = this.usedSet(er, ge);
    if (used.size >= this.options.maxUsedCounts) throw new HandoffError('withdraw-gift refused: too many handoffs on this session pair');
    used.add(receive.handoffCount);
    const st = this.gifter(ge);
    const key = toHex(give.giftId);
    if (st.gifts.has(key)) {
      const gift = st.gifts.get(key);
      st.gifts.delete(key);
      this.markWithdrawn(st, key);
      return gift;
    }
    // Without this, a second withdraw of a handed-over gift would wait for a deposit forever.
    if (st.withdrawn.has(key)) throw new HandoffError('withdraw-gift refused: that gift was already withdrawn');
    if (st.waiting.has(key)) throw new HandoffError('withdraw-gift refused: that gift is already being withdrawn');
    if (st.waiting.size >= this.options.maxPendingWithdrawals) throw new HandoffError('withdraw-gift refused: too many withdrawals waiting');
    return new Promise((resolve, reject) => {
      // If the receiver leaves first, free the slot (the gift stays for a later withdraw).
      let cancels = this.waitingOf.get(er);
      if (!cancels) this.waitingOf.set(er, (cancels = new Set()));
      const cancel = () => {
        if (st.waiting.get(key)?.reject !== settleReject) return;
        st.waiting.delete(key);
        reject(new HandoffError('withdraw-gift abandoned: the receiver session ended'));
      };
      const settleReject = (e: unknown) => {
        cancels!.delete(cancel);
        reject(e);
      };
      cancels.add(cancel);
      st.waiting.set(key, {
        resolve: (v) => {
          cancels!.delete(cancel);
          resolve(v);
        },
        reject: settleReject,
      });
    });
  }

  /** Remember that `key` was handed over; bounded by maxGiftsPerSession (oldest forgotten). */
  private markWithdrawn(st: GifterState, key: string): void {
    st.withdrawn.add(key);
    if (st.withdrawn.size > this.options.maxGiftsPerSession) st.withdrawn.delete(st.withdrawn.values().next().value!);
  }

  private usedSet(er: CaptpSession, ge: CaptpSession): Set<bigint> {
    let m = this.used.get(er);
    if (!m) this.used.set(er, (m = new WeakMap()));
    let set = m.get(ge);
    if (!set) m.set(ge, (set = new Set()));
    return set;
  }

  /** A session ended: gifts deposited on it are gone, withdrawals waiting for it break. */
  sessionClosed(s: CaptpSession, err: SessionClosedError): void {
    for (const cancel of this.waitingOf.get(s) ?? []) cancel();
    this.waitingOf.delete(s);
    const st = this.byGifter.get(s);
    if (!st) return;
    for (const w of st.waiting.values()) w.reject(new HandoffError(`gift will never arrive: ${err.message}`));
    st.waiting.clear();
    st.gifts.clear();
  }
}
