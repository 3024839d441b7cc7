/**
 * Handling of incoming operations, one function per op (CapTP Specification; notes §5–§8).
 * Anything thrown here aborts the session with the error's message as the reason.
 * @module
 */
import type { SyrupValue } from '../syrup/types.js';
import { SyrupSymbol } from '../syrup/types.js';
import { decodeOp, type DecodedOp, type ImportDesc, type TargetDesc } from './ops.js';
import { readStartSession } from './start-session.js';
import { ProtocolError } from './errors.js';
import { TableLimitError } from './tables.js';
import { invokeLocal, selectPart } from './invoke.js';
import { refInfo, targetOf } from './refs.js';
import { AnswerResolver } from './questions.js';
import type { CaptpSession } from './session.js';

const noop = () => {};

/** Handle one decoded message. `active` is false until op:start-session has been accepted. */
export function handleMessage(s: CaptpSession, message: SyrupValue, active: boolean): void {
  const m = decodeOp(message);
  if (m.op === 'op:abort') {
    const reason = typeof m.reason === 'string' ? m.reason : 'aborted (no reason given)';
    // Keep a bounded, well-formed copy of the peer's text in our errors.
    s.teardown(reason.length > 500 ? `${reason.slice(0, 500).toWellFormed()}…` : reason, true);
    return;
  }
  if (m.op === 'op:start-session') {
    if (active) throw new ProtocolError('second op:start-session in one session');
    const hello = readStartSession(m);
    s.establish(hello.key, hello.location, hello.form);
    if (s.isActive) s.detector?.established(s);
    return;
  }
  if (!active) throw new ProtocolError(`${m.wireLabel} before op:start-session`);
  // Under 'auto', what the peer sends chooses what we write back (./detect.ts); before the
  // handler runs, so that this message's answer is already written in the peer's forms.
  s.detector?.observe(s, m, message);
  const handler = HANDLERS[m.op];
  handler(s, m);
}

/**
 * The local value a target descriptor names, or a rejected promise if it names nothing. The
 * rejection is marked handled: a later check may still refuse the message, and then nothing
 * awaits it (found by the session fuzzer).
 */
function lookupTarget(s: CaptpSession, to: TargetDesc): unknown {
  if (to.kind === 'export') {
    if (!s.exports.has(to.pos)) return handledRejection(new ReferenceError(`no export at position ${to.pos}`));
    return s.exports.get(to.pos);
  }
  const p = s.answers.get(to.pos);
  if (!p) return handledRejection(new ReferenceError(`no answer at position ${to.pos}`));
  return p;
}

function handledRejection(e: Error): Promise<never> {
  const p = Promise.reject(e);
  p.catch(noop);
  return p;
}

/** Throws (aborting the session) if the peer may not open answer position `pos` now. */
function checkAnswerFree(s: CaptpSession, pos: number): void {
  if (s.answers.has(pos)) throw new ProtocolError(`answer position ${pos} is already in use`);
  if (s.answers.size >= s.limits.maxAnswers) throw new TableLimitError('answer', s.limits.maxAnswers);
  s.answers.checkRoom(s.incomingBytes);
}

/**
 * Import the peer's resolver: counted as an import (so it is reported back), but with no JS
 * object made for it, since we only ever send it fulfill/break, whether the peer names it
 * <desc:import-object n> or <desc:import-promise n> (allowed since 2026-02-17; never listened to).
 */
function importResolver(s: CaptpSession, resolver: ImportDesc): void {
  s.imports.count(resolver.pos);
}

/**
 * Count `p` as work the peer has us waiting on (see {@link checkPending}) until it settles, then
 * tell the peer's `resolver`, if any, how it settled (see {@link answer}). One reaction, which
 * also marks `p` handled: a rejection nobody else awaits is not an unhandled rejection.
 */
function pendingUntilSettled(s: CaptpSession, p: Promise<unknown>, resolver: ImportDesc | false, answerPos: number | undefined): void {
  s.pending++;
  p.then(
    (value) => {
      s.pending--;
      if (resolver !== false) answer(s, resolver, true, value, answerPos);
    },
    (reason) => {
      s.pending--;
      if (resolver !== false) answer(s, resolver, false, reason, answerPos);
    },
  );
}

/**
 * Send the outcome to the peer's resolver, then stop importing it (op:gc-exports). Held back
 * while the peer is not taking our output (flow.ts); its size is charged to answer
 * `answerPos`, if given, while the peer holds that answer.
 */
function answer(s: CaptpSession, resolver: ImportDesc, ok: boolean, value: unknown, answerPos: number | undefined): void {
  if (s.flow.paused) {
    s.flow.whenWritable(() => answer(s, resolver, ok, value, answerPos));
    return;
  }
  const bytes = s.resolveRemote(resolver, ok, value);
  if (answerPos !== undefined) {
    try {
      s.answers.charge(answerPos, bytes);
    } catch (e) {
      s.abort((e as Error).message);
      return;
    }
  }
  if (!s.isActive || resolver.pos === 0) return;
  const count = s.imports.releaseCounted(resolver.pos);
  if (count > 0) s.gc.exports(resolver.pos, count);
}

/**
 * Deliver `args` to `target` once it settles (a microtask later at the earliest): a local
 * object is invoked, a remote reference forwarded. The returned promise (held at the answer
 * position, for pipelined messages) settles with the outcome, which then goes to the peer's
 * resolver (see {@link pendingUntilSettled}). Errors thrown or rejected by a local method are
 * reported to the host (methodError).
 */
function deliver(s: CaptpSession, target: unknown, args: unknown[], resolveMe: ImportDesc | false, answerPos: number | undefined): Promise<unknown> {
  const result = Promise.resolve(target).then((t) => {
    const info = typeof t === 'object' && t !== null ? refInfo.get(t) : undefined;
    if (info) return info.session.question(targetOf(info), args);
    let value: unknown;
    try {
      value = invokeLocal(t, args);
    } catch (e) {
      reportMethodError(s, e, args);
      throw e;
    }
    if (value instanceof Promise && !refInfo.has(value)) {
      return value.catch((e: unknown) => {
        reportMethodError(s, e, args);
        throw e;
      });
    }
    return value;
  });
  pendingUntilSettled(s, result, resolveMe, answerPos);
  return result;
}

type Handler = (s: CaptpSession, m: DecodedOp) => void;

/** Tell the host about an error thrown by a local method the peer called (never disturbs the session). */
function reportMethodError(s: CaptpSession, error: unknown, args: unknown[]): void {
  const sel = args[0];
  const method = sel instanceof SyrupSymbol ? sel.name : undefined;
  try {
    s.host.methodError?.(s, error, method);
  } catch {
    // the hook's own failure is the user's bug; the session goes on
  }
}

/**
 * Throws (aborting the session) past `maxPending` pending works (deliveries, listens and
 * selections not yet settled), so a peer cannot pile up callbacks on a promise that never settles.
 */
function checkPending(s: CaptpSession): void {
  if (s.pending >= s.limits.maxPending) throw new TableLimitError('pending-work', s.limits.maxPending);
}
const HANDLERS: Record<string, Handler> = {
  'op:deliver'(s, m) {
    const to = m.to as TargetDesc;
    const answerPos = m.answerPos as number | false;
    const resolveMe = m.resolveMe as ImportDesc | false;
    const target = lookupTarget(s, to);
    // Every check that can reject the message (answer position in use, a full table) comes
    // before decoding its arguments (decoding imports references) and before the delivery:
    // a message that aborts the session must not run.
    if (answerPos !== false) checkAnswerFree(s, answerPos);
    checkPending(s);
    const args = s.decodeValue(m.args as SyrupValue) as unknown[];
    // The answer to one of our questions: settle it now, without a local invocation.
    if (answerPos === false && resolveMe === false && AnswerResolver.is(target) && AnswerResolver.receive(target, args)) return;
    s.flow.requestReceived(s.incomingBytes);
    if (resolveMe !== false) importResolver(s, resolveMe);
    const result = deliver(s, target, args, resolveMe, answerPos === false ? undefined : answerPos);
    if (answerPos !== false) s.answers.set(answerPos, result, s.incomingBytes);
  },
  'op:listen'(s, m) {
    const target = lookupTarget(s, m.to as TargetDesc);
    checkPending(s);
    s.flow.requestReceived(s.incomingBytes);
    importResolver(s, m.listener as ImportDesc);
    pendingUntilSettled(s, Promise.resolve(target), m.listener as ImportDesc, undefined);
  },
  'op:get': select('fieldName'),
  'op:index': select('index'),
  'op:untag': select('tag'),
  'op:gc-exports'(s, m) {
    const positions = m.exportPositions as number[];
    const deltas = m.wireDeltas as number[];
    positions.forEach((pos, i) => s.exports.release(pos, deltas[i]));
  },
  'op:gc-answers'(s, m) {
    for (const pos of m.answerPositions as number[]) s.answers.delete(pos);
  },
};

function select(keyField: string): Handler {
  return (s, m) => {
    const target = lookupTarget(s, m.receiver as TargetDesc);
    checkPending(s);
    checkAnswerFree(s, m.newAnswerPos as number);
    s.flow.requestReceived(s.incomingBytes);
    const p = Promise.resolve(target).then((v) => selectPart(m.op, v, m[keyField] as string | number));
    pendingUntilSettled(s, p, false, undefined);
    s.answers.set(m.newAnswerPos as number, p, s.incomingBytes);
  };
}
