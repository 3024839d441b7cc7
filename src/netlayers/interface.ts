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
}
