/**
 * Third-party handoffs (notes §9): the gifter deposits and gives, the receiver withdraws, the
 * exporter checks and hands over. Every table is bounded, and the dials a give can cause pass
 * a dial policy and two budgets.
 * @module
 */
import { randomBytes, verify } from '../crypto/index.js';
import { locatorKey, peerLocatorToSyrup } from '../locator/index.js';
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
import { allowAnyPeer, type DialPolicy } from './dial-policy.js';

/** Limits and policy of the handoff layer (per node). */
export interface HandoffOptions {
  /** Exporter: gifts deposited and not yet withdrawn, per gifter session. Default 10,000. */
  readonly maxGiftsPerSession: number;
  /** Exporter: withdrawals waiting for their deposit, per gifter session. Default 1,000. */
  readonly maxPendingWithdrawals: number;
  /** Exporter: longest gift id accepted by deposit-gift and withdraw-gift, in bytes. Default 256 (ours are 32). */
  readonly maxGiftIdBytes: number;
  /** Receiver: gives from one gifter session being handed off at once (until the exporter answers). Default 1,000. */
  readonly maxGivesInFlight: number;
  /**
   * Receiver: exporters that one gifter session's gives are making us dial at once. Gives naming
   * an exporter we have an active session with, or one already being dialled for that gifter,
   * take no further slot. Default 16.
   */
  readonly maxPendingHandoffs: number;
  /** Receiver: exporters being dialled for gives at once, over the whole node. Default 256. */
  readonly maxHandoffDials: number;
  /**
   * Receiver: whether a give may make us dial its exporter (consulted only when there is no
   * active session to reuse). Default {@link allowAnyPeer}; see {@link refusePrivateAddresses}.
   */
  readonly dialPolicy: DialPolicy;
  /**
   * @deprecated No effect. Handoff counts are now checked against a high-water mark per
   * (E–R, G–E) session pair, which takes constant memory, so there is nothing to bound.
   * Still accepted (a positive integer) so existing options keep working.
   */
  readonly maxUsedCounts?: number | undefined;
}

export const DEFAULT_HANDOFF_OPTIONS: HandoffOptions = Object.freeze({
  maxGiftsPerSession: 10_000,
  maxPendingWithdrawals: 1_000,
  maxGiftIdBytes: 256,
  maxGivesInFlight: 1_000,
  maxPendingHandoffs: 16,
  maxHandoffDials: 256,
  dialPolicy: allowAnyPeer,
});

/** Options accepted for compatibility and ignored. */
const DEPRECATED_OPTIONS = new Set(['maxUsedCounts']);

/** What the handoff layer needs from the node above it. */
export interface HandoffHost {
  /** The session with `peer`: an active one, one being set up, or a new one (a dial). */
  connect(peer: PeerLocator): Promise<CaptpSession>;
  /** The active session with `peer`, if any, without dialling. When given, reusing it is not counted as a dial. */
  sessionWith?(peer: PeerLocator): CaptpSession | undefined;
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
  /** Exporter: per E–R session, per G–E session, the highest handoff count accepted. */
  private readonly lastCounts = new WeakMap<CaptpSession, WeakMap<CaptpSession, bigint>>();
  /** Exporter: per E–R session, how to cancel its withdrawals still waiting for a deposit. */
  private readonly waitingOf = new WeakMap<CaptpSession, Set<() => void>>();
  /** Receiver: next handoff count per E–R session (rises from 0; notes §15). */
  private readonly nextCount = new WeakMap<CaptpSession, bigint>();
  /** Receiver: gives being handed off, per gifter session (G–R). */
  private readonly givesInFlight = new WeakMap<CaptpSession, number>();
  /** Receiver: per gifter session, the exporters its gives are making us dial (locator key → gives waiting). */
  private readonly dialsFor = new WeakMap<CaptpSession, Map<string, number>>();
  /** Receiver: every exporter being dialled for gives (locator key → gives waiting). */
  private readonly dials = new Map<string, number>();

  /**
   * @throws TypeError for an unknown option or a `dialPolicy` that is not a function;
   *   RangeError for a limit that is not a positive integer.
   */
  constructor(private readonly host: HandoffHost, options?: Partial<HandoffOptions>) {
    const o: Record<string, unknown> = { ...DEFAULT_HANDOFF_OPTIONS };
    for (const [k, v] of Object.entries(options ?? {})) {
      if (!Object.hasOwn(DEFAULT_HANDOFF_OPTIONS, k) && !DEPRECATED_OPTIONS.has(k)) throw new TypeError(`unknown handoff option "${k}"`);
      if (v === undefined) continue;
      if (k === 'dialPolicy') {
        if (typeof v !== 'function') throw new TypeError('handoff option dialPolicy must be a function');
      } else if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
        throw new RangeError(`handoff option ${k} must be a positive integer`);
      }
      if (!DEPRECATED_OPTIONS.has(k)) o[k] = v;
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
      receiverKey: ge.crypto.publicKeyToWire(gr.peerPublicKey),
      exporterLocation: peerLocatorToSyrup(ge.peerLocation!),
      session: ge.id,
      gifterSide: ge.ourPublicId,
      giftId,
    });
    return new SigEnvelope(give, ge.crypto.signatureToWire(ge.sign(give))).toSyrup();
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
    const inFlight = this.givesInFlight.get(gr) ?? 0;
    if (inFlight >= this.options.maxGivesInFlight) {
      settle.reject(new HandoffError(`too many handoffs in progress from this gifter (limit ${this.options.maxGivesInFlight})`));
      return p;
    }
    this.givesInFlight.set(gr, inFlight + 1);
    const done = () => this.givesInFlight.set(gr, (this.givesInFlight.get(gr) ?? 1) - 1);
    p.then(done, done);
    const run = async (): Promise<void> => {
      // Start nothing while the message carrying this give is still being checked: if it is
      // refused, the gifter session has ended by the next microtask and no dial happens.
      await Promise.resolve();
      if (!gr.isActive) throw new HandoffError('the gifter session ended before this handoff began');
      const give = parseGive(signed);
      if (!bytesEqual(give.receiverKey, gr.publicKey)) throw new HandoffError('this give is addressed to another receiver');
      if (this.host.isOwnLocation(give.exporterLocation)) throw new HandoffError('a give naming this node as its exporter');
      const er = this.host.sessionWith?.(give.exporterLocation) ?? (await this.dial(gr, give.exporterLocation));
      const count = this.nextCount.get(er) ?? 0n;
      this.nextCount.set(er, count + 1n);
      const receive = makeReceive({ receivingSession: er.id!, receivingSide: er.ourPublicId, handoffCount: count, signedGive: envelope });
      const signedReceive = new SigEnvelope(receive, er.crypto.signatureToWire(gr.sign(receive)));
      // Resolve with the answer promise itself, so messages queued on the gift pipeline onto it.
      settle.resolve((E(er.peerBootstrap()) as Record<string, (...a: unknown[]) => Promise<unknown>>)['withdraw-gift'](signedReceive));
    };
    run().catch(settle.reject);
    return p;
  }

  /**
   * Dial `exporter` for a give from gifter session `gr`, if the dial policy and the dial budgets
   * (per gifter: maxPendingHandoffs; per node: maxHandoffDials) allow it.
   */
  private async dial(gr: CaptpSession, exporter: PeerLocator): Promise<CaptpSession> {
    let verdict: unknown;
    try {
      verdict = this.options.dialPolicy(exporter, { reason: 'handoff', from: gr.peerLocation! });
    } catch (e) {
      verdict = `the dial policy threw: ${(e as Error)?.message ?? String(e)}`;
    }
    if (verdict !== true) throw new HandoffError(`the dial policy refuses the exporter: ${typeof verdict === 'string' ? verdict : 'not allowed'}`);
    const key = locatorKey(exporter);
    let mine = this.dialsFor.get(gr);
    if (!mine) this.dialsFor.set(gr, (mine = new Map()));
    if (!mine.has(key) && mine.size >= this.options.maxPendingHandoffs) {
      throw new HandoffError(`too many handoff dials in progress for this gifter (limit ${this.options.maxPendingHandoffs})`);
    }
    if (!this.dials.has(key) && this.dials.size >= this.options.maxHandoffDials) {
      throw new HandoffError(`too many handoff dials in progress on this node (limit ${this.options.maxHandoffDials})`);
    }
    const held = [mine, this.dials];
    for (const m of held) m.set(key, (m.get(key) ?? 0) + 1);
    try {
      return await this.host.connect(exporter);
    } finally {
      for (const m of held) {
        const n = m.get(key)! - 1;
        if (n === 0) m.delete(key);
        else m.set(key, n);
      }
    }
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
    if (giftId.length > this.options.maxGiftIdBytes) {
      throw new HandoffError(`deposit-gift refused: gift-id of ${giftId.length} bytes is longer than the limit (${this.options.maxGiftIdBytes})`);
    }
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
        lastCount: (e, g) => this.lastCounts.get(e)?.get(g),
        maxGiftIdBytes: this.options.maxGiftIdBytes,
        verify,
      },
      er,
      signedReceive,
    );
    let last = this.lastCounts.get(er);
    if (!last) this.lastCounts.set(er, (last = new WeakMap()));
    last.set(ge, receive.handoffCount);
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
