/**
 * One CapTP session over one netlayer connection (CapTP Specification; notes §5–§8):
 * op:start-session with a fresh Ed25519 key pair, the tables, sending, and the session's end.
 * Incoming operations are handled in ./dispatch.ts.
 * @module
 */
import { SyrupRecord, type SyrupValue } from '../syrup/index.js';
import { fromSyrup, toSyrup, type RefHooks, type ToSyrupOptions } from '../model/index.js';
import { CRYPTO_FORMS, generateKeyPair, publicId, sessionId, sign, type CryptoForm, type CryptoWireForms, type SessionKeyPair } from '../crypto/index.js';
import { formatPeerUri } from '../locator/index.js';
import type { PeerLocator } from '../locator/types.js';
import type { Connection } from '../netlayers/interface.js';
import { encodeDeliver, encodeDesc, encodeOp, label, type ImportDesc, type TargetDesc } from './ops.js';
import { AUTO, type CompatProfile } from './profile.js';
import { ProfileDetector, sendUniversal } from './detect.js';
import type { SessionLimits } from './limits.js';
import { AnswerTable, ExportTable, ImportTable } from './tables.js';
import { SessionClosedError } from './errors.js';
import { makeRefHooks } from './hooks.js';
import { makeRemotePromise, refInfo, type RefOwner, type RefInfo, type Settler } from './refs.js';
import { GcQueue } from './gc.js';
import { handleMessage } from './dispatch.js';
import { buildStartSession } from './start-session.js';
import { SYRUP_WIRE_CODEC, type WireCodec } from './wire-codec.js';
import { ask, askPart, listenTo, type CallOptions } from './questions.js';
import { LivenessWatch, type LivenessOptions } from './liveness.js';
import { ByteBudget } from './budget.js';
import { IdleWatch, OutputFlow } from './flow.js';
import { SessionCounters, sessionStats, type SessionStats } from './stats.js';

/** One message crossing the wire, for transcripts and the CLI's wire printing. */
export interface WireEvent {
  readonly direction: 'in' | 'out';
  readonly session: CaptpSession;
  readonly bytes: Uint8Array;
  readonly message: SyrupValue;
}

/** What a session needs from the node that owns it (the layer above). */
export interface SessionHost {
  /** Our locator on the connection's netlayer (signed in op:start-session). */
  readonly location: PeerLocator;
  /** The local bootstrap object (export 0) for this session. */
  makeBootstrap(session: CaptpSession): object;
  /** Called once the peer's op:start-session verified; return a reason to refuse the session. */
  admit(session: CaptpSession): string | undefined;
  /** Called once when the session has ended. */
  closed(session: CaptpSession, error: SessionClosedError): void;
  /** Encode a reference imported from *another* session (third-party handoff), or `undefined` to proxy it. */
  encodeForeign?(session: CaptpSession, ref: object, info: RefInfo): SyrupValue | undefined;
  /** Decode a `<desc:sig-envelope …>` found in a value (a handoff give). */
  decodeSigEnvelope?(session: CaptpSession, envelope: SyrupRecord): unknown;
  /** Observe every message in and out. */
  tap?(event: WireEvent): void;
  /** Called once, after the first message the peer sent once the session was established (other than op:abort). */
  heard?(session: CaptpSession): void;
  /** Called with every error thrown (or rejected) by a local method the peer called; must not throw. */
  methodError?(session: CaptpSession, error: unknown, method: string | undefined): void;
}

/** Options of a session. */
export interface SessionOptions {
  readonly profile: CompatProfile;
  readonly limits: SessionLimits;
  /** Session key pair; fresh by default (tests pass fixed keys). */
  readonly keyPair?: SessionKeyPair | undefined;
  /** A node-wide budget that this session's answer bytes are also charged to. */
  readonly nodeAnswerBudget?: ByteBudget | undefined;
  /** Defaults for every question this session asks (e.g. a deadline). */
  readonly callDefaults?: CallOptions | undefined;
  /** Probing a peer that went silent (./liveness.ts); `false` or absent: off. */
  readonly liveness?: LivenessOptions | false | undefined;
  /** The byte encoding of messages (./wire-codec.ts); Syrup by default. */
  readonly wireCodec?: WireCodec | undefined;
}

/**
 * How sure we are of the peer's identity (its designator):
 * - `proven`: the netlayer proved it (e.g. WebSocket peer-auth of a server we dialled);
 * - `confirmed`: claimed on this connection, then vouched for by the peer over a proven one
 *   (it refused our dial because it already had this session with us);
 * - `claimed`: the peer's own op:start-session says so, and nothing more.
 */
export type PeerIdentity = 'proven' | 'confirmed' | 'claimed';

type State = 'handshake' | 'active' | 'closed';

const FULFILL = label('fulfill');
const BREAK = label('break');

/** Longest op:abort reason we send, in UTF-16 code units; a longer one is cut. */
const MAX_ABORT_REASON = 500;

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A CapTP session. Created by the node for each connection; both sides send op:start-session at once. */
export class CaptpSession implements RefOwner {
  /** Our session key pair (fresh for this session, never reused). */
  private readonly keyPair: SessionKeyPair;
  readonly ourPublicId: Uint8Array;
  /** Set once the peer's op:start-session verified. */
  peerPublicKey: Uint8Array | undefined;
  peerPublicId: Uint8Array | undefined;
  peerLocation: PeerLocator | undefined;
  /** The key and signature forms we write, fixed when the session starts (`profile.crypto`). */
  readonly cryptoForm: CryptoForm;
  /** The forms the peer announced its key in, set once established. */
  peerCryptoForm: CryptoForm | undefined;
  private readonly codec: WireCodec;
  /** SessionID (notes §4), set once established. */
  id: Uint8Array | undefined;
  /** What we write to this peer; under `'auto'` it narrows as the peer identifies itself ({@link detector}). */
  profile: CompatProfile;
  /** Chooses {@link profile} from the wire under `'auto'` (./detect.ts); `undefined` for a fixed profile. */
  readonly detector: ProfileDetector | undefined;
  readonly limits: SessionLimits;
  readonly exports: ExportTable;
  readonly imports: ImportTable<object>;
  readonly answers: AnswerTable;
  readonly hooks: RefHooks;
  readonly gc: GcQueue;
  /** Our questions awaiting their answers, by answer position. */
  readonly questions = new Map<number, Settler>();
  /** Imported promises awaiting settlement (broken when the session ends). */
  readonly remotePromises = new Set<Settler>();
  /** Next answer position for our questions. @internal (questions.ts) */
  nextAnswerPos = 0;
  /** Work the peer has us waiting on (see dispatch.ts trackPending). */
  pending = 0;
  /** Defaults for our questions (see {@link SessionOptions.callDefaults}). */
  private readonly callDefaults: CallOptions;
  /** How sure we are of the peer's designator (set when the session is established). */
  identity: PeerIdentity = 'claimed';
  /** Output backpressure (see flow.ts). */
  readonly flow: OutputFlow;
  private readonly idle: IdleWatch;
  private readonly liveness: LivenessWatch | undefined;
  /** Size of the message being dispatched, in bytes (charged to an answer it opens). */
  incomingBytes = 0;
  private heardSince = false;
  /** Side effects of decoding the message being dispatched, run once it passed its checks. */
  private deferred: Array<() => void> | undefined;
  private state: State = 'handshake';
  private closeError: SessionClosedError | undefined;
  private readonly readyKit = deferred<void>();
  private peerBootstrapRef: object | undefined;
  /** Resolves when the session is established; rejects if it ends before that. */
  readonly ready: Promise<void> = this.readyKit.promise;
  private readonly closedKit = deferred<SessionClosedError>();
  /** Resolves, with why, once the session has ended (never rejects). */
  readonly closed: Promise<SessionClosedError> = this.closedKit.promise;

  constructor(
    readonly connection: Connection,
    readonly host: SessionHost,
    options: SessionOptions,
  ) {
    this.ready.catch(() => {});
    this.detector = options.profile === AUTO ? new ProfileDetector() : undefined;
    this.profile = options.profile;
    this.limits = options.limits;
    this.callDefaults = options.callDefaults ?? {};
    this.keyPair = options.keyPair ?? generateKeyPair();
    this.cryptoForm = options.profile.crypto ?? 'legacy-2025';
    this.codec = options.wireCodec ?? SYRUP_WIRE_CODEC;
    this.ourPublicId = publicId(this.keyPair.publicKey, this.cryptoForm);
    this.exports = new ExportTable(this.limits.maxExports, host.makeBootstrap(this));
    this.imports = new ImportTable(this.limits.maxImports);
    this.answers = new AnswerTable(this.limits.maxAnswers, new ByteBudget('maxAnswerBytes', this.limits.maxAnswerBytes, options.nodeAnswerBudget));
    this.hooks = makeRefHooks(this);
    this.gc = new GcQueue(this);
    this.flow = new OutputFlow(connection, this.limits, (reason) => this.abort(reason), () => this.questions.size > 0 || this.remotePromises.size > 0);
    this.liveness = options.liveness ? new LivenessWatch(this, options.liveness) : undefined;
    this.idle = new IdleWatch(this.limits.idleTimeoutMs, () => this.holdsNothing(), () => this.abort(`idle for ${this.limits.idleTimeoutMs} ms`));
    // Before the handshake the peer may send only a small op:start-session.
    connection.setMaxMessageBytes?.(this.limits.maxHandshakeMessageBytes);
    connection.setHandlers({
      message: (bytes) => this.receive(bytes),
      error: (err) => this.abort(`malformed stream: ${err.message}`),
      close: (err) => this.teardown(err ? `connection failed: ${err.message}` : 'connection closed'),
      drain: () => this.flow.drained(),
    });
    this.send(buildStartSession(this.keyPair, host.location, this.cryptoForm));
    this.handshakeTimer = setTimeout(() => {
      if (this.state === 'handshake') this.abort(`no valid op:start-session within ${this.limits.handshakeTimeoutMs} ms`);
    }, this.limits.handshakeTimeoutMs);
    this.handshakeTimer.unref?.();
  }

  private readonly handshakeTimer: ReturnType<typeof setTimeout>;

  /** Our session public key. */
  get publicKey(): Uint8Array {
    return this.keyPair.publicKey;
  }
  get isOpen(): boolean {
    return this.state !== 'closed';
  }
  get isActive(): boolean {
    return this.state === 'active';
  }
  /** The peer, for messages: its URI once known. */
  get peerName(): string {
    return this.peerLocation ? formatPeerUri(this.peerLocation) : 'an unidentified peer';
  }

  /** Sign a value with this session's private key (handoff certificates, notes §9). */
  sign(value: SyrupValue): Uint8Array {
    return sign(value, this.keyPair.privateKey);
  }

  /** The key and signature forms we write on this session (handoff certificates use them too). */
  get crypto(): CryptoWireForms {
    return CRYPTO_FORMS[this.cryptoForm];
  }

  /** Called by dispatch when the peer's op:start-session verified; `peerForm` is the forms it used. */
  establish(peerKey: Uint8Array, peerLocation: PeerLocator, peerForm: CryptoForm = 'legacy-2025'): void {
    this.peerPublicKey = peerKey;
    this.peerCryptoForm = peerForm;
    this.peerPublicId = publicId(peerKey, peerForm);
    this.peerLocation = peerLocation;
    this.id = sessionId(this.ourPublicId, this.peerPublicId);
    const proven = this.connection.provenDesignator;
    this.identity = proven !== undefined && proven === peerLocation.designator ? 'proven' : 'claimed';
    const refusal = this.host.admit(this);
    if (refusal !== undefined) {
      this.abort(refusal);
      return;
    }
    this.state = 'active';
    clearTimeout(this.handshakeTimer);
    this.connection.setMaxMessageBytes?.(this.limits.maxMessageBytes);
    this.idle.start();
    this.liveness?.start();
    this.readyKit.resolve();
  }

  /** Message and byte counters (see ./stats.ts). */
  readonly counters = new SessionCounters();
  /** A snapshot of this session's tables and traffic (see {@link SessionStats}). */
  stats(): SessionStats {
    return sessionStats(this);
  }

  /** Count every message in and out, and call the host's tap; a throwing tap is the user's bug and must not disturb the session. */
  private observe(direction: 'in' | 'out', bytes: Uint8Array, message: SyrupValue): void {
    this.counters.count(direction, bytes.length);
    if (!this.host.tap) return;
    try {
      this.host.tap({ direction, session: this, bytes, message });
    } catch {
      // ignored on purpose
    }
  }

  /** Encode and send one operation record. @returns the bytes sent (0 once closed). */
  send(message: SyrupRecord): number {
    if (this.state === 'closed') return 0;
    const bytes = this.codec.encode(message);
    this.observe('out', bytes, message);
    this.connection.send(bytes);
    this.flow.afterSend();
    return bytes.length;
  }

  /** Whether the session holds nothing for the peer and asks nothing of it (see idleTimeoutMs). */
  holdsNothing(): boolean {
    return this.exports.size <= 1 && this.imports.size === 0 && this.questions.size === 0 && this.answers.size === 0 && this.pending === 0 && this.remotePromises.size === 0;
  }

  /**
   * Run `effect` once the message being dispatched has passed its checks (decoding a value
   * must not act, e.g. send op:listen or dial, for a message that is then refused); at once
   * outside dispatch.
   */
  defer(effect: () => void): void {
    if (this.deferred) this.deferred.push(effect);
    else effect();
  }

  private receive(bytes: Uint8Array): void {
    if (this.state === 'closed') return;
    this.idle.touch();
    this.liveness?.touch();
    this.incomingBytes = bytes.length;
    let message: SyrupValue;
    try {
      message = this.codec.decode(bytes, this.limits);
    } catch (e) {
      this.abort(`malformed message: ${(e as Error).message}`);
      return;
    }
    this.observe('in', bytes, message);
    const wasActive = this.state === 'active';
    const deferred: Array<() => void> = (this.deferred = []);
    try {
      handleMessage(this, message, this.state === 'active');
    } catch (e) {
      this.abort(e instanceof Error ? e.message : String(e));
      return;
    } finally {
      this.deferred = undefined;
    }
    for (const effect of deferred) {
      if (!this.isOpen) return;
      effect();
    }
    if (wasActive && !this.heardSince && this.isOpen) {
      this.heardSince = true;
      this.host.heard?.(this);
    }
  }

  /** Convert a passable for this session (references become descriptors). */
  encodeValue(value: unknown): SyrupValue {
    // If the value turns out unpassable half-way, undo the exports it already made: nothing
    // is sent, so the peer would never report them back.
    const exports = this.exports;
    const mark = exports.mark();
    try {
      return toSyrup(value, this.hooks, this.toSyrupOptions());
    } catch (e) {
      exports.rollback(mark);
      throw e;
    } finally {
      exports.endMark(mark);
    }
  }
  /** toSyrup's options from the profile, made again only when the profile changes. */
  private toSyrupOptions(): ToSyrupOptions {
    const profile = this.profile;
    if (this.syrupOptionsFor !== profile) {
      const { errorForm, structOrder, negativeZero } = profile;
      this.syrupOptions = { errorForm, structOrder, negativeZero };
      this.syrupOptionsFor = profile;
    }
    return this.syrupOptions!;
  }
  private syrupOptions: ToSyrupOptions | undefined;
  private syrupOptionsFor: CompatProfile | undefined;

  /** Convert a value from this session's wire (descriptors become references). */
  decodeValue(value: SyrupValue): unknown {
    return fromSyrup(value, this.hooks);
  }

  private closedError(): SessionClosedError {
    return this.closeError ?? new SessionClosedError(this.peerName, 'session not established');
  }

  private assertActive(): void {
    if (this.state === 'closed') throw this.closedError();
    if (this.state !== 'active') throw new SessionClosedError(this.peerName, 'session not yet established');
  }

  /**
   * Send `args` to `target` and return a promise for the answer (op:deliver with an answer
   * position and a resolver, as Goblins does). Messages sent to the returned promise before it
   * settles are pipelined on `<desc:answer n>`. See ./questions.ts for deadlines.
   */
  question(target: TargetDesc, args: unknown[], options?: CallOptions): Promise<unknown> {
    return ask(this, target, args, options === undefined ? this.callDefaults : { ...this.callDefaults, ...options });
  }

  /** Fire-and-forget: `<op:deliver to args f f>` (or `op:deliver-only` under the suite profile). @returns the bytes sent. */
  sendOnly(target: TargetDesc, args: unknown[]): number {
    return this.callsRefused ? 0 : this.deliverOnly(target, args);
  }

  private deliverOnly(target: TargetDesc, args: unknown[]): number {
    if (this.state !== 'active') return 0;
    const to = encodeDesc(target.kind, target.pos);
    const encodedArgs = this.encodeValue(args);
    if (this.detector?.active(this) && this.detector.universalDelivery) return sendUniversal(this, target, encodedArgs);
    if (this.profile.deliverOnly) return this.send(encodeOp('op:deliver-only', { to, args: encodedArgs }));
    return this.send(encodeDeliver(to, encodedArgs, false, false));
  }

  /** op:get then op:listen on the new answer: a promise for one field of a remote Struct. */
  getField(target: TargetDesc, field: string, options?: CallOptions): Promise<unknown> {
    return this.pipelineOp('op:get', target, { fieldName: field }, options);
  }

  /** op:get / op:index / op:untag with a fresh answer position, and an op:listen for its result. */
  pipelineOp(op: 'op:get' | 'op:index' | 'op:untag', target: TargetDesc, fields: Record<string, SyrupValue>, options?: CallOptions): Promise<unknown> {
    return askPart(this, op, target, fields, { ...this.callDefaults, ...options });
  }

  /** Send op:listen on `target` with a fresh resolver that settles `settler`. */
  listen(target: TargetDesc, settler: Settler, onSettled?: () => void): void {
    listenTo(this, target, settler, onSettled);
  }

  /**
   * From now on, new calls through this session's references fail at once with `error` (and
   * sends without an answer are dropped); everything else goes on. The node uses it while it
   * closes gracefully.
   */
  refuseNewCalls(error: Error): void {
    this.callsRefused ??= error;
  }

  private callsRefused: Error | undefined;

  /** Resolves once everything sent so far has left our buffers (see {@link OutputFlow.whenEmpty}), or the session ended. */
  whenSent(): Promise<void> {
    return this.flow.whenEmpty();
  }

  /** Throws unless the session is established. @internal (questions.ts) */
  assertCanAsk(): void {
    this.assertActive();
    if (this.callsRefused) throw this.callsRefused;
    if (this.questions.size >= this.limits.maxQuestions) throw new RangeError(`too many questions in flight (limit ${this.limits.maxQuestions})`);
  }

  /** Send `value` (`ok`) or a break with reason `value` to the peer's resolver named by `resolver`. @returns the bytes sent. */
  resolveRemote(resolver: ImportDesc, ok: boolean, value: unknown): number {
    if (this.state !== 'active') return 0;
    const to: TargetDesc = { kind: 'export', pos: resolver.pos };
    try {
      return this.deliverOnly(to, [ok ? FULFILL : BREAK, value]);
    } catch (e) {
      // The value could not be passed (e.g. a JS symbol): break with that error instead.
      return this.deliverOnly(to, [BREAK, e instanceof Error ? new Error(e.message) : 'unpassable value']);
    }
  }

  /** A presence for the peer's bootstrap object (its export 0). Never collected. */
  peerBootstrap(): object {
    this.assertActive();
    if (!this.peerBootstrapRef) {
      this.peerBootstrapRef = this.hooks.decodeRef(new SyrupRecord(label('desc:import-object'), [0n]))!.value as object;
    }
    return this.peerBootstrapRef;
  }

  /** Stop importing `ref` now: report its received count with op:gc-exports. */
  releaseImport(ref: object): void {
    const info = refInfo.get(ref);
    if (!info || info.session !== this || info.kind === 'answer' || info.pos === 0) return;
    const count = this.imports.drop(info.pos);
    refInfo.delete(ref);
    if (count > 0) this.gc.exports(info.pos, count);
  }

  /** Send op:abort with `reason`, close the connection and end the session. */
  abort(reason: string): void {
    if (this.state === 'closed') return;
    // Reasons can quote the peer's input (an unknown label of megabytes): send a bounded one.
    if (reason.length > MAX_ABORT_REASON) reason = `${reason.slice(0, MAX_ABORT_REASON).toWellFormed()}… (${reason.length} characters)`;
    this.send(encodeOp('op:abort', { reason }));
    this.teardown(reason);
    this.connection.close();
  }

  /** End the session: break everything pending with an error naming the peer and the cause. */
  teardown(reason: string, fromPeer = false): void {
    if (this.state === 'closed') return;
    const wasHandshake = this.state === 'handshake';
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    this.flow.close();
    this.idle.stop();
    this.liveness?.stop();
    const error = new SessionClosedError(this.peerName, fromPeer ? `peer aborted: ${reason}` : reason, fromPeer);
    this.closeError = error;
    if (wasHandshake) this.readyKit.reject(error);
    // Answers that arrived before the end may still be on their way to our resolvers (a
    // delivery to a local object runs a microtask later): break what is left after them, so
    // an answer the peer sent before op:abort or closing is not lost.
    const pending = [...this.questions.values(), ...this.remotePromises];
    if (pending.length > 0) setTimeout(() => pending.forEach((settler) => settler.reject(error)), 0);
    this.questions.clear();
    this.remotePromises.clear();
    this.exports.clear();
    this.imports.clear();
    this.answers.clear();
    this.gc.clear();
    this.connection.close();
    this.host.closed(this, error);
    this.closedKit.resolve(error);
  }

  /** Why the session ended, once it has. */
  get closeReason(): SessionClosedError | undefined {
    return this.closeError;
  }

}
