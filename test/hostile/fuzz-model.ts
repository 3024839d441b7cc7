/**
 * What the session fuzzer's hostile peer knows about its session with the node (positions it
 * may name, answers it opened), and the messages it builds from that knowledge.
 */
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, encode, rec, sym, type SyrupValue } from '../../src/syrup/index.js';
import { ascii, SWISS } from './harness.js';
import { ANSWER_BASE, KNOWN, RESOLVER_BASE, TEMPLATE_ANSWER_BASE } from './fuzz-values.js';

/** An answer we expect on one of our resolvers: any fulfill/break, or a fulfill with these bytes. */
export interface Expectation {
  readonly resolver: number;
  /** The encoded fulfilment value, when it is known exactly. */
  readonly exact?: Uint8Array;
  /** What the case was, for failure messages. */
  readonly what: string;
}

/** A target descriptor with what the peer can predict about it. */
export interface ResolvedTarget {
  readonly desc: SyrupRecord;
  /** A delivery to it settles without any help from us. */
  readonly settles: boolean;
  /** It names our served object (the echo target). */
  readonly served: boolean;
  /** It names the bootstrap object. */
  readonly bootstrap: boolean;
}

export const exportDesc = (n: number | bigint): SyrupRecord => rec('desc:export', BigInt(n));
export const answerDesc = (n: number | bigint): SyrupRecord => rec('desc:answer', BigInt(n));
export const resolverDesc = (n: number, promise = false): SyrupRecord => rec(promise ? 'desc:import-promise' : 'desc:import-object', BigInt(n));

export class SessionModel {
  /** The served object's export position, as the last fetch reported it. */
  servedPos: number | undefined;
  /** Answer positions the node holds for us → whether the answer settles by itself. */
  readonly answers = new Map<number, boolean>();
  /** The node's exports seen on the wire (besides 0) → whether it may be an unsettled promise. */
  readonly nodeExports = new Map<number, boolean>();
  /** Node positions we released with op:gc-exports: they may or may not still exist. */
  readonly uncertain = new Set<number>();
  /** Answer positions we forgot (see {@link taint}): they may hold anything. */
  readonly uncertainAnswers = new Set<number>();
  private nextAnswer = ANSWER_BASE;
  private nextResolver = RESOLVER_BASE;

  freshAnswer(settles: boolean): number {
    const pos = this.nextAnswer++;
    this.answers.set(pos, settles);
    return pos;
  }
  freshResolver(): number {
    return this.nextResolver++;
  }

  /** Record the node's export positions found anywhere in a message from it. */
  learn(v: SyrupValue): void {
    if (Array.isArray(v)) for (const x of v) this.learn(x);
    else if (v instanceof SyrupDict) for (const [, x] of v.entries) this.learn(x);
    else if (v instanceof SyrupRecord) {
      const name = v.labelName;
      if ((name === 'desc:import-object' || name === 'desc:import-promise') && typeof v.fields[0] === 'bigint' && v.fields[0] !== 0n) {
        const pos = Number(v.fields[0]);
        this.uncertain.delete(pos);
        this.nodeExports.set(pos, name === 'desc:import-promise');
      } else for (const f of v.fields) this.learn(f);
    }
  }

  /** We sent op:gc-exports for `pos`: it may be gone now. */
  released(pos: number): void {
    if (pos === 0) return;
    if (this.nodeExports.delete(pos) || pos === this.servedPos) this.uncertain.add(pos);
    if (pos === this.servedPos) this.servedPos = undefined;
  }

  /** A known node export (0 included), chosen by `pick`. */
  pickExport(pick: number): number {
    const n = this.nodeExports.size + 1;
    const i = pick % n;
    if (i === 0) return 0;
    let k = 1;
    for (const pos of this.nodeExports.keys()) if (k++ === i) return pos;
    return 0;
  }
  /** An answer position we opened, chosen by `pick`, or `undefined` if none. */
  pickAnswer(pick: number): number | undefined {
    if (this.answers.size === 0) return undefined;
    const i = pick % this.answers.size;
    let k = 0;
    for (const pos of this.answers.keys()) if (k++ === i) return pos;
    return undefined;
  }

  /** Whether a delivery to export `pos` settles on its own (unknown positions break at once). */
  exportSettles(pos: number): boolean {
    if (this.uncertain.has(pos)) return false;
    return this.nodeExports.get(pos) !== true;
  }
  answerSettles(pos: number): boolean {
    if (this.uncertainAnswers.has(pos)) return false;
    return this.answers.get(pos) ?? true;
  }

  /**
   * A message we cannot model (a killer that did not end the session) may have released or
   * opened anything: forget what we knew, keeping only that those positions may still exist.
   * The probe that follows tells us the served object's position again.
   */
  taint(): void {
    for (const pos of this.nodeExports.keys()) this.uncertain.add(pos);
    if (this.servedPos !== undefined) this.uncertain.add(this.servedPos);
    for (const pos of this.answers.keys()) this.uncertainAnswers.add(pos);
    this.nodeExports.clear();
    this.answers.clear();
    this.servedPos = undefined;
  }

  /** Replace `<fuzz:known kind pick>` placeholders with positions of this session. */
  fill(v: SyrupValue): SyrupValue {
    if (Array.isArray(v)) return v.map((x) => this.fill(x));
    if (v instanceof SyrupDict) return new SyrupDict(v.entries.map(([k, x]) => [this.fill(k), this.fill(x)] as const));
    if (v instanceof SyrupSet) return new SyrupSet(v.items.map((x) => this.fill(x)));
    if (!(v instanceof SyrupRecord)) return v;
    if (v.labelName === KNOWN) {
      const kind = (v.fields[0] as SyrupSymbol).name;
      const pick = Number(v.fields[1]);
      const answer = kind === 'answer' ? this.pickAnswer(pick) : undefined;
      if (answer !== undefined) return answerDesc(answer);
      return exportDesc(this.pickExport(pick));
    }
    return new SyrupRecord(v.label, v.fields.map((f) => this.fill(f)));
  }

  /** Whether a filled value names one of the node's promises or answers (a delivery may wait on it). */
  static hasRefs(v: SyrupValue): boolean {
    if (Array.isArray(v)) return v.some((x) => SessionModel.hasRefs(x));
    if (v instanceof SyrupDict) return v.entries.some(([k, x]) => SessionModel.hasRefs(k) || SessionModel.hasRefs(x));
    if (v instanceof SyrupSet) return v.items.some((x) => SessionModel.hasRefs(x));
    if (!(v instanceof SyrupRecord)) return false;
    if (v.labelName?.startsWith('desc:')) return true;
    return v.fields.some((f) => SessionModel.hasRefs(f));
  }

  /** Valid messages of this session, for mutation (answer positions fresh, resolvers unused). */
  templates(): SyrupRecord[] {
    const obj = exportDesc(this.servedPos ?? 0);
    const a = TEMPLATE_ANSWER_BASE;
    const r = RESOLVER_BASE - 1;
    return [
      deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], a, r),
      deliver(obj, [sym('echo'), 1n, 'björn 😀', ascii('b'), [2n, [3n]], rec('desc:tagged', sym('t'), 1n), rec('desc:import-object', 5n)], a + 1, r),
      deliver(obj, [sym('count')], false, false),
      deliver(answerDesc(a), [sym('echo'), 'pipelined'], false, r),
      rec('op:deliver-only', obj, [sym('count')]),
      rec('op:listen', obj, resolverDesc(r), false),
      rec('op:get', obj, 'field', BigInt(a + 2)),
      rec('op:index', answerDesc(a), 0n, BigInt(a + 3)),
      rec('op:untag', obj, 'tag', BigInt(a + 4)),
      rec('op:gc-exports', [BigInt(this.servedPos ?? 1)], [1n]),
      rec('op:gc-answers', [BigInt(a)]),
      rec('op:abort', 'fuzz'),
    ];
  }
}

/** `<op:deliver to args answer-pos resolve-me>`. */
export function deliver(to: SyrupValue, args: SyrupValue[], answerPos: number | false, resolver: number | false, promiseResolver = false): SyrupRecord {
  return rec('op:deliver', to, args, answerPos === false ? false : BigInt(answerPos), resolver === false ? false : resolverDesc(resolver, promiseResolver));
}

/** The probe: fetch the served object on a fresh resolver (the answer tells us its position). */
export function probe(model: SessionModel): { message: Uint8Array; expectation: Expectation } {
  const r = model.freshResolver();
  return { message: encode(deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], false, r)), expectation: { resolver: r, what: 'probe' } };
}
