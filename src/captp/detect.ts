/**
 * Choosing a peer's compatibility profile from what it sends (issue 10; notes §15; the
 * evidence table is in docs/captp.md "Choosing a profile from the wire"). A session under the
 * `'auto'` profile starts knowing nothing and learns, each once, three things: the peer's
 * fire-and-forget form (`op:deliver-only` or `op:deliver … f f`), its GC labels (singular or
 * plural), and its implementation (the suite, Goblins, Endo, ocapn-ts: errors and Struct key
 * order). Until the first is known it writes fire-and-forget in a form every implementation
 * reads ({@link sendUniversal}); until the second, it holds its GC messages.
 *
 * Evidence that contradicts what was learnt is counted and ignored: a hostile peer can at
 * most make us write forms it then fails to read, which only hurts its own session.
 * @module
 */
import { SyrupDict, SyrupRecord, SyrupSymbol, type SyrupValue } from '../syrup/types.js';
import { AUTO, ENDO, GOBLINS, OCAPN_TS, SUITE, SUITE_RDO, type CompatProfile } from './profile.js';
import { encodeDesc, encodeOp, type DecodedOp, type ImportDesc, type TargetDesc } from './ops.js';
import type { CaptpSession } from './session.js';
import { MUTUAL_PEER_AUTH_EXTENSION } from '../netlayers/interface.js';

/**
 * What a session under `'auto'` knows of its peer, as one word: the implementation when known
 * (`suite-main`/`suite-rdo` once the suite's fire-and-forget form is known too), `other` when
 * only some forms are known, `unidentified` when nothing is. See {@link ProfileDetector.forms}.
 */
export type Identification = 'unidentified' | 'other' | 'suite' | 'suite-main' | 'suite-rdo' | 'goblins' | 'endo' | 'ocapn-ts';

/** The implementation behind a peer, as far as the wire told us. */
export type Implementation = 'suite' | 'goblins' | 'endo' | 'ocapn-ts';

/** The forms the peer reads, each learnt once from the wire (`undefined`: not known yet). */
export interface PeerForms {
  /** Fire-and-forget: `op:deliver-only` (the suite's main branch) or `op:deliver … f f`. */
  deliver?: 'deliver-only' | 'deliver-ff';
  /** GC labels. */
  gc?: 'singular' | 'plural';
  /** The implementation (decides errors and Struct key order). */
  implementation?: Implementation;
}

/** GC positions held while the peer's GC labels are unknown, at most; past it we write the spec's (plural) labels. */
export const MAX_HELD_GC = 256;

/** Things found in one message's values. */
interface Found {
  importZero: boolean;
  descError1: boolean;
  descError2: boolean;
  exn: boolean;
  jsOrder: boolean;
}

/** Walk a message's values once (depth already bounded by the decoder). */
function scan(v: SyrupValue, found: Found): void {
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array || v instanceof SyrupSymbol) return;
  if (Array.isArray(v)) {
    for (const x of v) scan(x, found);
    return;
  }
  if (v instanceof SyrupDict) {
    if (v.order === 'js') found.jsOrder = true;
    for (const [k, x] of v.entries) {
      scan(k, found);
      scan(x, found);
    }
    return;
  }
  if (v instanceof SyrupRecord) {
    const name = v.labelName;
    if ((name === 'desc:import-object' || name === 'desc:import-promise') && v.fields.length === 1 && v.fields[0] === 0n) found.importZero = true;
    else if (name === 'desc:error') {
      if (v.fields.length === 1) found.descError1 = true;
      else if (v.fields.length === 2) found.descError2 = true;
    } else if (name?.startsWith('exn:')) found.exn = true;
    for (const x of v.fields) scan(x, found);
  }
}

/** The forms each implementation is known to read, where the implementation alone says. */
const KNOWN_FORMS: Record<Implementation, PeerForms> = {
  suite: { gc: 'singular' },
  goblins: { deliver: 'deliver-ff', gc: 'plural' },
  endo: {}, // HEAD: f f and plural; its suite-main and remove-op-deliver-only commits: singular
  'ocapn-ts': { deliver: 'deliver-ff', gc: 'plural' },
};

/** Profiles made so far, by their forms (a handful at most). */
const made = new Map<string, CompatProfile>();

/** The profile to write for `f`: a preset where one fits exactly. */
function profileFor(f: PeerForms): CompatProfile {
  const key = `${f.deliver}/${f.gc}/${f.implementation}`;
  let p = made.get(key);
  if (p) return p;
  const impl = f.implementation;
  if (impl === 'suite' && f.deliver === 'deliver-only') p = SUITE;
  else if (impl === 'suite' && f.deliver === 'deliver-ff') p = SUITE_RDO;
  else if (impl === 'goblins') p = GOBLINS;
  else if (impl === 'ocapn-ts') p = OCAPN_TS;
  else if (impl === 'endo' && f.deliver === 'deliver-ff' && f.gc === 'plural') p = ENDO;
  else {
    const base = impl === 'endo' ? ENDO : impl === 'suite' ? SUITE_RDO : AUTO;
    p = Object.freeze({
      ...base,
      name: impl === 'suite' ? 'suite' : base.name,
      deliverOnly: f.deliver === 'deliver-only',
      gcLabels: f.gc ?? 'plural',
    });
  }
  made.set(key, p);
  return p;
}

/** The designator Endo's tcp-testing-only netlayer takes when none is given (every Endo commit seen). */
const ENDO_DEFAULT_DESIGNATOR = '0000';

/**
 * The profile detector of one session. The session writes with {@link profile}; dispatch
 * calls {@link observe} with every message once the session is established. Each form is
 * learnt once: later evidence against it is counted in {@link conflicts} and ignored.
 */
export class ProfileDetector {
  /** What is known so far. */
  readonly forms: PeerForms = {};
  /** Pieces of evidence that contradicted what was already learnt (ignored). */
  conflicts = 0;
  /** The profile we last set on the session: if someone else sets another, we stop. */
  private current: CompatProfile = AUTO;
  /** Whether the first question from the peer has been seen. */
  private sawQuestion = false;

  /** The profile to write now. */
  get profile(): CompatProfile {
    return this.current;
  }

  /** What we know, as one word (see {@link Identification}). */
  get identified(): Identification {
    const { deliver, gc, implementation } = this.forms;
    if (implementation === 'suite') return deliver === 'deliver-only' ? 'suite-main' : deliver === 'deliver-ff' ? 'suite-rdo' : 'suite';
    if (implementation !== undefined) return implementation;
    return deliver !== undefined || gc !== undefined ? 'other' : 'unidentified';
  }

  /** Whether this detector still drives `s` (false once the node set a fixed profile). */
  active(s: CaptpSession): boolean {
    return s.profile === this.current;
  }

  /** Learn `forms` (each only if not known yet), then update the session's profile. */
  private learn(s: CaptpSession, forms: PeerForms): void {
    const f = this.forms;
    let changed = false;
    for (const key of ['implementation', 'deliver', 'gc'] as const) {
      const v = forms[key];
      if (v === undefined) continue;
      if (f[key] === undefined) {
        (f as Record<string, string>)[key] = v;
        changed = true;
        if (key === 'implementation') for (const [k, known] of Object.entries(KNOWN_FORMS[v as Implementation])) if ((f as Record<string, unknown>)[k] === undefined) (f as Record<string, unknown>)[k] = known;
      } else if (f[key] !== v) this.conflicts++;
    }
    if (!changed) return;
    this.current = profileFor(f);
    s.profile = this.current;
    if (f.gc !== undefined) s.gc.flush();
  }

  /**
   * Whether fire-and-forget messages must take the form every implementation accepts (the
   * peer may read only `op:deliver-only`, or only `op:deliver … f f`): see {@link sendUniversal}.
   */
  get universalDelivery(): boolean {
    return this.forms.deliver === undefined;
  }

  /** Whether outgoing GC must wait (labels unknown) while `held` positions are queued. */
  holdGc(held: number): boolean {
    return this.forms.gc === undefined && held < MAX_HELD_GC;
  }

  /** Evidence from the connection and the peer's op:start-session, once the session is established. */
  established(s: CaptpSession): void {
    if (!this.active(s)) return;
    const conn = s.connection;
    const loc = s.peerLocation;
    // Only ocapn-ts clients prove their key on an incoming connection (WebSocket
    // x-ocapn-peer-auth). The in-process memory netlayer proves both ends for anyone, so it
    // says nothing (tests drive it with hand-written peers).
    // Likewise, only an ocapn-ts server offers that mutual proof to a client that asks for it
    // (`peerExtensions`, either direction; a hint, which a lying peer can only use against itself).
    if (loc?.transport !== 'memory' && ((!conn.outgoing && conn.provenDesignator !== undefined) || conn.peerExtensions?.includes(MUTUAL_PEER_AUTH_EXTENSION))) this.learn(s, { implementation: 'ocapn-ts' });
    else if (loc?.transport === 'tcp-testing-only' && loc.designator === ENDO_DEFAULT_DESIGNATOR) this.learn(s, { implementation: 'endo' });
  }

  /** Evidence from one incoming message (`m` decoded from `message`). */
  observe(s: CaptpSession, m: DecodedOp, message: SyrupValue): void {
    if (!this.active(s)) return;
    const f = this.forms;
    if (f.implementation !== undefined && f.deliver !== undefined && f.gc !== undefined) return; // nothing left to learn
    const label = m.wireLabel;
    if (label === 'op:deliver-only') this.learn(s, { deliver: 'deliver-only' });
    else if (label === 'op:gc-export' || label === 'op:gc-answer') this.learn(s, { gc: 'singular' });
    else if (label === 'op:gc-exports' || label === 'op:gc-answers') this.learn(s, { gc: 'plural' });
    const found: Found = { importZero: false, descError1: false, descError2: false, exn: false, jsOrder: false };
    scan(message, found);
    if (found.exn) this.learn(s, { implementation: 'goblins' });
    if (found.descError2) this.learn(s, { implementation: 'ocapn-ts' });
    if (found.jsOrder) this.learn(s, { implementation: 'endo' });
    if (found.importZero) this.learn(s, { implementation: 'suite' });
    if (m.op === 'op:deliver') this.deliver(s, m);
    else if (m.op === 'op:listen') this.question(s, m.listener as ImportDesc);
    // A one-field desc:error: Endo (the suite writes it too, but then it said so already).
    if (found.descError1) this.learn(s, { implementation: 'endo' });
  }

  private deliver(s: CaptpSession, m: DecodedOp): void {
    const resolver = m.resolveMe as ImportDesc | false;
    if (m.answerPos === false && resolver === false) return this.learn(s, this.specForms());
    // Only ocapn-ts writes a fulfil or break to a resolver with an answer position (sendUniversal).
    const args = m.args;
    const to = m.to as TargetDesc;
    if (m.answerPos !== false && resolver !== false && Array.isArray(args) && args.length === 2 && args[0] instanceof SyrupSymbol && (args[0].name === 'fulfill' || args[0].name === 'break') && to.kind === 'export' && to.pos !== 0) {
      return this.learn(s, { implementation: 'ocapn-ts' });
    }
    if (resolver === false) return;
    // The suite asks for no answer position.
    if (m.answerPos === false) {
      this.sawQuestion = true;
      return this.learn(s, { implementation: 'suite' });
    }
    this.question(s, resolver);
  }

  /**
   * A question (a resolver to answer). The suite numbers its exports from 0; Goblins, Endo
   * and ocapn-ts from 1 and read `op:deliver … f f`, except Endo's commits made for the
   * suite's main branch: so a first question with a resolver at 1 or more from a peer not
   * known as the suite or Endo tells {@link specForms}.
   */
  private question(s: CaptpSession, resolver: ImportDesc): void {
    const first = !this.sawQuestion;
    this.sawQuestion = true;
    if (resolver.pos === 0) return this.learn(s, { implementation: 'suite' });
    if (first && this.forms.deliver === undefined && this.forms.implementation === undefined) this.learn(s, this.specForms());
  }

  /**
   * Spec fire-and-forget from a peer (or its first question): `op:deliver … f f`, and, unless
   * the peer is known as the suite or Endo (whose commits differ), plural GC labels: what
   * Goblins, Endo HEAD and ocapn-ts read.
   */
  private specForms(): PeerForms {
    const impl = this.forms.implementation;
    return impl === undefined || impl === 'goblins' || impl === 'ocapn-ts' ? { deliver: 'deliver-ff', gc: 'plural' } : { deliver: 'deliver-ff' };
  }
}

/** A Target that ignores every message: where answers to {@link sendUniversal} go. */
const SINK = Object.freeze(() => undefined);

/**
 * Fire-and-forget in the form every implementation reads: `<op:deliver to args N <sink>>`
 * with a fresh answer position N (released at once with op:gc-answers) and a resolver that
 * ignores what it gets. The suite's main branch cannot decode `op:deliver … f f`, its
 * remove-op-deliver-only branch and Goblins cannot read `op:deliver-only`; all read this.
 * @returns the bytes sent.
 */
export function sendUniversal(s: CaptpSession, to: TargetDesc, encodedArgs: SyrupValue): number {
  const pos = s.nextAnswerPos++;
  const sink = s.encodeValue(SINK);
  const bytes = s.send(encodeOp('op:deliver', { to: encodeDesc(to.kind, to.pos), args: encodedArgs, answerPos: BigInt(pos), resolveMe: sink }));
  s.gc.answer(pos);
  return bytes;
}
