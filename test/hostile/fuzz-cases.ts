/**
 * The session fuzzer's cases: fast-check arbitraries of *intents* (plain data), turned into
 * messages by {@link materialize} with the session's current knowledge ({@link SessionModel}).
 *
 * - Benign-but-hostile cases (the bulk): valid messages with odd content that must never
 *   abort the session: random passables echoed back byte for byte, deliveries and listens on
 *   random or released positions, selections, pipelined deliveries on answers, op:gc-* with
 *   odd positions and counts, legacy labels. Each is checked by the answers it must produce
 *   and by a probe that follows its batch.
 * - Killer cases (a few per session): mutated messages, random ops with random Syrup fields,
 *   random non-OCapN values as arguments, garbage bytes, reused answer positions, positions
 *   out of range, values just over a limit, a second op:start-session, our own op:abort, bad
 *   frame prefixes. Some must abort (predicted); all must end well-formed if they do.
 */
import fc from 'fast-check';
import { SyrupRecord, encode, rec, sym, type SyrupValue } from '../../src/syrup/index.js';
import { OPS } from '../../src/captp/ops.js';
import { ascii, SWISS } from './harness.js';
import { mutate, mutationArb, type Mutation } from './fuzz-mutations.js';
import {
  ARG_DEPTH_BUDGET,
  FUZZ_LIMITS,
  MAX_INTEGER_DIGITS,
  anySyrup,
  bigCanonicalValue,
  longList,
  nest,
  oddValue,
  text,
} from './fuzz-values.js';
import { SessionModel, answerDesc, deliver, exportDesc, resolverDesc, type Expectation, type ResolvedTarget } from './fuzz-model.js';

type TargetIntent =
  | { t: 'served' }
  | { t: 'bootstrap' }
  | { t: 'known-export'; pick: number }
  | { t: 'known-answer'; pick: number }
  | { t: 'export'; pos: number }
  | { t: 'answer'; pos: number };

const anyPos = fc.oneof(fc.nat({ max: 40 }), fc.noBias(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })));

const targetArb: fc.Arbitrary<TargetIntent> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ t: 'served' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'bootstrap' as const }) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ t: 'known-export' as const, pick })) },
  { weight: 3, arbitrary: fc.nat().map((pick) => ({ t: 'known-answer' as const, pick })) },
  { weight: 2, arbitrary: anyPos.map((pos) => ({ t: 'export' as const, pos })) },
  { weight: 2, arbitrary: anyPos.map((pos) => ({ t: 'answer' as const, pos })) },
);

const SERVED_METHODS = ['echo', 'count', 'boom', 'rejectLater', 'makeFn'];
const methodArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SERVED_METHODS, 'fetch', 'deposit-gift', 'withdraw-gift', 'fulfill', 'break') }, { weight: 1, arbitrary: text });

/** Intents of cases that must not abort the session. */
export type SafeIntent =
  | { k: 'echo'; values: SyrupValue[]; answer: boolean; resolve: boolean }
  | { k: 'call'; target: TargetIntent; method: string; values: SyrupValue[]; answer: boolean; resolve: boolean; promiseResolver: boolean }
  | { k: 'listen'; target: TargetIntent; promiseResolver: boolean; partial: 'omit' | boolean }
  | { k: 'select'; op: 'op:get' | 'op:index' | 'op:untag'; target: TargetIntent; key: string; index: number; listen: boolean }
  | { k: 'pipeline'; values: SyrupValue[] }
  | { k: 'gc-exports'; entries: Array<{ known: boolean; pick: number; delta: number }>; singular: boolean; scalar: boolean }
  | { k: 'gc-answers'; picks: Array<{ known: boolean; pick: number }>; singular: boolean; scalar: boolean }
  | { k: 'send-only'; target: TargetIntent; method: string; values: SyrupValue[]; legacy: boolean };

const bool = (p: number) => fc.integer({ min: 0, max: 999 }).map((n) => n < p * 1000);
const delta = fc.oneof(fc.nat({ max: 3 }), fc.noBias(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })));

export const safeArb: fc.Arbitrary<SafeIntent> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ k: fc.constant('echo' as const), values: fc.array(bigCanonicalValue, { maxLength: 4 }), answer: bool(0.3), resolve: bool(0.9) }) },
  {
    weight: 16,
    arbitrary: fc.record({ k: fc.constant('call' as const), target: targetArb, method: methodArb, values: fc.array(oddValue, { maxLength: 3 }), answer: bool(0.4), resolve: bool(0.8), promiseResolver: bool(0.2) }),
  },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('listen' as const), target: targetArb, promiseResolver: bool(0.3), partial: fc.constantFrom('omit' as const, true, false) }) },
  {
    weight: 8,
    arbitrary: fc.record({ k: fc.constant('select' as const), op: fc.constantFrom('op:get' as const, 'op:index' as const, 'op:untag' as const), target: targetArb, key: text, index: anyPos, listen: bool(0.6) }),
  },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('pipeline' as const), values: fc.array(bigCanonicalValue, { maxLength: 3 }) }) },
  {
    weight: 5,
    arbitrary: fc.record({ k: fc.constant('gc-exports' as const), entries: fc.array(fc.record({ known: bool(0.6), pick: anyPos, delta }), { minLength: 1, maxLength: 3 }), singular: bool(0.2), scalar: bool(0.2) }),
  },
  { weight: 5, arbitrary: fc.record({ k: fc.constant('gc-answers' as const), picks: fc.array(fc.record({ known: bool(0.6), pick: anyPos }), { minLength: 1, maxLength: 3 }), singular: bool(0.2), scalar: bool(0.2) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('send-only' as const), target: targetArb, method: methodArb, values: fc.array(oddValue, { maxLength: 3 }), legacy: bool(0.3) }) },
);

/** Intents of cases that may (or must) end the session. */
export type KillerIntent =
  | { k: 'mutation'; template: number; mutations: Mutation[] }
  | { k: 'random-op'; label: string; fields: SyrupValue[] }
  | { k: 'any-args'; target: TargetIntent; values: SyrupValue[] }
  | { k: 'garbage'; bytes: Uint8Array }
  | { k: 'reuse-answer'; pick: number }
  | { k: 'bad-position'; where: 'to' | 'answer' | 'resolver' | 'gc'; pos: bigint }
  | { k: 'over-limit'; what: 'depth' | 'container' | 'bytes' | 'digits'; by: number }
  | { k: 'second-start' }
  | { k: 'peer-abort'; reason: SyrupValue }
  | { k: 'bad-frame'; prefix: string };

const OP_LABELS = Object.keys(OPS);

export const killerArb: fc.Arbitrary<KillerIntent> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ k: fc.constant('mutation' as const), template: fc.nat(), mutations: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('random-op' as const), label: fc.oneof(fc.constantFrom(...OP_LABELS), text), fields: fc.array(anySyrup, { maxLength: 5 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('any-args' as const), target: targetArb, values: fc.array(anySyrup, { minLength: 1, maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 48 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('reuse-answer' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant('bad-position' as const),
      where: fc.constantFrom('to' as const, 'answer' as const, 'resolver' as const, 'gc' as const),
      pos: fc.constantFrom(2n ** 53n, 2n ** 64n, -1n, -(2n ** 70n)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('over-limit' as const), what: fc.constantFrom('depth' as const, 'container' as const, 'bytes' as const, 'digits' as const), by: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ k: 'second-start' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('peer-abort' as const), reason: fc.oneof(text, anySyrup) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('bad-frame' as const), prefix: fc.constantFrom('00:', '0:', ':', '1x:', '99999999999:', ',') }) },
);

/** A case ready to send. */
export interface Case {
  /** Family name, for the tallies. */
  readonly kind: string;
  /** Messages (a bad frame prefix: stream bytes sent as they are). */
  readonly messages: Uint8Array[];
  /** It may end the session (a killer step). */
  readonly killer?: boolean;
  /** Answers it must produce. */
  readonly expects: Expectation[];
  /** Predicted outcome: the session aborts (reason matching), or closes without op:abort. */
  readonly predict?: { abort: RegExp } | { closed: true };
}

function resolveTarget(t: TargetIntent, m: SessionModel): ResolvedTarget {
  const exp = (pos: number, served = false): ResolvedTarget => ({ desc: exportDesc(pos), settles: m.exportSettles(pos), served, bootstrap: pos === 0 });
  switch (t.t) {
    case 'served':
      return m.servedPos === undefined ? exp(0) : exp(m.servedPos, true);
    case 'bootstrap':
      return exp(0);
    case 'known-export':
      return exp(m.pickExport(t.pick));
    case 'export':
      return exp(t.pos, t.pos === m.servedPos);
    case 'known-answer': {
      const a = m.pickAnswer(t.pick);
      if (a === undefined) return exp(0);
      return { desc: answerDesc(a), settles: m.answerSettles(a), served: false, bootstrap: false };
    }
    case 'answer':
      return { desc: answerDesc(t.pos), settles: m.answerSettles(t.pos), served: false, bootstrap: false };
  }
}

/** Method arguments suited to the target: the bootstrap's fetch gets a swiss number. */
function argsFor(target: ResolvedTarget, method: string, values: SyrupValue[]): SyrupValue[] {
  if (target.bootstrap && method === 'fetch') return [sym('fetch'), values.length > 0 ? values[0] : ascii(SWISS)];
  return [sym(method), ...values];
}

function safeCase(c: SafeIntent, m: SessionModel): Case {
  const enc = (r: SyrupRecord) => [encode(r)];
  switch (c.k) {
    case 'echo': {
      const target = resolveTarget({ t: 'served' }, m);
      if (!target.served) return safeCase({ k: 'call', target: { t: 'bootstrap' }, method: 'fetch', values: [], answer: c.answer, resolve: c.resolve, promiseResolver: false }, m);
      const r = c.resolve ? m.freshResolver() : false;
      const a = c.answer ? m.freshAnswer(true) : false;
      const expects = r === false ? [] : [{ resolver: r, exact: encode(c.values), what: 'echo' }];
      return { kind: 'echo', messages: enc(deliver(target.desc, [sym('echo'), ...c.values], a, r)), expects };
    }
    case 'call': {
      const target = resolveTarget(c.target, m);
      const values = c.values.map((v) => m.fill(v));
      const gift = c.method === 'deposit-gift' || c.method === 'withdraw-gift';
      const settles = target.settles && !gift && !values.some(SessionModel.hasRefs);
      const r = c.resolve ? m.freshResolver() : false;
      const a = c.answer ? m.freshAnswer(settles && target.desc.labelName === 'desc:export' && !values.some(SessionModel.hasRefs)) : false;
      const expects = r !== false && settles ? [{ resolver: r, what: `call ${c.method}` }] : [];
      return { kind: 'call', messages: enc(deliver(target.desc, argsFor(target, c.method, values), a, r, c.promiseResolver)), expects };
    }
    case 'listen': {
      const target = resolveTarget(c.target, m);
      const r = m.freshResolver();
      const fields: SyrupValue[] = [target.desc, resolverDesc(r, c.promiseResolver)];
      if (c.partial !== 'omit') fields.push(c.partial);
      return { kind: 'listen', messages: enc(rec('op:listen', ...fields)), expects: target.settles ? [{ resolver: r, what: 'listen' }] : [] };
    }
    case 'select': {
      const target = resolveTarget(c.target, m);
      const key: SyrupValue = c.op === 'op:index' ? BigInt(c.index) : c.key;
      const a = m.freshAnswer(target.settles);
      const messages = enc(rec(c.op, target.desc, key, BigInt(a)));
      const expects: Expectation[] = [];
      if (c.listen) {
        const r = m.freshResolver();
        messages.push(encode(rec('op:listen', answerDesc(a), resolverDesc(r), false)));
        if (target.settles) expects.push({ resolver: r, what: `listen on ${c.op}` });
      }
      return { kind: 'select', messages, expects };
    }
    case 'pipeline': {
      const a = m.freshAnswer(true);
      const r = m.freshResolver();
      return {
        kind: 'pipeline',
        messages: [encode(deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], a, false)), encode(deliver(answerDesc(a), [sym('echo'), ...c.values], false, r))],
        expects: [{ resolver: r, exact: encode(c.values), what: 'pipelined echo' }],
      };
    }
    case 'gc-exports': {
      const positions: bigint[] = [];
      const deltas: bigint[] = [];
      for (const e of c.entries) {
        const pos = e.known ? m.pickExport(e.pick) : e.pick;
        m.released(pos);
        positions.push(BigInt(pos));
        deltas.push(BigInt(e.delta));
      }
      const label = c.singular ? 'op:gc-export' : 'op:gc-exports';
      const scalar = c.scalar && positions.length === 1;
      return { kind: 'gc-exports', messages: enc(rec(label, scalar ? positions[0] : positions, scalar ? deltas[0] : deltas)), expects: [] };
    }
    case 'gc-answers': {
      const positions = c.picks.map(({ known, pick }) => {
        const pos = (known ? m.pickAnswer(pick) : undefined) ?? pick;
        m.answers.delete(pos);
        return BigInt(pos);
      });
      const label = c.singular ? 'op:gc-answer' : 'op:gc-answers';
      return { kind: 'gc-answers', messages: enc(rec(label, c.scalar && positions.length === 1 ? positions[0] : positions)), expects: [] };
    }
    case 'send-only': {
      const target = resolveTarget(c.target, m);
      const args = argsFor(target, c.method, c.values.map((v) => m.fill(v)));
      const msg = c.legacy ? rec('op:deliver-only', target.desc, args) : deliver(target.desc, args, false, false);
      return { kind: 'send-only', messages: enc(msg), expects: [] };
    }
  }
}

function killerCase(c: KillerIntent, m: SessionModel): Case {
  const one = (kind: string, r: SyrupRecord, predict?: Case['predict']): Case => ({ kind, messages: [encode(r)], expects: [], predict });
  switch (c.k) {
    case 'mutation': {
      const list = m.templates();
      return { kind: 'mutation', messages: [mutate(encode(list[c.template % list.length]), c.mutations)], expects: [] };
    }
    case 'random-op':
      return one('random-op', rec(c.label, ...c.fields.map((f) => m.fill(f))));
    case 'any-args': {
      const target = resolveTarget(c.target, m);
      return one('any-args', deliver(target.desc, [sym('echo'), ...c.values.map((v) => m.fill(v))], false, m.freshResolver()));
    }
    case 'garbage':
      return { kind: 'garbage', messages: [c.bytes], expects: [] };
    case 'reuse-answer': {
      // An answer position still open, or (when none is) a fresh one opened twice.
      const open = m.pickAnswer(c.pick);
      const a = open ?? m.freshAnswer(true);
      const msg = encode(deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], a, false));
      return { kind: 'reuse-answer', messages: open === undefined ? [msg, msg] : [msg], expects: [], predict: { abort: /already in use/ } };
    }
    case 'bad-position': {
      const p = c.pos;
      const msg =
        c.where === 'to' ? rec('op:deliver', rec('desc:export', p), [sym('count')], false, false)
        : c.where === 'answer' ? rec('op:deliver', exportDesc(0), [sym('count')], p, false)
        : c.where === 'resolver' ? rec('op:listen', exportDesc(0), rec('desc:import-object', p), false)
        : rec('op:gc-answers', [p]);
      return one('bad-position', msg, { abort: /integer from 0 to 2\^53-1/ });
    }
    case 'over-limit': {
      const served = exportDesc(m.servedPos ?? 0);
      const value =
        c.what === 'depth' ? nest(ARG_DEPTH_BUDGET + c.by)
        : c.what === 'container' ? longList(FUZZ_LIMITS.maxContainerLength + c.by)
        : c.what === 'bytes' ? new Uint8Array(FUZZ_LIMITS.maxBytesLength + c.by)
        : 10n ** BigInt(MAX_INTEGER_DIGITS + c.by - 1);
      return one(`over-limit`, deliver(served, [sym('echo'), value], false, false), { abort: /malformed|deep|depth|long|many|digits|limit/i });
    }
    case 'second-start':
      return one('second-start', rec('op:start-session', '1.0', false, false, false), { abort: /second op:start-session/ });
    case 'peer-abort':
      return one('peer-abort', rec('op:abort', c.reason), typeof c.reason === 'string' ? { closed: true } : undefined);
    case 'bad-frame':
      return { kind: 'bad-frame', messages: [ascii(c.prefix)], expects: [], predict: { abort: /malformed stream/ } };
  }
}

/** Turn intents into messages with the session's current knowledge. */
export function materialize(intent: { safe: SafeIntent } | { killer: KillerIntent }, m: SessionModel): Case {
  try {
    return 'safe' in intent ? safeCase(intent.safe, m) : { ...killerCase(intent.killer, m), killer: true };
  } catch (e) {
    // A generated value the encoder refuses (a duplicate key in a random dictionary): send
    // a plain echo instead, so the case still counts as one message with a checked effect.
    if (!(e instanceof TypeError) || !/duplicate/.test(e.message)) throw e;
    return safeCase({ k: 'echo', values: [], answer: false, resolve: true }, m);
  }
}
