/**
 * Choosing a peer's compatibility profile from what it sends (issue 10; notes §15; the
 * evidence table is in docs/captp.md "Choosing a profile from the wire"). A session under the
 * `'auto'` profile starts unidentified and narrows:
 *
 * ```
 * unidentified ─┬─ suite ──┬─ suite-main   (op:deliver-only)
 *               │          └─ suite-rdo    (op:deliver … f f)
 *               └─ other ──┬─ goblins      (<exn:…> records)
 *                          ├─ endo         (JS key order, one-field desc:error)
 *                          └─ ocapn-ts     (two-field desc:error, mutual peer-auth, memory)
 * ```
 *
 * Evidence that contradicts a decision already taken is counted and ignored: a hostile peer
 * can at most make us write forms it then fails to read, which only hurts its own session.
 * @module
 */
import { SyrupDict, SyrupRecord, SyrupSymbol, type SyrupValue } from '../syrup/types.js';
import { AUTO, ENDO, GOBLINS, OCAPN_TS, SUITE, SUITE_RDO, type CompatProfile } from './profile.js';
import { encodeDesc, encodeOp, type DecodedOp, type ImportDesc, type TargetDesc } from './ops.js';
import type { CaptpSession } from './session.js';

/** What a session under `'auto'` knows of its peer. */
export type Identification = 'unidentified' | 'suite' | 'other' | 'suite-main' | 'suite-rdo' | 'goblins' | 'endo' | 'ocapn-ts';

/** The parent of each identification (narrowing only ever goes down this tree). */
const PARENT: Record<Identification, Identification | undefined> = {
  unidentified: undefined,
  suite: 'unidentified',
  other: 'unidentified',
  'suite-main': 'suite',
  'suite-rdo': 'suite',
  goblins: 'other',
  endo: 'other',
  'ocapn-ts': 'other',
};

/** The suite, branch not known yet: its forms except fire-and-forget (see {@link ProfileDetector.universalDelivery}). */
const SUITE_FAMILY: CompatProfile = Object.freeze({ ...SUITE_RDO, name: 'suite' });
/** Not the suite, implementation not known yet: spec fire-and-forget and GC labels, String errors. */
const OTHER: CompatProfile = Object.freeze({ ...AUTO, name: 'auto' });

/** What we write for each identification. */
const WRITE: Record<Identification, CompatProfile> = {
  unidentified: AUTO,
  suite: SUITE_FAMILY,
  other: OTHER,
  'suite-main': SUITE,
  'suite-rdo': SUITE_RDO,
  goblins: GOBLINS,
  endo: ENDO,
  'ocapn-ts': OCAPN_TS,
};

/** GC positions held while the peer's GC labels are unknown, at most; past it we write the spec's (plural) labels. */
export const MAX_HELD_GC = 256;

/** Does `id` lie at or below `ancestor` in the tree? */
function within(id: Identification, ancestor: Identification): boolean {
  for (let x: Identification | undefined = id; x !== undefined; x = PARENT[x]) if (x === ancestor) return true;
  return false;
}

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

/**
 * The profile detector of one session. The session writes with {@link profile}; dispatch
 * calls {@link observe} with every message once the session is established.
 */
export class ProfileDetector {
  /** What we know of the peer. */
  identified: Identification = 'unidentified';
  /** Pieces of evidence that contradicted what was already decided (ignored). */
  conflicts = 0;
  /** Whether the peer's GC labels are known (GC is held until then, see {@link holdGc}). */
  private gcKnown = false;
  /** The profile we last set on the session: if someone else sets another, we stop. */
  private current: CompatProfile = AUTO;
  /** Whether the first question from the peer has been seen. */
  private sawQuestion = false;

  /** The profile to write now. */
  get profile(): CompatProfile {
    return this.current;
  }

  /** Whether this detector still drives `s` (false once the node set a fixed profile). */
  active(s: CaptpSession): boolean {
    return s.profile === this.current;
  }

  /** Narrow to `to` if it lies below what we know; count a conflict otherwise. */
  private narrow(s: CaptpSession, to: Identification): void {
    if (to === this.identified || within(this.identified, to)) return; // nothing new
    if (!within(to, this.identified)) {
      this.conflicts++;
      return;
    }
    this.identified = to;
    this.current = WRITE[to];
    s.profile = this.current;
    if (within(to, 'suite') || to === 'other' || within(to, 'other')) this.learnGc(s);
  }

  private learnGc(s: CaptpSession): void {
    if (this.gcKnown) return;
    this.gcKnown = true;
    s.gc.flush();
  }

  /**
   * Whether fire-and-forget messages must take the form every implementation accepts (the
   * peer may be the suite's main branch, which reads only `op:deliver-only`, or another
   * implementation, which reads only `op:deliver … f f`): see {@link sendUniversal}.
   */
  get universalDelivery(): boolean {
    return this.identified === 'unidentified' || this.identified === 'suite';
  }

  /** Whether outgoing GC must wait (labels unknown) while `held` positions are queued. */
  holdGc(held: number): boolean {
    return !this.gcKnown && held < MAX_HELD_GC;
  }

  /** Evidence from the connection, once the session is established. */
  established(s: CaptpSession): void {
    if (!this.active(s)) return;
    const conn = s.connection;
    // Only ocapn-ts clients prove their key on an incoming connection (WebSocket
    // x-ocapn-peer-auth). The in-process memory netlayer proves both ends for anyone, so it
    // says nothing (tests drive it with hand-written peers).
    if (!conn.outgoing && conn.provenDesignator !== undefined && s.peerLocation?.transport !== 'memory') this.narrow(s, 'ocapn-ts');
  }

  /** Evidence from one incoming message (`m` decoded from `message`). */
  observe(s: CaptpSession, m: DecodedOp, message: SyrupValue): void {
    if (!this.active(s)) return;
    const leaf = this.identified !== 'unidentified' && this.identified !== 'suite' && this.identified !== 'other';
    if (leaf) return;
    const label = m.wireLabel;
    if (label === 'op:deliver-only') return this.narrow(s, 'suite-main');
    if (label === 'op:gc-export' || label === 'op:gc-answer') return this.narrow(s, 'suite');
    if (label === 'op:gc-exports' || label === 'op:gc-answers') this.narrow(s, 'other');
    const found: Found = { importZero: false, descError1: false, descError2: false, exn: false, jsOrder: false };
    scan(message, found);
    if (found.jsOrder) this.narrow(s, 'endo');
    if (found.exn) this.narrow(s, 'goblins');
    if (found.descError2) this.narrow(s, 'ocapn-ts');
    if (m.op === 'op:deliver') this.deliver(s, m, found);
    else if (m.op === 'op:listen') this.question(s, m.listener as ImportDesc, found);
    // A one-field desc:error: Endo, unless the peer is the suite (which also writes it).
    if (found.descError1 && !within(this.identified, 'suite')) this.narrow(s, 'endo');
  }

  private deliver(s: CaptpSession, m: DecodedOp, found: Found): void {
    const resolver = m.resolveMe as ImportDesc | false;
    if (m.answerPos === false && resolver === false) {
      // `op:deliver … f f`: spec form, so not the suite's main branch.
      this.narrow(s, within(this.identified, 'suite') || found.importZero ? 'suite-rdo' : 'other');
      return;
    }
    // Only ocapn-ts writes a fulfil or break to a resolver with an answer position (sendUniversal).
    const args = m.args;
    if (m.answerPos !== false && resolver !== false && Array.isArray(args) && args.length === 2 && args[0] instanceof SyrupSymbol && (args[0].name === 'fulfill' || args[0].name === 'break') && (m.to as TargetDesc).kind === 'export' && (m.to as TargetDesc).pos !== 0) {
      if (!within(this.identified, 'suite')) this.narrow(s, 'ocapn-ts');
    }
    if (resolver !== false) {
      // The suite asks for no answer position, and numbers its exports from 0.
      if (m.answerPos === false) return this.narrow(s, 'suite');
      this.question(s, resolver, found);
      return;
    }
    if (found.importZero) this.narrow(s, 'suite');
  }

  /** A question (a resolver to answer): the suite's first names export 0 of its own. */
  private question(s: CaptpSession, resolver: ImportDesc, found: Found): void {
    if (found.importZero || resolver.pos === 0) return this.narrow(s, 'suite');
    if (!this.sawQuestion && this.identified === 'unidentified') this.narrow(s, 'other');
    this.sawQuestion = true;
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
