/**
 * The small socket interface the WebSocket netlayer is written against (no `ws` here):
 * a WebSocket of whole binary or text messages. `node-socket.ts` implements it with the
 * `ws` package; browser-socket.ts implements {@link DialMessageSocket} with the platform
 * `WebSocket`.
 * @module
 */

/** What a {@link MessageSocket} reports. */
export interface MessageSocketEvents {
  /** One whole WebSocket message (a fresh copy); `binary` is `false` for a text message. */
  message(data: Uint8Array, binary: boolean): void;
  /** A WebSocket protocol error (e.g. a message over the size limit); a close follows. */
  error(error: Error): void;
  /** The transport closed. `code` is the WebSocket close code (1006: no close frame). */
  close(code: number, reason: string): void;
  /** Optional: {@link MessageSocket.bufferedAmount} fell back to 0. */
  drain?(): void;
}

/** A WebSocket carrying whole messages, once open. */
export interface MessageSocket {
  /**
   * Routes events to `events`, replacing the previous listener. While there is no listener
   * (at first, or after `listen(undefined)`), events are kept and delivered, in order, to
   * the next one.
   */
  listen(events: MessageSocketEvents | undefined): void;
  /** Sends one binary message. Ignored unless the socket is open. */
  send(bytes: Uint8Array): void;
  /**
   * Payload bytes given to {@link send} and not yet written to the transport; when it falls
   * back to 0, the `drain` event follows (asynchronously).
   */
  readonly bufferedAmount: number;
  /** Stops reading from the transport (messages already parsed may still arrive). */
  pause(): void;
  /** Undoes {@link pause}. */
  resume(): void;
  /** Starts the closing handshake (close frame `code`); pending sends go out first. */
  close(code?: number, reason?: string): void;
  /** Drops the transport at once. */
  terminate(): void;
  /** `true` while messages can be sent. */
  readonly isOpen: boolean;
  /** Resolves once the transport is fully closed. */
  readonly closed: Promise<void>;
  /** The peer's address, when the platform knows it. */
  readonly remoteAddress: string | undefined;
  /**
   * The server's 32-byte nonce for mutual peer-auth (peer-auth.ts), when the HTTP upgrade
   * negotiated it: on a listener, the nonce we offered because the client asked; on a
   * dialled socket, the nonce the server offered. `undefined` when not negotiated, and
   * always on a platform that cannot see upgrade headers (a browser).
   */
  readonly mutualAuthNonce: Uint8Array | undefined;
}

/** A listening WebSocket server (Node only). */
export interface MessageSocketServer {
  /** The TCP port actually bound. */
  readonly port: number;
  /** Stops listening (open sockets are not touched). */
  close(): Promise<void>;
}

/** Options shared by both sides. */
export interface MessageSocketOptions {
  /** Largest incoming message in bytes; `ws` refuses larger frames from their header. */
  readonly maxMessageBytes: number;
  /**
   * Most bytes read from the transport (WebSocket frame headers included) before the
   * peer's peer-auth messages have arrived: its first message, and on a listener that
   * offered a {@link MessageSocket.mutualAuthNonce} its second one too; past it the socket
   * is dropped. This bounds what an unauthenticated peer can make us buffer during peer
   * authentication. Applied where the platform shows the raw bytes (Node); elsewhere
   * `maxMessageBytes` is the only bound.
   */
  readonly maxPeerAuthBytes: number;
  /**
   * Negotiate mutual peer-auth in the upgrade, where the platform can: a dialler asks for
   * it, a listener offers a nonce to a client that asks. `false`: neither.
   */
  readonly mutualPeerAuth: boolean;
}

/**
 * Opens a WebSocket to `url` and resolves once it is open (events held until the caller
 * {@link MessageSocket.listen}s). Where the platform can, it asks the server for mutual
 * peer-auth in the upgrade and reports the server's offer as
 * {@link MessageSocket.mutualAuthNonce}. Rejects if the connection or upgrade fails, the
 * server's offer is malformed, or `signal` aborts first (the attempt is then dropped).
 */
export type DialMessageSocket = (url: string, options: MessageSocketOptions, signal: AbortSignal) => Promise<MessageSocket>;
