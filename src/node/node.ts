/**
 * The public node API: start a node on netlayers, register objects as sturdyrefs, enliven
 * sturdyrefs into remote references, and keep exactly one session per peer (notes §5).
 * @module
 */
import { E } from '../captp/eventual-send.js';
import { CaptpSession, type SessionHost } from '../captp/session.js';
import { resolveProfile, type CompatProfile } from '../captp/profile.js';
import { resolveLimits, type SessionLimits } from '../captp/limits.js';
import { isCrossedHellos, peerHasOtherSession, type SessionClosedError } from '../captp/errors.js';
import { ByteBudget } from '../captp/budget.js';
import { refInfo, type RefInfo } from '../captp/refs.js';
import { compareBytes } from '../syrup/index.js';
import type { SyrupRecord, SyrupValue } from '../syrup/types.js';
import { OcapnSturdyRef } from '../model/index.js';
import { formatSturdyRefUri, locatorKey, parseOcapnUri, sameLocator } from '../locator/index.js';
import type { PeerLocator, SturdyRef } from '../locator/types.js';
import type { Connection, Netlayer } from '../netlayers/interface.js';
import { toHex } from '../syrup/bytes.js';
import { SwissTable, locationOn, sturdyRefArgs, swissToRevoke, type SturdyRefOptions } from './registry.js';
import { checkConnection, checkIdentity } from './admission.js';
import { PeerSessions } from './peers.js';
import { RateLimiter, resolveNodeLimits, type NodeLimits } from './limits.js';
import { NodeEvents, type NodeEventMap, type NodeListener } from './events.js';
import { resolveLiveness, type LivenessOptions } from '../captp/liveness.js';
import { checkCallOptions, type CallOptions } from '../captp/call-options.js';
import { makeBootstrap } from './bootstrap.js';
import { nodeStats, type NodeStats } from '../captp/stats.js';
import { HandoffManager } from '../handoff/index.js';
import { makeReconnecting, resolveReconnectOptions, whenReconnectingBroken, type ReconnectError, type ReconnectOptions } from './reconnect.js';

export type { NodeOptions } from './options.js';
export { DEFAULT_CLOSE_DRAIN_MS } from './options.js';
import { DEFAULT_CLOSE_DRAIN_MS, type NodeOptions } from './options.js';

import type { Remote } from '../captp/remote-types.js';
import type { Overrides } from '../captp/options.js';
/** A reference to a remote object of type `T`: opaque, use it with `E(ref).method(...)`. */
export type { Remote };

/** An OCapN node: one identity per netlayer, many sessions. */
export class OcapnNode {
  private readonly netlayers: Netlayer[];
  private readonly profile: CompatProfile;
  private readonly profileFor: NodeOptions['profileFor'];
  private readonly onMethodError: NodeOptions['onMethodError'];
  private readonly limits: SessionLimits;
  private readonly tap: NodeOptions['tap'];
  private readonly swiss: SwissTable;
  private readonly peers = new PeerSessions();
  private readonly allSessions = new Set<CaptpSession>();
  /** Third-party handoffs (notes §9). */
  readonly handoff: HandoffManager;
  /** Set when {@link close} starts: no new sessions, calls, dials. */
  private closed = false;
  private closing: Promise<void> | undefined;
  private closeReason = '';
  private readonly closeDrainMs: number;
  /** Node-wide limits. */
  readonly nodeLimits: NodeLimits;
  private readonly rate: RateLimiter;
  private readonly answerBudget: ByteBudget;
  private handshakes = 0;
  /** Open sessions per remote address, and per peer session key (hex). */
  private readonly perAddress = new Map<string, number>();
  private readonly perKey = new Map<string, number>();
  private readonly events = new NodeEvents();
  private readonly liveness: LivenessOptions | false;
  private readonly callDefaults: CallOptions;

  constructor(options: NodeOptions) {
    if (!options || !Array.isArray(options.netlayers) || options.netlayers.length === 0) {
      throw new TypeError('OcapnNode needs options.netlayers: a non-empty array of netlayers');
    }
    const transports = new Set<string>();
    for (const n of options.netlayers) {
      if (typeof n !== 'object' || n === null || typeof n.transport !== 'string' || typeof n.accept !== 'function' || typeof n.connect !== 'function' || typeof n.close !== 'function') {
        throw new TypeError('OcapnNode: each of options.netlayers must be a Netlayer (transport, location, accept, connect, close)');
      }
      if (transports.has(n.transport)) throw new TypeError(`two netlayers with transport ${n.transport}`);
      transports.add(n.transport);
    }
    this.netlayers = [...options.netlayers];
    this.profile = resolveProfile(options.profile);
    this.profileFor = options.profileFor;
    if (options.profileFor !== undefined && typeof options.profileFor !== 'function') throw new TypeError('OcapnNode profileFor must be a function');
    if (options.onMethodError !== undefined && typeof options.onMethodError !== 'function') throw new TypeError('OcapnNode onMethodError must be a function');
    this.onMethodError = options.onMethodError;
    this.limits = resolveLimits(options.limits);
    this.tap = options.tap;
    if (options.maxSessions !== undefined && (!Number.isSafeInteger(options.maxSessions) || options.maxSessions <= 0)) {
      throw new RangeError(`maxSessions must be a positive integer, got ${String(options.maxSessions)}`);
    }
    this.nodeLimits = resolveNodeLimits({ maxSessions: options.maxSessions, ...options.nodeLimits });
    this.rate = new RateLimiter(this.nodeLimits.handshakesPerSecondPerAddress, this.nodeLimits.handshakeBurstPerAddress);
    this.answerBudget = new ByteBudget('maxAnswerBytes', this.nodeLimits.maxAnswerBytes);
    this.swiss = new SwissTable({ maxSwissBytes: options.maxSwissBytes });
    this.liveness = resolveLiveness(options.liveness);
    this.callDefaults = checkCallOptions(options.callTimeoutMs === undefined ? undefined : { timeoutMs: options.callTimeoutMs }, 'OcapnNode callTimeoutMs');
    const drain = options.closeDrainMs ?? DEFAULT_CLOSE_DRAIN_MS;
    if (typeof drain !== 'number' || !Number.isSafeInteger(drain) || drain < 0 || drain > 2 ** 31 - 1) {
      throw new RangeError(`closeDrainMs must be an integer from 0 to 2^31-1, got ${String(drain)}`);
    }
    this.closeDrainMs = drain;
    this.handoff = new HandoffManager(this, options.handoff);
    for (const n of this.netlayers) {
      n.accept((conn) => {
        try {
          this.attach(conn, n);
        } catch {
          // Closed node or too many sessions: attach() already closed the connection.
        }
      });
    }
  }

  /** Our locator on the first netlayer. */
  get location(): PeerLocator {
    return this.netlayers[0].location;
  }

  /** Every session that has not ended yet. */
  get sessions(): readonly CaptpSession[] {
    return [...this.allSessions].filter((s) => s.isOpen);
  }

  /** Snapshots of every open session's tables and traffic, and their sums (see {@link NodeStats}; docs/observability.md). */
  stats(): NodeStats {
    return nodeStats(this.sessions);
  }

  /**
   * Register `object` under a swiss number and return its sturdyref (a passable
   * {@link OcapnSturdyRef}). `fetch` on our bootstrap object with that swiss number returns
   * `object`.
   *
   * The swiss number is 32 fresh random bytes unless one is given (`swiss`, or
   * `options.swiss`): a chosen one keeps the sturdyref valid across restarts, together with the
   * node's identity (docs/persistence.md). **A swiss number is a secret**: it is the
   * capability itself, so a chosen one must be as unguessable as a random one (32 random
   * bytes, stored like a private key), never a name or a counter.
   * @param swiss - a chosen swiss number (bytes; a string is taken as its UTF-8 bytes), or the
   *   options object in its place.
   * @param options - `transport`: which netlayer's locator the sturdyref names (default the
   *   first netlayer's); `swiss`: as the argument.
   * @throws TypeError if `swiss` is neither bytes nor a string, or a string with a lone
   *   surrogate, or is already registered to another object, or the options are malformed;
   *   RangeError if it is empty or longer than `maxSwissBytes` (default 256 bytes), or the
   *   node has no netlayer for `options.transport`; Error if the node is closing.
   */
  register(object: unknown, swiss?: Uint8Array | string | SturdyRefOptions, options?: SturdyRefOptions): OcapnSturdyRef {
    this.assertOpen();
    const args = sturdyRefArgs(swiss, options, 'register');
    const location = args.transport === undefined ? this.location : locationOn(this.netlayers, args.transport);
    const bytes = this.swiss.register(object, args.swiss);
    return new OcapnSturdyRef(location, bytes);
  }

  /**
   * Register `object` and return its sturdyref as an `ocapn://…/s/<swiss>` URI (swiss in
   * base64url): `node.sturdyRefUri(obj)`, `node.sturdyRefUri(obj, swiss)`,
   * `node.sturdyRefUri(obj, { transport: 'websocket' })`. Same arguments, rules and errors as
   * {@link register}; read its warning about chosen swiss numbers.
   */
  sturdyRefUri(object: unknown, swiss?: Uint8Array | string | SturdyRefOptions, options?: SturdyRefOptions): string {
    return formatSturdyRefUri(this.register(object, swiss, options));
  }

  /**
   * Revoke a sturdyref of this node: remove its swiss number from the table, so that every
   * later `fetch` of it (an {@link enliven} by anyone, with the URI or the bytes) breaks with
   * "sturdyref revoked: …". The object itself is untouched and can be registered again.
   *
   * Sessions that already fetched the object **keep their live reference**: OCapN has no way
   * to revoke a live reference. To be able to cut those off too, register a caretaker (a
   * forwarder you can switch off) instead of the object itself (docs/persistence.md).
   * @param ref - the sturdyref's `ocapn://…/s/…` URI (swiss in base64url, as
   *   {@link sturdyRefUri} writes it), a {@link SturdyRef}, or the swiss number's bytes.
   * @returns whether something was registered under that swiss number.
   * @throws TypeError (LocatorError) for a malformed URI or argument; RangeError if the
   *   sturdyref names another peer.
   */
  revokeSturdyRef(ref: string | SturdyRef | Uint8Array): boolean {
    return this.swiss.revoke(swissToRevoke(ref, (peer) => this.isOwnLocation(peer)));
  }

  /** Look up what `fetch` returns for `swiss` (throws if nothing is registered). */
  fetchLocal(swiss: Uint8Array): unknown {
    return this.swiss.lookup(swiss);
  }

  /**
   * Turn a sturdyref (object or `ocapn://…/s/…` URI) into a live reference: connect to its peer
   * (reusing a session) and `fetch` the swiss number. Rejects if the peer cannot be reached or
   * has no such object.
   */
  async enliven<T = unknown>(ref: SturdyRef | string): Promise<Remote<T>> {
    const sturdy = typeof ref === 'string' ? parseOcapnUri(ref) : ref;
    if (!sturdy || typeof sturdy !== 'object' || !('swiss' in sturdy)) throw new TypeError('enliven needs a sturdyref (an ocapn://…/s/… URI or a SturdyRef)');
    if (this.isOwnLocation(sturdy.peer)) return this.swiss.lookup(sturdy.swiss) as Remote<T>;
    return (await this.withSession(sturdy.peer, (session) => (E(session.peerBootstrap()) as any).fetch(sturdy.swiss))) as Remote<T>;
  }

  /**
   * Like {@link enliven}, but the reference survives the end of its session: the next call
   * after that enlivens `ref` again, with exponential backoff and jitter, up to `maxAttempts`
   * attempts (see {@link ReconnectOptions}; docs/failures.md). Calls in flight when a session
   * fails break and are never sent again (at-most-once). Calls made while there is no live
   * reference wait (`whileDown: 'wait'`, default; bounded by `maxQueued` and `waitTimeoutMs`)
   * or fail at once (`'fail'`) with a {@link ReconnectError}. References obtained through it
   * belong to the session they came from and break with it. {@link whenBroken} resolves once
   * it gave up for good.
   * @returns once the first enlivening succeeded; rejects with a {@link ReconnectError} if it
   *   gave up.
   * @throws TypeError / RangeError for a bad sturdyref or options (synchronously).
   */
  enlivenReconnecting<T = unknown>(ref: SturdyRef | string, options?: Overrides<ReconnectOptions>): Promise<Remote<T>> {
    const sturdy = typeof ref === 'string' ? parseOcapnUri(ref) : ref;
    if (!sturdy || typeof sturdy !== 'object' || !('swiss' in sturdy)) throw new TypeError('enlivenReconnecting needs a sturdyref (an ocapn://…/s/… URI or a SturdyRef)');
    const resolved = resolveReconnectOptions(options);
    const host = { enliven: (s: SturdyRef) => this.enliven(s), closing: () => (this.closed ? this.closeReason : undefined) };
    return makeReconnecting<Remote<T>>(host, sturdy, resolved);
  }

  /**
   * Run `use` on the session with `peer`; if that session is given up to a crossed-hellos
   * race meanwhile (notes §5.4), or the peer refused it because it holds another session
   * with us, run it once more on the session that survived (or a new one).
   */
  async withSession<R>(peer: PeerLocator, use: (session: CaptpSession) => Promise<R> | R): Promise<R> {
    try {
      return await use(await this.connect(peer));
    } catch (e) {
      if (!isCrossedHellos(e) && !peerHasOtherSession(e)) throw e;
      return use(await this.connect(peer));
    }
  }

  /** Whether `loc` names this node on one of its netlayers. */
  isOwnLocation(loc: PeerLocator): boolean {
    return this.netlayers.some((n) => sameLocator(n.location, loc));
  }

  /**
   * The session that serves `peer`: the active one, the one being set up, or a new one. On a
   * netlayer that proves the peers we dial, a session the peer opened and only claimed is not
   * used: we dial (see src/node/peers.ts).
   */
  connect(peer: PeerLocator): Promise<CaptpSession> {
    if (this.closed) return Promise.reject(this.closedError());
    const key = locatorKey(peer);
    const existing = this.peers.serving(key);
    if (existing) return Promise.resolve(existing);
    const pending = this.peers.dialling.get(key);
    if (pending) return pending.promise;
    const netlayer = this.netlayers.find((n) => n.transport === peer.transport);
    if (!netlayer) return Promise.reject(new TypeError(`no netlayer for transport ${peer.transport}`));
    let settle!: (s: CaptpSession | Error) => void;
    const promise = new Promise<CaptpSession>((res, rej) => {
      settle = (s) => (s instanceof Error ? rej(s) : res(s));
    });
    promise.catch(() => {});
    const entry: { session?: CaptpSession; promise: Promise<CaptpSession>; settle: typeof settle } = { promise, settle };
    this.peers.dialling.set(key, entry);
    const fail = (e: Error) => {
      if (this.peers.dialling.get(key) === entry) this.peers.dialling.delete(key);
      // Our dial lost a crossed-hellos race, or the peer already had a session with us: use that one.
      settle(this.peers.serving(key) ?? e);
    };
    netlayer.connect(peer).then(
      (conn) => {
        // Closed meanwhile, or an incoming session from this peer already won (crossed hellos).
        if (this.closed || this.peers.dialling.get(key) !== entry) return conn.close();
        try {
          const session = this.attach(conn, netlayer, peer);
          entry.session = session;
          session.ready.catch((e: Error) => {
            // Refused before its handshake finished, by the peer the netlayer proved.
            if (conn.provenDesignator === peer.designator && peerHasOtherSession(e)) this.peers.vouched(key);
            fail(e);
          });
        } catch (e) {
          fail(e as Error);
        }
      },
      (e: Error) => fail(new Error(`cannot connect to ${peer.designator}.${peer.transport}: ${e.message}`)),
    );
    return promise;
  }

  private attach(conn: Connection, netlayer: Netlayer, dialled?: PeerLocator): CaptpSession {
    const refusal = checkConnection(
      {
        limits: this.nodeLimits,
        closed: this.closed,
        sessions: this.allSessions.size,
        handshakes: this.handshakes,
        sessionsFrom: (address) => this.perAddress.get(address) ?? 0,
        rate: this.rate,
      },
      conn,
    );
    if (refusal !== undefined) {
      conn.close();
      throw new RangeError(refusal);
    }
    const node = this;
    const host: SessionHost = {
      location: netlayer.location,
      makeBootstrap: (s) => makeBootstrap(node, s),
      admit: (s) => node.admit(s, netlayer, dialled),
      closed: (s, err) => node.sessionClosed(s, err),
      encodeForeign: (s, ref, info: RefInfo) => node.handoff.encodeForeign(s, ref, info),
      decodeSigEnvelope: (s, env: SyrupRecord) => node.handoff.decodeSigEnvelope(s, env),
      heard: (s) => node.peers.heard(s),
      methodError: (s, e, method) => node.onMethodError?.(e, { method, peer: s.peerLocation }),
      tap: this.tap,
    };
    const peerProfile = dialled && this.profileFor ? this.profileFor(dialled) : undefined;
    const address = conn.outgoing ? undefined : conn.remoteAddress;
    if (address !== undefined) this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    this.handshakes++;
    const session = new CaptpSession(conn, host, {
      profile: resolveProfile(peerProfile ?? this.profile),
      limits: this.limits,
      nodeAnswerBudget: this.answerBudget,
      liveness: this.liveness,
      callDefaults: this.callDefaults,
    });
    this.allSessions.add(session);
    this.accounting.set(session, { address, handshaking: true });
    this.peers.attached(session);
    return session;
  }

  /** What each open session counts against the node limits. */
  private readonly accounting = new WeakMap<CaptpSession, { address?: string; handshaking: boolean; key?: string }>();

  /** Decide whether a session whose peer just identified itself may live (notes §5.3, §5.4). */
  private admit(s: CaptpSession, netlayer: Netlayer, dialled?: PeerLocator): string | undefined {
    const acct = this.accounting.get(s)!;
    acct.handshaking = false;
    this.handshakes--;
    const key = toHex(s.peerPublicKey!);
    acct.key = key;
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    const refusal = checkIdentity(
      {
        limits: this.nodeLimits,
        isOwnDesignator: (loc) => this.netlayers.some((n) => n.transport === loc.transport && n.location.designator === loc.designator),
        sessionsWithKey: (k) => this.perKey.get(toHex(k)) ?? 0,
        claimedSessions: (k) => this.peers.claimedCount(k),
      },
      s,
      netlayer,
      dialled,
    );
    if (refusal !== undefined) return refusal;
    if (!dialled && this.profileFor) {
      const p = this.profileFor(s.peerLocation!);
      if (p) s.profile = resolveProfile(p);
    }
    const untrustedClaims = netlayer.authenticates === 'dialled' || netlayer.authenticates === 'both';
    const placed = this.peers.place(s, untrustedClaims);
    if (placed === undefined) queueMicrotask(() => s.isActive && this.events.emit('session-open', { session: s, peer: s.peerLocation!, identity: s.identity }));
    return placed;
  }

  /**
   * Call `listener` on each `type` event until the returned function is called:
   * `session-open` (a session was established) or `session-close` (one ended, with why).
   * Platform-neutral. @throws TypeError for an unknown event or a non-function listener.
   */
  on<K extends keyof NodeEventMap>(type: K, listener: NodeListener<K>): () => void {
    return this.events.on(type, listener);
  }

  /**
   * Resolves, with the reason, once `ref` can no longer work because the session it lives on
   * ended (capnweb's onRpcBroken); for a reference from {@link enlivenReconnecting}, once it
   * gave up for good (a {@link ReconnectError}). Never rejects.
   * @throws TypeError if `ref` is not a remote reference.
   */
  whenBroken(ref: object): Promise<SessionClosedError | ReconnectError> {
    const reconnecting = typeof ref === 'object' && ref !== null ? whenReconnectingBroken(ref) : undefined;
    if (reconnecting) return reconnecting;
    const info = refInfo.get(ref);
    if (!info || !(info.session instanceof CaptpSession)) throw new TypeError('whenBroken needs a remote reference (a presence or a promise from a peer)');
    return info.session.closed;
  }

  private sessionClosed(s: CaptpSession, err: SessionClosedError): void {
    this.allSessions.delete(s);
    const acct = this.accounting.get(s);
    if (acct) {
      if (acct.handshaking) this.handshakes--;
      if (acct.address !== undefined) decrement(this.perAddress, acct.address);
      if (acct.key !== undefined) decrement(this.perKey, acct.key);
      this.accounting.delete(s);
    }
    this.peers.closed(s, err);
    this.handoff.sessionClosed(s, err);
    this.events.emit('session-close', { session: s, peer: s.peerLocation, error: err });
  }

  /**
   * Stop importing a remote reference now instead of waiting for JS garbage collection: the
   * session reports it with op:gc-exports. Later use of `ref` is not recommended. Ignores
   * anything that is not a remote presence or imported promise.
   */
  release(ref: object): void {
    const info = refInfo.get(ref);
    if (info && info.session instanceof CaptpSession) info.session.releaseImport(ref);
  }

  /** The session that serves `peer`, if any (no dialling; claimed-only sessions excluded where the netlayer can prove peers). */
  sessionWith(peer: PeerLocator): CaptpSession | undefined {
    return this.peers.serving(locatorKey(peer));
  }

  /** The active session whose SessionID is `id`, if any. */
  sessionById(id: Uint8Array): CaptpSession | undefined {
    for (const s of this.allSessions) if (s.isActive && s.id && compareBytes(s.id, id) === 0) return s;
    return undefined;
  }

  private closedError(): Error {
    return new Error(`this OcapnNode is ${this.closeDone ? 'closed' : 'closing'}: ${this.closeReason}`);
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closeDone = false;

  /**
   * Close gracefully; idempotent (later calls return the same promise). The node goes
   * through three states:
   * 1. open;
   * 2. closing: new connections are refused; `enliven`, `connect`, `register` and new calls
   *    through remote references fail at once ("this OcapnNode is closing: …"), dials under
   *    way fail; the peers' calls are still answered; the node waits, at most
   *    `closeDrainMs`, until every connection has sent what is already in its buffers (an
   *    answer sent just before `close`, say);
   * 3. closed: every session is aborted with `reason` (op:abort), so whatever is still
   *    pending breaks, and every netlayer is closed.
   */
  close(reason = 'node shutting down'): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closeReason = reason;
    const refused = this.closedError();
    for (const s of this.allSessions) s.refuseNewCalls(refused);
    for (const [, d] of this.peers.dialling) d.settle(refused);
    this.peers.dialling.clear();
    this.closing = this.drainAndClose(reason);
    return this.closing;
  }

  private async drainAndClose(reason: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.closeDrainMs)));
    await Promise.race([Promise.all([...this.allSessions].map((s) => s.whenSent())), limit]);
    clearTimeout(timer);
    for (const s of [...this.allSessions]) s.abort(reason);
    await Promise.all(this.netlayers.map((n) => n.close()));
    this.closeDone = true;
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

export type { SyrupValue };
