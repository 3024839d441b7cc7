/**
 * An in-memory byte-stream netlayer for hostile tests: a peer writes raw byte chunks (split
 * anywhere, several messages per chunk, any framing) and the node's side splits them with the
 * same {@link FrameReader} the tcp-testing-only netlayer uses, as a socket would deliver them,
 * without the cost of real sockets. The peer's side reads the node's replies with its own
 * FrameReader, so every byte crosses as bytes both ways.
 *
 * It only accepts: the node never dials a peer through it (`connect` rejects).
 */
import { FrameReader } from '../../src/netlayers/tcp-testing-only/framing.js';
import { ConnectionEventQueue } from '../../src/netlayers/event-queue.js';
import type { Connection, ConnectionHandlers, Netlayer } from '../../src/netlayers/interface.js';
import type { PeerLocator } from '../../src/locator/types.js';

/** The transport name of {@link BytePipeNetlayer}. */
export const BYTE_PIPE_TRANSPORT = 'byte-pipe';

/** What the peer's end of a pipe reports. */
export interface PipeListener {
  /** One whole message the node sent. */
  message(bytes: Uint8Array): void;
  /** The connection closed (by either side). */
  close(): void;
}

/** The hostile peer's end of one pipe into the node. */
export class PipeEnd {
  closed = false;
  /** @internal */ node!: PipeConnection;
  private readonly reader = new FrameReader();
  constructor(private readonly listener: PipeListener) {}

  /** Write one chunk of bytes (copied); it reaches the node's reader in a later microtask. */
  write(chunk: Uint8Array): void {
    if (this.closed) return;
    const copy = chunk.slice();
    const node = this.node;
    queueMicrotask(() => node.arrive(copy));
  }

  /** Close our side (the node sees end of stream) and stop listening. */
  close(): void {
    if (this.closed) return;
    const node = this.node;
    queueMicrotask(() => node.ended());
    this.finish();
  }

  /** @internal */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    const { messages, error } = this.reader.push(bytes);
    for (const m of messages) this.listener.message(m);
    if (error) throw new Error(`the node wrote a malformed stream: ${error.message}`);
  }

  /** @internal */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener.close();
  }
}

/** The node's end of a pipe: a netlayer {@link Connection} fed by a FrameReader. */
class PipeConnection implements Connection {
  readonly outgoing = false;
  private readonly reader = new FrameReader();
  private readonly events = new ConnectionEventQueue((thrown) => this.finish(thrown));
  private reading = true;
  private done = false;
  constructor(
    private readonly peer: PipeEnd,
    private readonly forget: (c: PipeConnection) => void,
  ) {}

  setHandlers(handlers: ConnectionHandlers): void {
    this.events.setHandlers(handlers);
  }

  send(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('send needs a Uint8Array');
    if (this.done) return;
    const copy = bytes.slice();
    const peer = this.peer;
    queueMicrotask(() => peer.receive(copy));
  }

  close(): void {
    if (this.done) return;
    this.reading = false;
    this.finish(undefined);
    const peer = this.peer;
    queueMicrotask(() => peer.finish());
  }

  arrive(chunk: Uint8Array): void {
    if (!this.reading) return;
    const { messages, error } = this.reader.push(chunk);
    for (const m of messages) this.events.message(m);
    if (error !== undefined) {
      this.reading = false;
      this.events.error(error);
    }
  }

  ended(): void {
    const err = this.reading ? this.reader.end() : undefined;
    this.reading = false;
    this.finish(err);
  }

  private finish(error: Error | undefined): void {
    if (this.done) return;
    this.done = true;
    this.forget(this);
    this.events.close(error);
  }
}

/** A netlayer whose connections are {@link PipeEnd}s opened by the test. */
export class BytePipeNetlayer implements Netlayer {
  readonly transport = BYTE_PIPE_TRANSPORT;
  readonly location: PeerLocator;
  private onConnection: ((c: Connection) => void) | undefined;
  private readonly open = new Set<PipeConnection>();

  constructor(designator: string) {
    this.location = Object.freeze({ transport: BYTE_PIPE_TRANSPORT, designator, hints: false });
  }

  accept(onConnection: (connection: Connection) => void): void {
    if (this.onConnection) throw new TypeError('accept was already called');
    this.onConnection = onConnection;
  }

  async connect(): Promise<Connection> {
    throw new Error('a byte-pipe netlayer does not dial');
  }

  /** Open a pipe into the node (it sees a new incoming connection at once). */
  dial(listener: PipeListener): PipeEnd {
    if (!this.onConnection) throw new Error('the node is not accepting on this byte-pipe netlayer');
    const end = new PipeEnd(listener);
    const conn = new PipeConnection(end, (c) => this.open.delete(c));
    end.node = conn;
    this.open.add(conn);
    this.onConnection(conn);
    return end;
  }

  /** Open connections (node side). */
  get connectionCount(): number {
    return this.open.size;
  }

  async close(): Promise<void> {
    for (const c of [...this.open]) c.close();
  }
}
