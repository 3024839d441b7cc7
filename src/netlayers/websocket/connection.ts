/**
 * One WebSocket connection after peer authentication: one binary WebSocket message carries
 * exactly one CapTP message (notes §10.5, §15). Transport-neutral: it sees only a
 * {@link MessageSocket}.
 * @module
 */
import { SyrupError, scanValue } from '../../syrup/index.js';
import type { DecodeOptions } from '../../syrup/index.js';
import { checkMessageLimit, checkSendBytes } from '../common.js';
import { ConnectionEventQueue } from '../event-queue.js';
import { MUTUAL_PEER_AUTH_EXTENSION, type Connection, type ConnectionHandlers } from '../interface.js';
import type { MessageSocket } from './message-socket.js';

/** An incoming WebSocket message that cannot be a CapTP message. */
export class WebSocketMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebSocketMessageError';
  }
}

/** One websocket connection (after peer authentication), with every optional member of {@link Connection}. */
export interface WebSocketConnection extends Connection {
  /** The peer's IP address as the socket sees it (both sides, on Node), or `undefined`. */
  readonly remoteAddress: string | undefined;
  /** The URL we dialled (dialling side), or `undefined` (listening side). */
  readonly url: string | undefined;
  /**
   * Dialling side: the designator of the locator we dialled, whose key signed our peer-auth
   * nonce. Listening side: the designator of the client's key when the client proved it
   * (mutual proof, which ocapn-ts diallers negotiate), else `undefined` (Goblins 0.18 and
   * browsers prove nothing).
   */
  readonly provenDesignator: string | undefined;
  /**
   * Message bytes given to `send()` and not yet written to the socket (counted from each
   * send's completion callback; frame headers not included). 0 once closed.
   */
  readonly bufferedAmount: number;
  /** Stops reading the socket (`ws`'s `pause()`); messages already parsed may still arrive. */
  pauseReading(): void;
  /** Resumes reading the socket. */
  resumeReading(): void;
  /**
   * See {@link Connection.setMaxMessageBytes}. `ws` checks only the netlayer's own
   * `maxMessageBytes` (fixed per listener or dial), so a message over this lower limit has
   * already been buffered whole (up to `maxMessageBytes`) when it is refused here with
   * `error()`.
   */
  setMaxMessageBytes(bytes: number): void;
}

/** Per-connection settings. @internal */
export interface ConnectionSettings {
  readonly maxMessageBytes: number;
  readonly closeLingerMs: number;
  readonly syrup: DecodeOptions | undefined;
}

const LT = 0x3c; // '<'
/** Close codes that end a connection normally: a close frame with 1000/1001, none (1005), or no close frame at all (1006: Goblins 0.18 just ends the TCP stream). */
const NORMAL_CLOSE_CODES = new Set([1000, 1001, 1005, 1006]);

/**
 * Checks that one WebSocket message can be a CapTP message: binary, at most `maxMessageBytes`,
 * and exactly one well-formed Syrup record (structure only; the session decodes it).
 * @returns the problem, or `undefined` when the message is acceptable.
 */
export function checkMessage(data: Uint8Array, binary: boolean, maxMessageBytes: number, syrup?: DecodeOptions): WebSocketMessageError | undefined {
  if (!binary) return new WebSocketMessageError(`websocket: got a text message (${data.length} bytes); OCapN messages travel in binary messages`);
  if (data.length > maxMessageBytes) {
    return new WebSocketMessageError(`websocket: message of ${data.length} bytes exceeds maxMessageBytes (${maxMessageBytes})`);
  }
  if (data.length === 0 || data[0] !== LT) {
    return new WebSocketMessageError(`websocket: message is not a Syrup record (${data.length === 0 ? 'empty' : `starts with byte 0x${data[0].toString(16).padStart(2, '0')}`})`);
  }
  let end: number;
  try {
    end = scanValue(data, 0, { ...syrup, maxValueBytes: maxMessageBytes });
  } catch (err) {
    if (err instanceof SyrupError) return new WebSocketMessageError(`websocket: malformed Syrup message: ${err.message}`, { cause: err });
    throw err;
  }
  if (end === -1) return new WebSocketMessageError(`websocket: message of ${data.length} bytes holds an incomplete Syrup record`);
  if (end !== data.length) return new WebSocketMessageError(`websocket: message holds ${data.length - end} bytes after its Syrup record`);
  return undefined;
}

const MUTUAL_PEER_AUTH: readonly string[] = Object.freeze([MUTUAL_PEER_AUTH_EXTENSION]);

/** @internal Created by the netlayer once peer authentication has succeeded. */
export class WebSocketConnectionImpl implements WebSocketConnection {
  readonly outgoing: boolean;
  readonly remoteAddress: string | undefined;
  readonly url: string | undefined;
  readonly provenDesignator: string | undefined;
  /** `['x-ocapn-peer-auth/v1']` when the upgrade negotiated mutual peer-auth (see {@link Connection.peerExtensions}). */
  readonly peerExtensions: readonly string[] | undefined;
  readonly #socket: MessageSocket;
  readonly #settings: ConnectionSettings;
  readonly #events: ConnectionEventQueue;
  #maxMessageBytes: number;
  #reading = true;
  #paused = false;
  #closed = false;
  #protocolError: Error | undefined;

  /**
   * @param url the URL we dialled, or `undefined` for an incoming connection.
   * @param provenDesignator the designator peer authentication proved, or `undefined`.
   */
  constructor(socket: MessageSocket, outgoing: boolean, url: string | undefined, provenDesignator: string | undefined, settings: ConnectionSettings) {
    this.#socket = socket;
    this.outgoing = outgoing;
    this.url = url;
    this.provenDesignator = provenDesignator;
    this.peerExtensions = socket.mutualAuthNonce !== undefined ? MUTUAL_PEER_AUTH : undefined;
    this.remoteAddress = socket.remoteAddress;
    this.#settings = settings;
    this.#maxMessageBytes = settings.maxMessageBytes;
    this.#events = new ConnectionEventQueue((thrown) => {
      this.#reading = false;
      this.#socket.terminate();
      this.#finish(thrown);
    });
    socket.listen({
      message: (data, binary) => this.#message(data, binary),
      error: (error) => this.#error(error),
      close: (code, reason) => this.#remoteClose(code, reason),
      drain: () => this.#events.drain(),
    });
  }

  /** Resolves once the transport is fully closed. */
  get gone(): Promise<void> {
    return this.#socket.closed;
  }

  get bufferedAmount(): number {
    return this.#closed ? 0 : this.#socket.bufferedAmount;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.#events.setHandlers(handlers);
  }

  pauseReading(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
  }

  resumeReading(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#socket.resume();
  }

  setMaxMessageBytes(bytes: number): void {
    const max = checkMessageLimit(bytes, this.#settings.maxMessageBytes);
    this.#maxMessageBytes = max;
    this.#events.setMaxMessageBytes(max, (length) => new WebSocketMessageError(`websocket: message of ${length} bytes exceeds maxMessageBytes (${max})`));
  }

  /**
   * Sends `bytes` as one binary message (a copy: the caller may reuse its buffer). Ignored
   * after close, and once the transport is closing.
   * @throws TypeError if `bytes` is not a Uint8Array.
   */
  send(bytes: Uint8Array): void {
    checkSendBytes(bytes);
    if (this.#closed) return;
    this.#socket.send(bytes.slice());
  }

  /**
   * Sends a close frame (1000) after the pending messages and reports `close()` to our
   * handlers. If the peer has not completed the closing handshake within `closeLingerMs`,
   * the transport is dropped. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#reading = false;
    this.#finish(undefined);
    const socket = this.#socket;
    socket.close(1000);
    const timer = setTimeout(() => socket.terminate(), this.#settings.closeLingerMs);
    timer.unref?.();
    void socket.closed.then(() => clearTimeout(timer));
  }

  #message(data: Uint8Array, binary: boolean): void {
    if (!this.#reading || this.#events.errored) return;
    const problem = checkMessage(data, binary, this.#maxMessageBytes, this.#settings.syrup);
    if (problem === undefined) {
      this.#events.message(data);
      return;
    }
    this.#reading = false;
    this.#events.error(problem);
  }

  /** A WebSocket protocol error (oversized frame, bad UTF-8 in text, bad opcode): `ws` fails the connection. */
  #error(error: Error): void {
    const tooBig = (error as { code?: unknown }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
    const wrapped = new WebSocketMessageError(
      tooBig
        ? `websocket: incoming message exceeds maxMessageBytes (${this.#settings.maxMessageBytes}): ${error.message}`
        : `websocket protocol error: ${error.message}`,
      { cause: error },
    );
    this.#protocolError ??= wrapped;
    if (this.#reading) {
      this.#reading = false;
      this.#events.error(wrapped);
    }
  }

  #remoteClose(code: number, reason: string): void {
    this.#reading = false;
    if (this.#protocolError !== undefined) this.#finish(this.#protocolError);
    else if (NORMAL_CLOSE_CODES.has(code)) this.#finish(undefined);
    else this.#finish(new Error(`websocket closed with code ${code}${reason ? ` (${reason})` : ''}`));
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close(error);
  }
}
