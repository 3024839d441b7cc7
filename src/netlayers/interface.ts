/**
 * The netlayer contract (OCapN Netlayers.md; notes §10). A netlayer carries whole CapTP
 * messages (each one complete Syrup value, as bytes) in order, in both directions. Framing,
 * if the transport needs any, stays inside the netlayer. CapTP sees nothing else.
 * @module
 */
import type { PeerLocator } from '../locator/types.js';

/** What a connection tells its user. Set once with {@link Connection.setHandlers}. */
export interface ConnectionHandlers {
  /** One whole message (exactly one Syrup value's bytes), in arrival order. */
  message(bytes: Uint8Array): void;
  /**
   * The incoming stream is malformed (bad framing, message over the size limit). No more
   * messages follow; the connection is still writable so the user can send `op:abort`,
   * then it should call {@link Connection.close}.
   */
  error(error: Error): void;
  /** The connection has closed (by either side). `error` when it ended abnormally. */
  close(error?: Error): void;
  /**
   * Optional. {@link Connection.bufferedAmount} fell back to 0: everything sent so far has
   * left our buffers. Called asynchronously (never from inside `send()`), in order with the
   * other events, never after `close`, once each time the outgoing buffer empties after
   * having been non-empty (at least whenever it had exceeded the transport's own write
   * high-water mark; the shipped netlayers report every emptying). A throwing `drain`
   * handler is treated like a throwing `message` handler: the connection is dropped.
   */
  drain?(): void;
}

/** One bidirectional, ordered message channel to one peer. */
export interface Connection {
  /** `true` when we dialled, `false` when the peer did. */
  readonly outgoing: boolean;
  /**
   * Install handlers. Messages and events that arrived before this call are buffered and
   * delivered (in order) right after it. Throws TypeError if called twice.
   */
  setHandlers(handlers: ConnectionHandlers): void;
  /** Send one whole message. Sending after close is silently ignored. */
  send(bytes: Uint8Array): void;
  /** Close the connection (idempotent). Pending outgoing bytes are flushed first. */
  close(): void;

  // The members below are optional: a third-party netlayer may lack them, and the node then
  // assumes "no backpressure" and "nothing proven". Every netlayer shipped here has them all.

  /**
   * The designator this netlayer PROVED the peer holds, or `undefined` when it proved
   * nothing (the peer's `op:start-session` location is then only a claim).
   * - `websocket`: on a connection we dialled, once peer authentication verified the
   *   server's signature, the designator of the locator we dialled; on an incoming
   *   connection, the client's designator if it proved its key (mutual proof between
   *   ocapn-ts nodes), else `undefined` (Goblins 0.18 and browsers prove nothing).
   * - `tcp-testing-only`: always `undefined`.
   * - `onion`: on a connection we dialled, the service ID we dialled (tor reached the holder
   *   of that onion key); `undefined` on an incoming connection.
   * - `memory`: the network knows both ends, so the other end's designator, both directions.
   */
  readonly provenDesignator?: string | undefined;
  /**
   * Extensions to the netlayer's protocol that the peer negotiated on this connection, by name:
   * a hint about its implementation for choosing wire forms (docs/captp.md), never a proof of
   * identity. `websocket`: `'x-ocapn-peer-auth/v1'` when the mutual peer-auth of ocapn-ts nodes
   * was negotiated (either direction). Absent or empty: none.
   */
  readonly peerExtensions?: readonly string[] | undefined;
  /**
   * The peer's network address as the transport sees it, for per-address limits: an IP
   * address for `tcp-testing-only` and `websocket`, `'memory:<designator>'` for `memory`;
   * `undefined` when unknown.
   */
  readonly remoteAddress?: string | undefined;
  /**
   * Bytes accepted by {@link send} and not yet handed on: for `tcp-testing-only`, not yet
   * written to the kernel; for `websocket`, not yet written to the socket; for `memory`, sent
   * and not yet delivered to the other end (held while that end has paused reading). Counts
   * message bytes (framing overhead may be left out). 0 once this connection is closed.
   * {@link ConnectionHandlers.drain} reports when it falls back to 0.
   */
  readonly bufferedAmount?: number;
  /**
   * Stops reading input from the peer (transport flow control: the peer's sends back up
   * into its own buffers, e.g. TCP `socket.pause()`, so its window fills). Messages already
   * read and framed may still be delivered. The end of the stream is not noticed while
   * paused either. Idempotent; ignored after close.
   */
  pauseReading?(): void;
  /** Undoes {@link pauseReading}. Idempotent; ignored after close. */
  resumeReading?(): void;
  /**
   * Sets the largest incoming message accepted from now on, in bytes. The netlayer's own
   * `maxMessageBytes` option stays the ceiling: a larger value is clamped to it, so
   * `setMaxMessageBytes(Number.MAX_SAFE_INTEGER)` restores the netlayer's limit. A larger
   * message, including one in progress, and one already received but not yet delivered, is
   * reported with {@link ConnectionHandlers.error} (then no more messages follow). CapTP
   * uses it to accept only a small `op:start-session` before the handshake, then raises it.
   * @param bytes an integer from 1 to `Number.MAX_SAFE_INTEGER`.
   * @throws TypeError if `bytes` is not a number; RangeError if it is not a safe integer ≥ 1.
   */
  setMaxMessageBytes?(bytes: number): void;
}

/** A transport. Authors implement these five members. */
export interface Netlayer {
  /** The transport symbol's name, e.g. `tcp-testing-only`. */
  readonly transport: string;
  /** Our own locator on this netlayer (valid once the netlayer is listening). */
  readonly location: PeerLocator;
  /**
   * Start handing incoming connections to `onConnection`. Connections that arrived before
   * this call are handed over right away.
   */
  accept(onConnection: (connection: Connection) => void): void;
  /** Open a connection to `locator` (same transport). Rejects if it cannot be reached. */
  connect(locator: PeerLocator): Promise<Connection>;
  /** Stop listening and close every connection. Idempotent. */
  close(): Promise<void>;
  /**
   * Which connections prove the peer's designator (set {@link Connection.provenDesignator}):
   * `'none'` (the default; e.g. tcp-testing-only), `'dialled'` (those we dial, e.g. websocket
   * peer-auth of the server; some incoming ones may be proven too), or `'both'` (e.g. memory). Where dialled peers are proven, the
   * node never uses a merely claimed incoming session for its own calls (docs/security.md).
   */
  readonly authenticates?: 'none' | 'dialled' | 'both';
}

/** The {@link Connection.peerExtensions} name of the websocket netlayer's mutual peer-auth between ocapn-ts nodes. */
export const MUTUAL_PEER_AUTH_EXTENSION = 'x-ocapn-peer-auth/v1';
