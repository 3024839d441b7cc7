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
  /** bufferedAmount fell back to 0 (TEMPORARY stub; replaced by the netbp branch). */
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
  // TEMPORARY stubs; replaced by the netbp branch.
  readonly provenDesignator?: string | undefined;
  readonly remoteAddress?: string | undefined;
  readonly bufferedAmount?: number;
  pauseReading?(): void;
  resumeReading?(): void;
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
   * `'none'` (default; e.g. tcp-testing-only), `'dialled'` (those we dial, e.g. websocket
   * peer-auth of the server), or `'both'`. Where dialled peers are proven, the node never uses
   * a merely claimed incoming session for its own calls (docs/security.md).
   */
  readonly authenticates?: 'none' | 'dialled' | 'both';
}
