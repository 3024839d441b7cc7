/**
 * The browser factory of the websocket netlayer, {@link createBrowserWebSocketDialer}, and the
 * {@link DialMessageSocket} under it, over the platform's `WebSocket` (browsers, Deno, Bun,
 * Node 22+): the dial-only half of the websocket netlayer, without `ws` or any Node built-in.
 * What the platform API cannot do, and what this file does instead:
 *
 * - **Upgrade headers.** A page can neither set nor read them, so it never asks for mutual
 *   peer-auth: {@link MessageSocket.mutualAuthNonce} is always `undefined` and the dialler
 *   stays a claimed (unproven) client, as a Goblins 0.18 client is. The server's designator
 *   key is still checked by `init:peer-auth` (netlayer-core.ts).
 * - **Drain.** `WebSocket` has no drain event: while `bufferedAmount` is not 0 we poll it every
 *   `drainPollMs` and report `drain` when it reaches 0.
 * - **Receive flow control.** There is none: the platform keeps reading the network. `pause()`
 *   only holds incoming events in memory (in order) until `resume()` or the close.
 * - **Size limits.** The platform has already buffered a whole message when we see it; one
 *   over `maxMessageBytes` fails the socket (close code 1009). The server's peer-auth answer
 *   (the first message) is held to `maxPeerAuthBytes` the same way.
 * - **Close codes.** A page may send only 1000 and 3000–4999; any other code is sent as 1000
 *   (the reason says which was meant), and a reason is cut to 123 UTF-8 bytes.
 * - **Terminate.** A page cannot drop a TCP connection: `terminate()` starts the closing
 *   handshake, reports the close (code 1006) at once and ignores the socket from then on.
 * - **Errors.** The platform's `error` event has no details and a `close` always follows, so
 *   only the close code counts (1006, no close frame, is also how Goblins 0.18 ends sessions).
 * @module
 */
import { intOption, optionsObject } from '../common.js';
import type { DialMessageSocket, MessageSocket, MessageSocketEvents, MessageSocketOptions } from './message-socket.js';
import { WsNetlayer, resolveOptions } from './netlayer-core.js';
import type { WebSocketDialerOptions, WebSocketNetlayer } from './netlayer-core.js';

/** The part of the platform `WebSocket` constructor we use. */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Default interval of the `bufferedAmount` poll, in ms. */
export const DEFAULT_DRAIN_POLL_MS = 10;

type Queued =
  | { kind: 'message'; data: Uint8Array; binary: boolean }
  | { kind: 'error'; error: Error }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'drain' };

const OPEN = 1; // WebSocket.OPEN
const CLOSED = 3; // WebSocket.CLOSED
const MAX_REASON_BYTES = 123;
const encoder = new TextEncoder();

/** A close code a page may send: 1000, or 3000–4999 (the WebSocket API refuses the rest). */
function sendableCode(code: number): boolean {
  return code === 1000 || (Number.isInteger(code) && code >= 3000 && code <= 4999);
}

/** Cuts `reason` to at most 123 UTF-8 bytes, at a character boundary. */
function shortReason(reason: string): string {
  if (encoder.encode(reason).length <= MAX_REASON_BYTES) return reason;
  let out = '';
  let bytes = 0;
  for (const ch of reason) {
    bytes += encoder.encode(ch).length;
    if (bytes > MAX_REASON_BYTES) break;
    out += ch;
  }
  return out;
}

/** @internal A {@link MessageSocket} over a platform `WebSocket` (exported for tests). */
export class BrowserMessageSocket implements MessageSocket {
  readonly closed: Promise<void>;
  readonly mutualAuthNonce = undefined;
  readonly remoteAddress = undefined;
  readonly #ws: WebSocket;
  readonly #options: MessageSocketOptions;
  readonly #drainPollMs: number;
  #events: MessageSocketEvents | undefined;
  /** Events not delivered yet: no listener, or paused. */
  readonly #queue: Queued[] = [];
  #paused = false;
  #messages = 0;
  #sawError = false;
  /** Set once we reported the close; later platform events are ignored. */
  #gone = false;
  #poll: ReturnType<typeof setTimeout> | undefined;
  #resolveClosed!: () => void;

  constructor(ws: WebSocket, options: MessageSocketOptions, drainPollMs: number) {
    this.#ws = ws;
    this.#options = options;
    this.#drainPollMs = drainPollMs;
    ws.binaryType = 'arraybuffer';
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    ws.addEventListener('message', (event) => this.#onMessage(event.data));
    // The platform's error event has no details and a close always follows: the close code
    // decides (1006, no close frame, is how Goblins 0.18 ends a session too).
    ws.addEventListener('error', () => (this.#sawError = true));
    ws.addEventListener('close', (event) => this.#gotClose(event.code, event.reason || (this.#sawError ? 'after a websocket error' : '')));
  }

  get isOpen(): boolean {
    return !this.#gone && this.#ws.readyState === OPEN;
  }

  /** The platform's count: bytes queued by `send` and not yet transmitted (not reset by a close). */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  listen(events: MessageSocketEvents | undefined): void {
    this.#events = events;
    this.#flush();
  }

  send(bytes: Uint8Array): void {
    if (!this.isOpen) return;
    this.#ws.send(bytes);
    this.#watchDrain();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#flush();
  }

  close(code = 1000, reason = ''): void {
    if (this.#gone) return;
    const state = this.#ws.readyState;
    if (state === CLOSED || state === 2 /* CLOSING */) return;
    if (sendableCode(code)) this.#ws.close(code, shortReason(reason));
    else this.#ws.close(1000, shortReason(`${code}${reason ? ` ${reason}` : ''}`));
  }

  terminate(): void {
    if (this.#gone) return;
    const state = this.#ws.readyState;
    if (state !== CLOSED && state !== 2 /* CLOSING */) this.#ws.close(1000);
    this.#gotClose(1006, 'terminated');
  }

  #onMessage(data: unknown): void {
    if (this.#gone) return;
    let bytes: Uint8Array;
    let binary = true;
    if (typeof data === 'string') {
      bytes = encoder.encode(data);
      binary = false;
    } else if (data instanceof ArrayBuffer) {
      bytes = new Uint8Array(data);
    } else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    } else {
      this.#fail(new Error(`websocket: unexpected message data (${Object.prototype.toString.call(data)})`), 1003);
      return;
    }
    this.#messages++;
    // The first message is the server's peer-auth answer.
    const max = this.#messages === 1 ? Math.min(this.#options.maxPeerAuthBytes, this.#options.maxMessageBytes) : this.#options.maxMessageBytes;
    if (bytes.length > max) {
      const what = this.#messages === 1 ? 'maxPeerAuthBytes' : 'maxMessageBytes';
      const error = Object.assign(new Error(`websocket: message of ${bytes.length} bytes exceeds ${what} (${max})`), {
        code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
      });
      this.#fail(error, 1009);
      return;
    }
    this.#emit({ kind: 'message', data: bytes, binary });
  }

  /** Reports `error`, then closes with `code` and reports the close at once (as `ws` does for a protocol error). */
  #fail(error: Error, code: number): void {
    this.#emit({ kind: 'error', error });
    this.close(code);
    this.#gotClose(code, '');
  }

  #gotClose(code: number, reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#paused = false; // what was held is delivered before the close
    if (this.#poll !== undefined) clearTimeout(this.#poll);
    this.#poll = undefined;
    this.#emit({ kind: 'close', code, reason });
    this.#resolveClosed();
  }

  /** Polls `bufferedAmount` until it reaches 0, then reports `drain`; one poll at a time. */
  #watchDrain(): void {
    if (this.#poll !== undefined) return;
    const check = (): void => {
      this.#poll = undefined;
      if (this.#gone) return;
      if (this.#ws.bufferedAmount === 0) this.#emit({ kind: 'drain' });
      else this.#poll = setTimeout(check, this.#drainPollMs);
    };
    // Asynchronously even when the platform already sent everything (drain follows send).
    this.#poll = setTimeout(check, this.#ws.bufferedAmount === 0 ? 0 : this.#drainPollMs);
  }

  #emit(event: Queued): void {
    // A drain is not input: it goes through even past held messages (it is what ends a pause).
    if (event.kind === 'drain' && this.#events !== undefined) {
      this.#events.drain?.();
      return;
    }
    this.#queue.push(event);
    this.#flush();
  }

  #flush(): void {
    while (this.#events !== undefined && this.#queue.length > 0 && (!this.#paused || this.#queue[0].kind === 'drain')) {
      const events = this.#events;
      const event = this.#queue.shift()!;
      if (event.kind === 'message') events.message(event.data, event.binary);
      else if (event.kind === 'error') events.error(event.error);
      else if (event.kind === 'drain') events.drain?.();
      else events.close(event.code, event.reason);
    }
  }
}

/**
 * Makes a {@link DialMessageSocket} over `WebSocketImpl` (the platform's `WebSocket`). It
 * sends no extra header (it cannot), so the socket's `mutualAuthNonce` is always `undefined`.
 * The returned function rejects if the constructor throws (e.g. a page on https:// dialling
 * ws://, which browsers block as mixed content), the socket closes before it opens (the
 * platform gives no reason: the message has the close code), or `signal` aborts first.
 */
export function browserDialMessageSocket(WebSocketImpl: WebSocketConstructor, drainPollMs: number): DialMessageSocket {
  return (url, options, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('dial aborted'));
      let ws: WebSocket;
      try {
        ws = new WebSocketImpl(url);
      } catch (err) {
        return reject(err instanceof Error ? err : new Error(String(err)));
      }
      // Wrap before 'open' so no event is lost; the wrapper queues until someone listens.
      const socket = new BrowserMessageSocket(ws, options, drainPollMs);
      const onAbort = (): void => {
        reject(signal.reason instanceof Error ? signal.reason : new Error('dial aborted')); // before terminate()'s close
        socket.terminate();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      socket.listen({
        message: () => undefined,
        error: () => undefined,
        close: (code) => {
          signal.removeEventListener('abort', onAbort);
          reject(new Error(`closed before the WebSocket opened (code ${code})`));
        },
      });
      ws.addEventListener('open', () => {
        signal.removeEventListener('abort', onAbort);
        socket.listen(undefined); // hold events until the caller listens
        resolve(socket);
      });
    });
}

/** Options of {@link createBrowserWebSocketDialer}. */
export interface BrowserWebSocketDialerOptions extends Omit<WebSocketDialerOptions, 'mutualPeerAuth' | 'tls'> {
  /**
   * The `WebSocket` class to use. Default: the platform's `globalThis.WebSocket` (browsers,
   * Deno, Bun, Node 22+).
   */
  WebSocket?: WebSocketConstructor | undefined;
  /**
   * How often (ms, integer 1 – 60,000) to poll `bufferedAmount` while it is not 0, to report
   * `drain` (the platform has no drain event). Default 10.
   */
  drainPollMs?: number | undefined;
}

/**
 * Creates a dial-only websocket netlayer over the platform's `WebSocket`, for browsers
 * (the package's `ocapn-ts/browser` entry). Same wire as {@link createWebSocketDialer}
 * (Goblins 0.18 compatible): before CapTP it checks, by `init:peer-auth`, that the server
 * holds the key of the designator dialled. It cannot prove its own designator (a page cannot
 * set upgrade headers), so listeners see it as a claimed client, like Goblins 0.18. Its
 * location has `hints: false` unless `url` is given; `accept` receives nothing. No receive
 * flow control (see browser-socket.ts); `maxPeerAuthBytes` and `maxMessageBytes` are checked
 * on whole messages the platform has already buffered.
 * @throws TypeError / RangeError for bad options (including a `host`, `port`, `tls` (browsers
 *   use their own trust store) or `mutualPeerAuth` option); TypeError if there is no
 *   `WebSocket` option and no global one.
 */
export function createBrowserWebSocketDialer(options?: BrowserWebSocketDialerOptions): WebSocketNetlayer {
  const where = 'createBrowserWebSocketDialer';
  const opts = optionsObject(options, where);
  for (const name of ['host', 'port', 'mutualPeerAuth', 'tls']) {
    if (name in opts) throw new TypeError(`${where}: a browser dialer takes no ${name} option`);
  }
  const { WebSocket: given, drainPollMs, ...rest } = opts;
  const WebSocketImpl = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocketImpl !== 'function') {
    throw new TypeError(`${where}: ${given === undefined ? 'this platform has no global WebSocket; pass options.WebSocket' : 'options.WebSocket must be a WebSocket class'}`);
  }
  const pollMs = intOption(drainPollMs, 'drainPollMs', 1, 60_000, DEFAULT_DRAIN_POLL_MS, where);
  const resolved = resolveOptions({ ...rest, mutualPeerAuth: false }, where);
  return new WsNetlayer(resolved, resolved.url, undefined, browserDialMessageSocket(WebSocketImpl, pollMs));
}
