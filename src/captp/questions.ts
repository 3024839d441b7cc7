/**
 * Our questions to the peer (CapTP Specification; notes §6.3, §8): op:deliver with an answer
 * position and a resolver, op:get / op:index / op:untag with an op:listen on the new answer,
 * op:listen on a promise, the resolver objects that receive the answers, and call deadlines
 * and cancellation.
 * @module
 */
import type { SyrupRecord, SyrupValue } from '../syrup/types.js';
import { encodeDesc, encodeOp, type TargetDesc } from './ops.js';
import { makeRemotePromise, type Settler } from './refs.js';
import type { CaptpSession } from './session.js';
import { CallTimeoutError, type CallOptions } from './call-options.js';
import { errorFromString } from '../model/index.js';

/** A break reason as the caller sees it: a String `"Name: message"` becomes a RemoteError (docs/value-model.md "Errors"). */
const breakReason = (reason: unknown): unknown => (typeof reason === 'string' ? (errorFromString(reason) ?? reason) : reason);

export { CallTimeoutError, checkCallOptions, type CallOptions } from './call-options.js';

/** A resolver object (`fulfill`/`break`, notes §8) that acts once, and a way to settle it first. */
interface ResolverKit {
  readonly resolver: object;
  /** Break the answer now (deadline, cancellation); later fulfill/break from the peer do nothing. */
  breakNow(reason: unknown): void;
}

function makeResolver(settler: Settler, onSettled?: () => void): ResolverKit {
  let done = false;
  const once = (f: () => void) => {
    if (done) return;
    done = true;
    f();
    onSettled?.();
  };
  return {
    resolver: Object.freeze({
      fulfill: (value: unknown) => once(() => settler.resolve(value)),
      break: (reason: unknown) => once(() => settler.reject(breakReason(reason))),
    }),
    breakNow: (reason) => once(() => settler.reject(reason)),
  };
}

/** Break `kit`'s answer when the deadline passes or the signal aborts, whichever comes first. */
function watch(kit: ResolverKit, promise: Promise<unknown>, options: CallOptions, s: CaptpSession, what: string): void {
  const { timeoutMs, signal } = options;
  if (timeoutMs === undefined && signal === undefined) return;
  if (signal?.aborted) {
    kit.breakNow(abortReason(signal));
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs !== undefined) {
    // The peer's name is formatted only if the timer fires (not once per call).
    timer = setTimeout(() => kit.breakNow(new CallTimeoutError(`${what} ${s.peerName} did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref?.();
  }
  const onAbort = () => kit.breakNow(abortReason(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  const cleanup = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  promise.then(cleanup, cleanup);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('the call was aborted', 'AbortError');
}

/** Release answer `pos` (ours) once it settled: forget the question, tell the peer (op:gc-answers). */
function releaser(s: CaptpSession, answerPos: number): () => void {
  return () => {
    s.questions.delete(answerPos);
    s.gc.answer(answerPos);
  };
}

/** op:deliver with an answer position and a resolver: a promise for the answer. */
export function ask(s: CaptpSession, target: TargetDesc, args: unknown[], options: CallOptions): Promise<unknown> {
  try {
    s.assertCanAsk();
    // Cancelled before it started: nothing is sent.
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    const answerPos = s.nextAnswerPos;
    const { promise, settler } = makeRemotePromise(s, 'answer', answerPos);
    const kit = makeResolver(settler, releaser(s, answerPos));
    // Arguments and resolver are exported together: if either fails, neither stays exported.
    let encodedArgs: SyrupValue;
    let resolverPos: number;
    const undo = s.exports.startJournal();
    try {
      encodedArgs = s.encodeValue(args);
      resolverPos = s.exports.exportValue(kit.resolver);
    } catch (e) {
      undo.rollback();
      throw e;
    } finally {
      undo.end();
    }
    s.nextAnswerPos++;
    s.questions.set(answerPos, settler);
    s.send(encodeOp('op:deliver', {
      to: encodeDesc(target.kind, target.pos),
      args: encodedArgs,
      answerPos: BigInt(answerPos),
      resolveMe: encodeDesc('import-object', resolverPos),
    }));
    watch(kit, promise, options, s, 'a call to');
    return promise;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** op:get / op:index / op:untag with a fresh answer position, and an op:listen for its result. */
export function askPart(s: CaptpSession, op: 'op:get' | 'op:index' | 'op:untag', target: TargetDesc, fields: Record<string, SyrupValue>, options: CallOptions): Promise<unknown> {
  try {
    s.assertCanAsk();
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    // Endo refuses new-answer-pos 0 for get/index/untag (notes §6.1): never use it here.
    if (s.nextAnswerPos === 0) s.nextAnswerPos = 1;
    const answerPos = s.nextAnswerPos++;
    const { promise, settler } = makeRemotePromise(s, 'answer', answerPos);
    // The listener's resolver is exported before anything is sent, so nothing can fail half-way.
    const kit = makeResolver(settler, releaser(s, answerPos));
    const listener = encodeDesc('import-object', s.exports.exportValue(kit.resolver));
    s.questions.set(answerPos, settler);
    s.send(encodeOp(op, { receiver: encodeDesc(target.kind, target.pos), ...fields, newAnswerPos: BigInt(answerPos) }));
    sendListen(s, { kind: 'answer', pos: answerPos }, listener);
    watch(kit, promise, options, s, `${op} on`);
    return promise;
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Send op:listen on `target` with a fresh resolver that settles `settler`. */
export function listenTo(s: CaptpSession, target: TargetDesc, settler: Settler, onSettled?: () => void): void {
  const { resolver } = makeResolver(settler, onSettled);
  sendListen(s, target, encodeDesc('import-object', s.exports.exportValue(resolver)));
}

/** `<op:listen to listener f>` (or 2 fields, per profile). */
function sendListen(s: CaptpSession, target: TargetDesc, listener: SyrupRecord): void {
  const to = encodeDesc(target.kind, target.pos);
  if (s.profile.listenFields === 3) s.send(encodeOp('op:listen', { to, listener, wantsPartial: false }));
  else s.send(encodeOp('op:listen', { to, listener }, 2));
}
