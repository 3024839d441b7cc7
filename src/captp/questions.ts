/**
 * Our questions to the peer (CapTP Specification; notes §6.3, §8): op:deliver with an answer
 * position and a resolver, op:get / op:index / op:untag with an op:listen on the new answer,
 * op:listen on a promise, the resolver objects that receive the answers, and call deadlines
 * and cancellation.
 * @module
 */
import type { SyrupRecord, SyrupValue } from '../syrup/types.js';
import { encodeDeliver, encodeDesc, encodeOp, type TargetDesc } from './ops.js';
import { SyrupSymbol } from '../syrup/types.js';
import { makeRemotePromise, type Settler } from './refs.js';
import type { CaptpSession } from './session.js';
import { CallTimeoutError, type CallOptions } from './call-options.js';
import { errorFromString } from '../model/index.js';

/** A break reason as the caller sees it: a String `"Name: message"` becomes a RemoteError (docs/value-model.md "Errors"). */
const breakReason = (reason: unknown): unknown => (typeof reason === 'string' ? (errorFromString(reason) ?? reason) : reason);

export { CallTimeoutError, checkCallOptions, type CallOptions } from './call-options.js';

/**
 * The resolver object we export with each question (notes §8): the peer sends it `fulfill` or
 * `break`, and only those two methods are reachable (its prototype holds nothing else, not
 * even `constructor`). It acts once; its state is in private fields. Dispatch settles it
 * directly when the peer's message is exactly a fulfil or break ({@link AnswerResolver.receive}).
 */
export class AnswerResolver {
  #settler: Settler | undefined;
  /** The session whose answer position to release once settled, if any. */
  readonly #session: CaptpSession | undefined;
  readonly #answerPos: number;
  readonly #onSettled: (() => void) | undefined;
  constructor(settler: Settler, session: CaptpSession | undefined, answerPos: number, onSettled: (() => void) | undefined) {
    this.#settler = settler;
    this.#session = session;
    this.#answerPos = answerPos;
    this.#onSettled = onSettled;
    // Frozen like the prototype: whoever is handed it back (the app, as a value from the
    // peer) can neither replace fulfill/break nor add members such as `then` (private
    // fields stay writable).
    Object.freeze(this);
  }
  fulfill(value: unknown): void {
    AnswerResolver.settle(this, true, value);
  }
  break(reason: unknown): void {
    AnswerResolver.settle(this, false, breakReason(reason));
  }
  /** Settle `r` (once; later calls do nothing), then release its answer position. */
  static settle(r: AnswerResolver, ok: boolean, value: unknown): void {
    const settler = r.#settler;
    if (settler === undefined) return;
    r.#settler = undefined;
    if (ok) settler.resolve(value);
    else settler.reject(value);
    const s = r.#session;
    if (s !== undefined) {
      s.questions.delete(r.#answerPos);
      s.gc.answer(r.#answerPos);
    }
    r.#onSettled?.();
  }
  /**
   * Whether `x` is an AnswerResolver itself (a brand check: an object that merely inherits
   * from one, which `instanceof` accepts, is not).
   */
  static is(x: unknown): x is AnswerResolver {
    return typeof x === 'object' && x !== null && #settler in x;
  }
  /**
   * Settle `r` from a message the peer sent it, when the message is exactly `['fulfill value]`
   * or `['break reason]`. @returns false (nothing done) for any other arguments.
   */
  static receive(r: AnswerResolver, args: unknown[]): boolean {
    if (args.length !== 2) return false;
    const sel = args[0];
    if (!(sel instanceof SyrupSymbol)) return false;
    if (sel.name === 'fulfill') AnswerResolver.settle(r, true, args[1]);
    else if (sel.name === 'break') AnswerResolver.settle(r, false, breakReason(args[1]));
    else return false;
    return true;
  }
}
// Nothing but fulfill and break on the prototype the peer can reach.
Reflect.deleteProperty(AnswerResolver.prototype, 'constructor');
Object.freeze(AnswerResolver.prototype);

/** Break `kit`'s answer when the deadline passes or the signal aborts, whichever comes first. */
function watch(kit: AnswerResolver, promise: Promise<unknown>, options: CallOptions, s: CaptpSession, what: string): void {
  const { timeoutMs, signal } = options;
  if (timeoutMs === undefined && signal === undefined) return;
  if (signal?.aborted) {
    AnswerResolver.settle(kit, false, abortReason(signal));
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs !== undefined) {
    // The peer's name is formatted only if the timer fires (not once per call).
    timer = setTimeout(() => AnswerResolver.settle(kit, false, new CallTimeoutError(`${what} ${s.peerName} did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref?.();
  }
  const onAbort = () => AnswerResolver.settle(kit, false, abortReason(signal!));
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

/** op:deliver with an answer position and a resolver: a promise for the answer. */
export function ask(s: CaptpSession, target: TargetDesc, args: unknown[], options: CallOptions): Promise<unknown> {
  try {
    s.assertCanAsk();
    // Cancelled before it started: nothing is sent.
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    const answerPos = s.nextAnswerPos;
    const { promise, settler } = makeRemotePromise(s, 'answer', answerPos);
    const kit = new AnswerResolver(settler, s, answerPos, undefined);
    // Arguments and resolver are exported together: if either fails, neither stays exported.
    let encodedArgs: SyrupValue;
    let resolverPos: number;
    const exports = s.exports;
    const mark = exports.mark();
    try {
      encodedArgs = s.encodeValue(args);
      resolverPos = exports.exportValue(kit);
    } catch (e) {
      exports.rollback(mark);
      throw e;
    } finally {
      exports.endMark(mark);
    }
    s.nextAnswerPos++;
    s.questions.set(answerPos, settler);
    s.send(encodeDeliver(encodeDesc(target.kind, target.pos), encodedArgs, BigInt(answerPos), encodeDesc('import-object', resolverPos)));
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
    const kit = new AnswerResolver(settler, s, answerPos, undefined);
    const listener = encodeDesc('import-object', s.exports.exportValue(kit));
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
  const resolver = new AnswerResolver(settler, undefined, -1, onSettled);
  sendListen(s, target, encodeDesc('import-object', s.exports.exportValue(resolver)));
}

/** `<op:listen to listener f>` (or 2 fields, per profile). */
function sendListen(s: CaptpSession, target: TargetDesc, listener: SyrupRecord): void {
  const to = encodeDesc(target.kind, target.pos);
  if (s.profile.listenFields === 3) s.send(encodeOp('op:listen', { to, listener, wantsPartial: false }));
  else s.send(encodeOp('op:listen', { to, listener }, 2));
}
