/**
 * An in-memory netlayer (transport `memory`) for fast, deterministic tests: several nodes in
 * one process, joined through a {@link MemoryNetwork}. Not an OCapN transport: no peer
 * outside this process can reach it. See docs/netlayers.md.
 * @module
 */
import type { Hints, PeerLocator } from '../locator/types.js';
import { AcceptQueue, checkMessageLimit, checkSendBytes } from './common.js';
import { ConnectionEventQueue } from './event-queue.js';
import type { Connection, ConnectionHandlers, Netlayer } from './interface.js';

/** The transport name of {@link MemoryNetlayer}. */
export const MEMORY_TRANSPORT = 'memory';

/** How a {@link MemoryNetwork} schedules each delivery. */
export type MemoryDelivery = 'microtask' | 'macrotask';

/** Options of {@link MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /**
   * `'microtask'` (default): each message, close and new connection reaches the other side
   * in a later microtask (fast; a test can `await` a few ticks). `'macrotask'`: in a later
   * macrotask (`setImmediate`; a 0 ms timer where there is none, as in browsers), closer to a
   * real socket, so timers and I/O can interleave.
   */
  deliver?: MemoryDelivery | undefined;
}

/** One link between two {@link MemoryConnection} ends. */
interface Link {
  severed: boolean;
}

/** In an inbox, after the messages: the other end closed gracefully. */
const CLOSED = Symbol('closed');

/**
 * A private, in-process network. Each {@link MemoryNetwork.netlayer} call adds one node; nodes
 * can only reach nodes of the same network.
 *
 * Cutting links for tests: {@link MemoryNetwork.sever} (every connection between two
 * designators) or {@link MemoryConnection.sever} (one connection). A severed connection loses
 * the messages still in flight, and both ends get `close(error)` at once, as when a socket
 * drops without a goodbye.
 */
export class MemoryNetwork {
  readonly #netlayers = new Map<string, MemoryNetlayer>();
  readonly #schedule: (task: () => void) => void;
  #counter = 0;

  /**
   * @param options see {@link MemoryNetworkOptions}.
   * @throws TypeError if `options` is not an object or `deliver` is not `'microtask'`/`'macrotask'`.
   */
  constructor(options: MemoryNetworkOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('MemoryNetwork options must be an object');
    }
    const deliver = options.deliver ?? 'microtask';
    if (deliver === 'microtask') this.#schedule = queueMicrotask;
    // setImmediate where there is one (Node); a 0 ms timer elsewhere (browsers).
    else if (deliver === 'macrotask') this.#schedule = typeof setImmediate === 'function' ? (task) => void setImmediate(task) : (task) => void setTimeout(task, 0);
    else throw new TypeError(`MemoryNetwork deliver must be 'microtask' or 'macrotask', got ${String(deliver)}`);
  }

  /**
   * Adds a node to this network.
   * @param designator its designator (any non-empty string); default `mem-1`, `mem-2`, …
   * @returns the node's netlayer; its location is `{transport:'memory', designator, hints:false}`.
   * @throws TypeError if `designator` is not a non-empty string; Error if an open netlayer of
   *   this network already uses it (a closed one's designator can be reused).
   */
  netlayer(designator?: string): MemoryNetlayer {
    if (designator === undefined) {
      do designator = `mem-${++this.#counter}`;
      while (this.#netlayers.has(designator));
    } else if (typeof designator !== 'string' || designator.length === 0) {
      throw new TypeError(`MemoryNetwork.netlayer: designator must be a non-empty string, got ${JSON.stringify(designator)}`);
    }
    if (this.#netlayers.has(designator)) {
      throw new Error(`MemoryNetwork.netlayer: designator ${JSON.stringify(designator)} is already in use`);
    }
    const netlayer = new MemoryNetlayer(this, designator, this.#schedule);
    this.#netlayers.set(designator, netlayer);
    return netlayer;
  }

  /**
   * Cuts every open connection between the nodes `a` and `b` (either direction) abruptly:
   * in-flight messages are lost and both ends get `close(error)`.
   * @returns how many connections were cut.
   */
  sever(a: string, b: string, error?: Error): number {
    let count = 0;
    const node = this.#netlayers.get(a);
    if (node === undefined) return 0;
    for (const conn of node.connections) {
      if (conn.remoteDesignator === b && conn.sever(error)) count++;
    }
    return count;
  }

  /** @internal */
  lookup(designator: string): MemoryNetlayer | undefined {
    return this.#netlayers.get(designator);
  }

  /** @internal */
  forget(netlayer: MemoryNetlayer): void {
    if (this.#netlayers.get(netlayer.location.designator) === netlayer) {
      this.#netlayers.delete(netlayer.location.designator);
    }
  }
}

/** One node's netlayer on a {@link MemoryNetwork}. Create it with {@link MemoryNetwork.netlayer}. */
export class MemoryNetlayer implements Netlayer {
  readonly transport = MEMORY_TRANSPORT;
  /** The network knows both ends: every connection proves its peer's designator. */
  readonly authenticates = 'both' as const;
  readonly location: PeerLocator;
  readonly #network: MemoryNetwork;
  readonly #schedule: (task: () => void) => void;
  readonly #connections = new Set<MemoryConnection>();
  readonly #incomingQueue = new AcceptQueue<MemoryConnection>('MemoryNetlayer.accept');
  #closed = false;

  /** @internal Use {@link MemoryNetwork.netlayer}. */
  constructor(network: MemoryNetwork, designator: string, schedule: (task: () => void) => void) {
    this.#network = network;
    this.#schedule = schedule;
    const hints: Hints = false;
    this.location = Object.freeze({ transport: MEMORY_TRANSPORT, designator, hints });
  }

  /** `true` after {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The open connections of this node (a snapshot). */
  get connections(): MemoryConnection[] {
    return [...this.#connections];
  }

  /**
   * Starts handing incoming connections to `onConnection` (those that arrived earlier first).
   * @throws TypeError if `onConnection` is not a function or accept was already called.
   */
  accept(onConnection: (connection: Connection) => void): void {
    this.#incomingQueue.accept(onConnection);
  }

  /**
   * Opens a connection to the node named by `locator.designator` on the same network.
   * @throws TypeError (as a rejection) if `locator` is not a `memory` peer locator;
   *   Error if this netlayer is closed, or no open node of this network has that designator.
   */
  async connect(locator: PeerLocator): Promise<MemoryConnection> {
    if (typeof locator !== 'object' || locator === null || typeof locator.designator !== 'string') {
      throw new TypeError('MemoryNetlayer.connect needs a PeerLocator');
    }
    if (locator.transport !== MEMORY_TRANSPORT) {
      throw new TypeError(`MemoryNetlayer.connect: transport must be 'memory', got ${JSON.stringify(locator.transport)}`);
    }
    const from = this.location.designator;
    if (this.#closed) throw new Error(`memory netlayer ${JSON.stringify(from)} is closed; cannot connect`);
    const target = this.#network.lookup(locator.designator);
    if (target === undefined || target.closed) {
      throw new Error(`memory netlayer: no open node ${JSON.stringify(locator.designator)} on this network (connect from ${JSON.stringify(from)})`);
    }
    const link: Link = { severed: false };
    const ours = new MemoryConnection(this, link, true, from, locator.designator, this.#schedule);
    const theirs = new MemoryConnection(target, link, false, locator.designator, from, this.#schedule);
    MemoryConnection.pair(ours, theirs);
    this.#connections.add(ours);
    target.#connections.add(theirs);
    this.#schedule(() => target.#arrive(theirs));
    return ours;
  }

  /** Unregisters this node (its designator becomes free) and closes its connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#network.forget(this);
    for (const conn of [...this.#connections]) conn.close();
    for (const conn of this.#incomingQueue.takeAll()) conn.close();
  }

  #arrive(conn: MemoryConnection): void {
    if (this.#closed || conn.isClosed) return;
    this.#incomingQueue.offer(conn);
  }

  /** @internal */
  drop(conn: MemoryConnection): void {
    this.#connections.delete(conn);
  }
}

/**
 * One end of an in-memory connection. Messages are copied when sent (the receiver never sees
 * the sender's buffer) and arrive in order, asynchronously. `close()` on either end delivers
 * `close()` (no error) to both, after the messages already sent.
 *
 * Flow control: each end has an inbox of messages sent to it and not yet handed to its
 * handlers. While an end has paused reading ({@link pauseReading}), its inbox fills (a
 * graceful close from the other end waits behind the messages, as a FIN does behind TCP
 * data); the sender's {@link bufferedAmount} counts those bytes, and its `drain` handler runs
 * once the inbox is empty again (or dropped, when this end closes).
 */
export class MemoryConnection implements Connection {
  readonly outgoing: boolean;
  /** Designator of the node this end belongs to. */
  readonly localDesignator: string;
  /** Designator of the node at the other end. */
  readonly remoteDesignator: string;
  /** The other end's designator: the network knows who is at each end. */
  readonly provenDesignator: string;
  /** `'memory:' + remoteDesignator`. */
  readonly remoteAddress: string;
  readonly #netlayer: MemoryNetlayer;
  readonly #link: Link;
  readonly #schedule: (task: () => void) => void;
  readonly #events: ConnectionEventQueue;
  #peer: MemoryConnection | undefined;
  #closed = false;
  /** Sent to this end by the peer, not yet handed to our event queue. */
  #inbox: (Uint8Array | typeof CLOSED)[] = [];
  #inboxHead = 0;
  /** Bytes of the messages in `#inbox`: the peer's bufferedAmount. */
  #inboxBytes = 0;
  #paused = false;

  /** @internal Created by {@link MemoryNetlayer.connect}. */
  constructor(
    netlayer: MemoryNetlayer,
    link: Link,
    outgoing: boolean,
    localDesignator: string,
    remoteDesignator: string,
    schedule: (task: () => void) => void,
  ) {
    this.#netlayer = netlayer;
    this.#link = link;
    this.outgoing = outgoing;
    this.localDesignator = localDesignator;
    this.remoteDesignator = remoteDesignator;
    this.provenDesignator = remoteDesignator;
    this.remoteAddress = `memory:${remoteDesignator}`;
    this.#schedule = schedule;
    this.#events = new ConnectionEventQueue((thrown) => this.sever(thrown));
  }

  /** @internal */
  static pair(a: MemoryConnection, b: MemoryConnection): void {
    a.#peer = b;
    b.#peer = a;
  }

  /** `true` once this end is closed (by either side, or severed). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Bytes we sent that the other end has not yet taken in: still in its inbox because it has
   * paused reading or the delivery task has not run yet. Once taken in, a message reaches the
   * handler from the next microtask (or, before `setHandlers`, waits in that end's event
   * queue, uncounted). 0 once this end is closed.
   */
  get bufferedAmount(): number {
    return this.#closed ? 0 : this.#peer!.#inboxBytes;
  }

  /** See {@link Connection.setHandlers}. @throws TypeError if called twice or handlers are not functions. */
  setHandlers(handlers: ConnectionHandlers): void {
    this.#events.setHandlers(handlers);
  }

  /**
   * Sends a copy of `bytes` to the other end. Ignored after close.
   * @throws TypeError if `bytes` is not a Uint8Array.
   */
  send(bytes: Uint8Array): void {
    checkSendBytes(bytes);
    if (this.#closed) return;
    const peer = this.#peer!;
    if (peer.#closed) return;
    peer.#inbox.push(bytes.slice());
    peer.#inboxBytes += bytes.length;
    this.#schedule(() => peer.#deliverOne());
  }

  /**
   * Closes both ends gracefully (messages already sent still arrive first; the other end
   * sees the close once it has read them). Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#finish(undefined);
    const peer = this.#peer!;
    if (peer.#closed) return;
    peer.#inbox.push(CLOSED);
    this.#schedule(() => peer.#deliverOne());
  }

  /**
   * Cuts this connection abruptly (for tests): messages in flight are lost and both ends
   * get `close(error)` (default error: `memory connection severed`).
   * @returns `false` if the link was already severed.
   */
  sever(error?: Error): boolean {
    if (this.#link.severed) return false;
    this.#link.severed = true;
    const err = error ?? new Error(`memory connection ${this.localDesignator} <-> ${this.remoteDesignator} severed`);
    this.#finish(err);
    this.#peer!.#finish(err);
    return true;
  }

  /** Stops handing messages to our handlers; they wait in our inbox. Idempotent. */
  pauseReading(): void {
    if (!this.#closed) this.#paused = true;
  }

  /** Hands the waiting messages over again, in order. Idempotent. */
  resumeReading(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    for (let i = this.#inboxHead; i < this.#inbox.length; i++) this.#schedule(() => this.#deliverOne());
  }

  /**
   * See {@link Connection.setMaxMessageBytes}. The memory netlayer has no limit of its own;
   * the check is made when a message is handed to our handler.
   * @throws TypeError / RangeError for a bad value.
   */
  setMaxMessageBytes(bytes: number): void {
    const max = checkMessageLimit(bytes, Number.MAX_SAFE_INTEGER);
    this.#events.setMaxMessageBytes(max, (length) => new Error(`memory: incoming message of ${length} bytes exceeds maxMessageBytes (${max})`));
  }

  /** One delivery task: hands the oldest inbox entry over, unless paused. */
  #deliverOne(): void {
    if (this.#closed || this.#paused || this.#inboxHead >= this.#inbox.length) return;
    const item = this.#inbox[this.#inboxHead];
    this.#inbox[this.#inboxHead++] = CLOSED; // drop the reference
    if (this.#inboxHead === this.#inbox.length) {
      this.#inbox = [];
      this.#inboxHead = 0;
    }
    if (item === CLOSED) {
      this.#finish(undefined);
      return;
    }
    const before = this.#inboxBytes;
    this.#inboxBytes -= item.length;
    this.#events.message(item);
    if (before > 0 && this.#inboxBytes === 0) this.#peer!.#drained();
  }

  /** Our outgoing buffer (the peer's inbox) is empty again. */
  #drained(): void {
    if (!this.#closed && !this.#link.severed) this.#events.drain();
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#paused = false;
    const freed = this.#inboxBytes > 0;
    this.#inbox = [];
    this.#inboxHead = 0;
    this.#inboxBytes = 0;
    this.#netlayer.drop(this);
    this.#events.close(error);
    if (freed) this.#peer!.#drained();
  }
}
