/**
 * The public node API: start a node on netlayers, register objects as sturdyrefs, enliven
 * sturdyrefs into remote references, and keep exactly one session per peer (notes §5).
 * @module
 */
import { E } from '../captp/eventual-send.js';
import { CaptpSession, type SessionHost, type WireEvent } from '../captp/session.js';
import { resolveProfile, type CompatProfile, PROFILES } from '../captp/profile.js';
import { resolveLimits, type SessionLimits } from '../captp/limits.js';
import { CROSSED_HELLOS, isCrossedHellos, type SessionClosedError } from '../captp/errors.js';
import { refInfo, type RefInfo } from '../captp/refs.js';
import { compareBytes } from '../syrup/index.js';
import type { SyrupRecord, SyrupValue } from '../syrup/types.js';
import { OcapnSturdyRef } from '../model/index.js';
import { formatSturdyRefUri, locatorKey, parseOcapnUri, sameLocator } from '../locator/index.js';
import type { PeerLocator, SturdyRef } from '../locator/types.js';
import type { Connection, Netlayer } from '../netlayers/interface.js';
import { SwissTable } from './registry.js';
import { makeBootstrap } from './bootstrap.js';
import { HandoffManager, type HandoffOptions } from '../handoff/index.js';

type ProfileChoice = CompatProfile | keyof typeof PROFILES;

/** Options of {@link OcapnNode}. */
export interface NodeOptions {
  /** The netlayers this node listens and dials on (at least one). */
  netlayers: Netlayer[];
  /** Compatibility profile for every peer (default `goblins`, what Goblins 0.18 accepts; notes §15). */
  profile?: ProfileChoice;
  /** Per-peer profile; falls back to `profile`. A peer that speaks the suite's legacy forms is switched to `suite`. */
  profileFor?: (peer: PeerLocator) => ProfileChoice | undefined;
  /** Session limits (see {@link SessionLimits}). */
  limits?: Partial<SessionLimits>;
  /** Third-party handoff limits. */
  handoff?: Partial<HandoffOptions>;
  /** Observe every CapTP message in and out (for transcripts and wire printing). */
  tap?: (event: WireEvent) => void;
  /** Most sessions (including ones still in their handshake) at once; more connections are closed. Default 10,000. */
  maxSessions?: number;
  /** Longest swiss number registered or fetched, in bytes; a longer `fetch` breaks. Default 256. */
  maxSwissBytes?: number;
}

/** A reference to a remote object of type `T`: use it with `E(ref).method(...)`. */
export type Remote<T> = T extends object ? T & { readonly __remote?: true } : T;

/** An OCapN node: one identity per netlayer, many sessions. */
export class OcapnNode {
  private readonly netlayers: Netlayer[];
  private readonly profile: CompatProfile;
  private readonly profileFor: NodeOptions['profileFor'];
  private readonly limits: SessionLimits;
  private readonly tap: NodeOptions['tap'];
  private readonly swiss: SwissTable;
  private readonly active = new Map<string, CaptpSession>();
  private readonly dialling = new Map<string, { session?: CaptpSession; promise: Promise<CaptpSession>; settle: (s: CaptpSession | Error) => void }>();
  private readonly allSessions = new Set<CaptpSession>();
  /** Third-party handoffs (notes §9). */
  readonly handoff: HandoffManager;
  private closed = false;
  private readonly maxSessions: number;
  /** When each session's connection was attached and its handshake finished (a node-wide sequence). */
  private readonly order = new WeakMap<CaptpSession, { attached: number; established?: number }>();
  private seq = 0;

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
    this.limits = resolveLimits(options.limits);
    this.tap = options.tap;
    this.maxSessions = options.maxSessions ?? 10_000;
    if (!Number.isSafeInteger(this.maxSessions) || this.maxSessions <= 0) {
      throw new RangeError(`maxSessions must be a positive integer, got ${String(options.maxSessions)}`);
    }
    this.swiss = new SwissTable({ maxSwissBytes: options.maxSwissBytes });
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

  /**
   * Register `object` under a swiss number (32 random bytes unless given) and return its
   * sturdyref. `fetch` on our bootstrap object with that swiss number returns `object`.
   */
  register(object: unknown, swiss?: Uint8Array | string): OcapnSturdyRef {
    this.assertOpen();
    const bytes = this.swiss.register(object, swiss);
    return new OcapnSturdyRef(this.location, bytes);
  }

  /** Register `object` and return its sturdyref as an `ocapn://` URI (swiss in base64url). */
  sturdyRefUri(object: unknown, swiss?: Uint8Array | string): string {
    return formatSturdyRefUri(this.register(object, swiss));
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
   * Run `use` on the session with `peer`; if that session is given up to a crossed-hellos
   * race meanwhile (notes §5.4), run it once more on the session that survived.
   */
  async withSession<R>(peer: PeerLocator, use: (session: CaptpSession) => Promise<R> | R): Promise<R> {
    try {
      return await use(await this.connect(peer));
    } catch (e) {
      if (!isCrossedHellos(e)) throw e;
      return use(await this.connect(peer));
    }
  }

  /** Whether `loc` names this node on one of its netlayers. */
  isOwnLocation(loc: PeerLocator): boolean {
    return this.netlayers.some((n) => sameLocator(n.location, loc));
  }

  /** The session with `peer`: the active one, the one being set up, or a new one. */
  connect(peer: PeerLocator): Promise<CaptpSession> {
    this.assertOpen();
    const key = locatorKey(peer);
    const existing = this.active.get(key);
    if (existing?.isActive) return Promise.resolve(existing);
    const pending = this.dialling.get(key);
    if (pending) return pending.promise;
    const netlayer = this.netlayers.find((n) => n.transport === peer.transport);
    if (!netlayer) return Promise.reject(new TypeError(`no netlayer for transport ${peer.transport}`));
    let settle!: (s: CaptpSession | Error) => void;
    const promise = new Promise<CaptpSession>((res, rej) => {
      settle = (s) => (s instanceof Error ? rej(s) : res(s));
    });
    promise.catch(() => {});
    const entry: { session?: CaptpSession; promise: Promise<CaptpSession>; settle: typeof settle } = { promise, settle };
    this.dialling.set(key, entry);
    const fail = (e: Error) => {
      if (this.dialling.get(key) === entry) this.dialling.delete(key);
      // Our dial lost a crossed-hellos race: the peer's connection is the session to use.
      const survivor = this.sessionWith(peer);
      settle(survivor ?? e);
    };
    netlayer.connect(peer).then(
      (conn) => {
        // Closed meanwhile, or an incoming session from this peer already won (crossed hellos).
        if (this.closed || this.dialling.get(key) !== entry) return conn.close();
        try {
          const session = this.attach(conn, netlayer, peer);
          entry.session = session;
          session.ready.catch(fail);
        } catch (e) {
          fail(e as Error);
        }
      },
      (e: Error) => fail(new Error(`cannot connect to ${peer.designator}.${peer.transport}: ${e.message}`)),
    );
    return promise;
  }

  private attach(conn: Connection, netlayer: Netlayer, dialled?: PeerLocator): CaptpSession {
    if (this.closed) {
      conn.close();
      throw new Error('node is closed');
    }
    if (this.allSessions.size >= this.maxSessions) {
      conn.close();
      throw new RangeError(`too many sessions (maxSessions ${this.maxSessions})`);
    }
    const node = this;
    const host: SessionHost = {
      location: netlayer.location,
      makeBootstrap: (s) => makeBootstrap(node, s),
      admit: (s) => node.admit(s, netlayer, dialled),
      closed: (s, err) => node.sessionClosed(s, err),
      encodeForeign: (s, ref, info: RefInfo) => node.handoff.encodeForeign(s, ref, info),
      decodeSigEnvelope: (s, env: SyrupRecord) => node.handoff.decodeSigEnvelope(s, env),
      tap: this.tap,
    };
    const peerProfile = dialled && this.profileFor ? this.profileFor(dialled) : undefined;
    const session = new CaptpSession(conn, host, { profile: resolveProfile(peerProfile ?? this.profile), limits: this.limits });
    this.allSessions.add(session);
    this.order.set(session, { attached: ++this.seq });
    return session;
  }

  /** Decide whether a session whose peer just identified itself may live (notes §5.3, §5.4). */
  private admit(s: CaptpSession, netlayer: Netlayer, dialled?: PeerLocator): string | undefined {
    const peer = s.peerLocation!;
    if (peer.transport !== netlayer.transport) return `peer location names transport ${peer.transport} on a ${netlayer.transport} connection`;
    if (dialled && !sameLocator(dialled, peer)) return 'peer location does not match the one dialled';
    if (!dialled && this.profileFor) {
      const p = this.profileFor(peer);
      if (p) s.profile = resolveProfile(p);
    }
    const key = locatorKey(peer);
    const order = this.order.get(s)!;
    order.established = ++this.seq;
    const pending = this.dialling.get(key);
    // The other session with this peer, if any: the active one, or our dial still in its handshake.
    const active = this.active.get(key);
    const other = active && active !== s && active.isActive ? active : pending?.session !== s && pending?.session?.isOpen ? pending.session : undefined;
    if (other) {
      // Crossed hellos (notes §5.4): the two connections go opposite ways and this one was
      // opened before the other finished its handshake. Keep the connection whose opener's
      // Public ID is higher. Otherwise this is a duplicate and is refused (§5.3).
      const otherEstablished = this.order.get(other)?.established ?? Infinity;
      const crossed = s.connection.outgoing !== other.connection.outgoing && order.attached < otherEstablished;
      if (!crossed) return 'a session with this peer is already active';
      const [out, inc] = s.connection.outgoing ? [s, other] : [other, s];
      const loser = compareBytes(out.ourPublicId, inc.peerPublicId!) > 0 ? inc : out;
      if (loser === s) return CROSSED_HELLOS;
      other.abort(CROSSED_HELLOS);
    }
    this.active.set(key, s);
    if (pending) {
      this.dialling.delete(key);
      pending.settle(s);
    }
    return undefined;
  }

  private sessionClosed(s: CaptpSession, err: SessionClosedError): void {
    this.allSessions.delete(s);
    if (s.peerLocation) {
      const key = locatorKey(s.peerLocation);
      if (this.active.get(key) === s) this.active.delete(key);
    }
    this.handoff.sessionClosed(s, err);
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

  /** The active session with `peer`, if any (no dialling). */
  sessionWith(peer: PeerLocator): CaptpSession | undefined {
    const s = this.active.get(locatorKey(peer));
    return s?.isActive ? s : undefined;
  }

  /** The active session whose SessionID is `id`, if any. */
  sessionById(id: Uint8Array): CaptpSession | undefined {
    for (const s of this.allSessions) if (s.isActive && s.id && compareBytes(s.id, id) === 0) return s;
    return undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('this OcapnNode is closed');
  }

  /** Abort every session (with `reason`) and close every netlayer. Idempotent. */
  async close(reason = 'node shutting down'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.allSessions]) s.abort(reason);
    for (const [, d] of this.dialling) d.settle(new Error(`node closed: ${reason}`));
    this.dialling.clear();
    await Promise.all(this.netlayers.map((n) => n.close()));
  }
}

export type { SyrupValue };
