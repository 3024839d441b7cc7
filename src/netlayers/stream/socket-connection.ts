/**
 * One message connection over a Node stream socket (a `net.Socket`, or a `tls.TLSSocket`
 * once its handshake is done), shared by the byte-stream netlayers (`tcp-testing-only`,
 * `tcp-tls`, `onion`): the {@link FrameReader} splits what arrives into messages, {@link encodeFrame}
 * frames what we send. The frames sent in one turn of the event loop are coalesced into one
 * socket write (flushed from `setImmediate`, or at once by `close()`); `bufferedAmount`
 * counts them from `send()` until that write's callback; `close()` ends our side and lingers
 * for the peer's. Node only (it drives a socket), but it imports nothing at
 * run time from Node itself. Internal: not exported from the package.
 * @module
 */
import type { Socket } from 'node:net';
import type { DecodeOptions } from '../../syrup/index.js';
import { checkMessageLimit, checkSendBytes } from '../common.js';
import { ConnectionEventQueue } from '../event-queue.js';
import type { Connection, ConnectionHandlers } from '../interface.js';
import { FrameReader } from './frame-reader.js';
import { encodeFrame } from './framing.js';
import type { Framing } from './framing.js';

/** First size of the buffer that collects one turn's frames (it doubles as needed). */
const BATCH_INITIAL_BYTES = 2048;
/** Frames of at least this many bytes are written at once, on their own (after what is queued). */
const DIRECT_WRITE_BYTES = 16 * 1024;

/** What a {@link SocketConnection} needs to know. @internal */
export interface SocketConnectionOptions {
  /** The transport name, which starts every error message (e.g. `'tcp-tls'`). */
  readonly transport: string;
  /** How we frame what we write. */
  readonly framing: Framing;
  /** The netlayer's ceiling for incoming messages, in bytes. */
  readonly maxMessageBytes: number;
  /** After our `close()`, how long (ms) to wait for the peer's end before destroying. */
  readonly closeLingerMs: number;
  /** Syrup scanner limits for incoming messages. */
  readonly syrup: DecodeOptions | undefined;
  /** The designator the netlayer proved this peer holds, if it proved one. */
  readonly provenDesignator?: string | undefined;
  /**
   * The peer's address for per-address limits (see {@link Connection.remoteAddress}), when
   * the socket's own is not it (e.g. `onion`: every client arrives from tor). Default: the
   * socket's remote IP address.
   */
  readonly remoteAddress?: string | undefined;
}

/**
 * A {@link Connection} with every optional member, over one stream socket. The socket must
 * be connected (and, for TLS, past its handshake) and have no `data` listener yet: bytes it
 * already holds are read as soon as this connection attaches.
 * @internal
 */
export class SocketConnection implements Connection {
  readonly outgoing: boolean;
  /** The peer's address: the `remoteAddress` option if given, else the socket's IP address. */
  readonly remoteAddress: string | undefined;
  /** The peer's TCP port, as the socket reports it (`undefined` on a Unix socket). */
  readonly remotePort: number | undefined;
  readonly provenDesignator: string | undefined;
  /** Resolves once the socket is fully closed. */
  readonly gone: Promise<void>;
  readonly #socket: Socket;
  readonly #transport: string;
  readonly #framing: Framing;
  readonly #lingerMs: number;
  readonly #reader: FrameReader;
  readonly #events: ConnectionEventQueue;
  readonly #ceiling: number;
  #reading = true;
  #paused = false;
  #closed = false;
  /** Bytes given to send() whose socket write callback has not run yet (queued ones included). */
  #buffered = 0;
  /** The frames sent this turn, copied end to end, not yet written to the socket. */
  #batch: Uint8Array | undefined;
  #batchBytes = 0;
  #flushScheduled = false;
  #socketError: Error | undefined;

  constructor(socket: Socket, outgoing: boolean, options: SocketConnectionOptions) {
    this.#socket = socket;
    this.outgoing = outgoing;
    this.remoteAddress = 'remoteAddress' in options ? options.remoteAddress : socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.provenDesignator = options.provenDesignator;
    this.#transport = options.transport;
    this.#framing = options.framing;
    this.#lingerMs = options.closeLingerMs;
    this.#ceiling = options.maxMessageBytes;
    this.#reader = new FrameReader({ maxMessageBytes: options.maxMessageBytes, syrup: options.syrup });
    this.#events = new ConnectionEventQueue((thrown) => {
      this.#socket.destroy();
      this.#finish(thrown);
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('end', () => {
      const err = this.#reading ? this.#reader.end() : undefined;
      this.#reading = false;
      this.#finish(err);
    });
    socket.on('error', (err) => {
      this.#socketError ??= new Error(`${this.#transport} connection error: ${err.message}`, { cause: err });
    });
    this.gone = new Promise((resolve) => {
      socket.once('close', () => {
        this.#reading = false;
        this.#finish(this.#socketError);
        resolve();
      });
    });
  }

  /**
   * Bytes of the frames given to `send()` whose socket write callback has not run (queued
   * for this turn's write, or for TCP not yet written to the kernel). 0 once closed.
   */
  get bufferedAmount(): number {
    return this.#closed ? 0 : this.#buffered;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.#events.setHandlers(handlers);
  }

  send(bytes: Uint8Array): void {
    checkSendBytes(bytes);
    if (this.#closed || this.#socket.writableEnded || this.#socket.destroyed) return;
    const frame = this.#framing === 'raw' ? bytes : encodeFrame(bytes, this.#framing);
    const length = frame.length;
    if (length >= DIRECT_WRITE_BYTES) {
      // A large frame gains nothing from company: what is queued goes first, then the frame,
      // each in its own write, at once (so flow control sees the socket take it, or not, now).
      this.#flush();
      this.#buffered += length;
      // raw: copy, because the socket keeps the buffer queued after send() returns.
      const own = this.#framing === 'raw' ? bytes.slice() : frame;
      this.#socket.write(own, () => this.#written(length));
      return;
    }
    // Copied now: the caller may reuse its buffer, and the socket keeps what it is given.
    let batch = this.#batch;
    const at = this.#batchBytes;
    if (batch === undefined || at + length > batch.length) {
      let size = batch === undefined ? BATCH_INITIAL_BYTES : batch.length * 2;
      while (size < at + length) size *= 2;
      const next = Buffer.allocUnsafe(size); // pooled below 4 KiB; every byte is written before it is read
      if (batch !== undefined) next.set(batch.subarray(0, at));
      this.#batch = batch = next;
    }
    batch.set(frame, at);
    this.#batchBytes = at + length;
    this.#buffered += length;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      // After this turn's microtasks and I/O callbacks: every frame of the turn goes in one write.
      setImmediate(this.#flushSoon);
    }
  }

  readonly #flushSoon = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  /** Writes the frames queued this turn as one socket write. */
  #flush(): void {
    const batch = this.#batch;
    const length = this.#batchBytes;
    if (batch === undefined || length === 0) return;
    this.#batch = undefined;
    this.#batchBytes = 0;
    const socket = this.#socket;
    if (socket.writableEnded || socket.destroyed) return;
    // The callback runs once the bytes are handed on (or with an error once the socket is
    // destroyed), always asynchronously.
    socket.write(batch.subarray(0, length), () => this.#written(length));
  }

  /** `socket.pause()`: the kernel's receive buffer, then the peer's send window, fill up. */
  pauseReading(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }

  /** `socket.resume()`. */
  resumeReading(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#socket.resume();
  }

  setMaxMessageBytes(bytes: number): void {
    const max = checkMessageLimit(bytes, this.#ceiling);
    this.#events.setMaxMessageBytes(max, (length) => new Error(`${this.#transport}: incoming message of ${length} bytes exceeds maxMessageBytes (${max})`));
    // A message in progress may no longer fit: the reader says so at once.
    const error = this.#reader.setMaxMessageBytes(max);
    if (error !== undefined && this.#reading) {
      this.#reading = false;
      this.#events.error(error);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#reading = false;
    this.#finish(undefined);
    this.#flush(); // this turn's frames go out before our end
    const socket = this.#socket;
    if (socket.destroyed) return;
    socket.end();
    socket.resume(); // discard whatever still arrives, so the peer's end is seen
    const timer = setTimeout(() => socket.destroy(), this.#lingerMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  #written(length: number): void {
    const before = this.#buffered;
    this.#buffered -= length;
    // Everything the socket held is out and only this turn's queue is left: write it now
    // rather than at setImmediate, so a drain is not held back by our own batching.
    if (this.#buffered > 0 && this.#buffered === this.#batchBytes) this.#flush();
    if (before > 0 && this.#buffered === 0) this.#events.drain();
  }

  #data(chunk: Uint8Array): void {
    if (!this.#reading) return;
    if (this.#events.errored) {
      this.#reading = false; // the event queue refused a message over setMaxMessageBytes
      return;
    }
    const { messages, error } = this.#reader.push(chunk);
    for (const message of messages) this.#events.message(message);
    if (error !== undefined) {
      this.#reading = false;
      this.#events.error(error);
    }
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close(error);
  }
}
