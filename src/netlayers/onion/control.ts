/**
 * A small client for Tor's control protocol (control-spec.txt): line-based, one command at a
 * time, replies `NNN-…` (more follows), `NNN+…` (a data block up to a lone `.`), `NNN …`
 * (last line); status `650` marks asynchronous events. Used by the `onion` netlayer to
 * authenticate, add and remove onion services and watch `HS_DESC` uploads. Every reply is
 * bounded (line length, lines per reply) and every command has a timeout: a control port
 * that misbehaves fails this client with an error, never a hang or unbounded memory. Node only.
 * @module
 */
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { CONTROL_ADVICE, connectEndpoint, describeEndpoint, type TorEndpoint } from './endpoint.js';

/** A reply to one command. */
export interface ControlReply {
  /** The status code of the last line, e.g. 250. */
  readonly status: number;
  /** The text of each line after its `NNN-`/`NNN `, data blocks joined with `\n`. */
  readonly lines: readonly string[];
}

/** Tor answered a command with an error status, or broke the protocol. */
export class TorControlError extends Error {
  /** The status code (e.g. 515, 552), or `undefined` when the reply was malformed or missing. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TorControlError';
    this.status = status;
  }
}

/** Limits and timeouts of a {@link TorControl}. */
export interface TorControlOptions {
  /** How long connecting and each command may take, in ms. */
  readonly timeoutMs: number;
  /** Longest line accepted from the control port, in bytes. */
  readonly maxLineBytes: number;
  /** Most lines in one reply or event. */
  readonly maxReplyLines: number;
}

/** Defaults: 10 s per command, lines up to 16 KiB, 256 lines per reply. */
export const DEFAULT_CONTROL_LIMITS: TorControlOptions = Object.freeze({ timeoutMs: 10_000, maxLineBytes: 16 * 1024, maxReplyLines: 256 });

interface Pending {
  readonly verb: string;
  readonly resolve: (reply: ControlReply) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const LF = 0x0a;

/** One control-port connection. */
export class TorControl {
  /** `127.0.0.1:9051` or the socket path, for messages. */
  readonly where: string;
  /** Resolves (never rejects) once the connection is gone, with the reason if abnormal. */
  readonly closed: Promise<Error | undefined>;
  readonly #socket: Socket;
  readonly #limits: TorControlOptions;
  readonly #pending: Pending[] = [];
  readonly #eventListeners = new Set<(event: ControlReply) => void>();
  #chunks: Buffer[] = [];
  #chunkBytes = 0;
  #lines: string[] = [];
  #status = -1;
  #inData = false;
  #failure: Error | undefined;
  #onClosed!: (error: Error | undefined) => void;
  readonly #socketGone: Promise<void>;

  private constructor(socket: Socket, where: string, limits: TorControlOptions) {
    this.#socket = socket;
    this.where = where;
    this.#limits = limits;
    this.closed = new Promise((resolve) => (this.#onClosed = resolve));
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.on('error', (err) => this.#fail(new TorControlError(`Tor's control connection at ${where} failed: ${err.message}`, undefined, { cause: err })));
    this.#socketGone = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('close', () => this.#fail(new TorControlError(`Tor closed its control connection at ${where}`)));
  }

  /**
   * Connects to a control port (no authentication yet).
   * @throws Error naming the endpoint and the torrc line to add when nothing answers there.
   */
  static async connect(endpoint: TorEndpoint, limits: TorControlOptions = DEFAULT_CONTROL_LIMITS): Promise<TorControl> {
    const socket = await connectEndpoint(endpoint, limits.timeoutMs, CONTROL_ADVICE);
    return new TorControl(socket, describeEndpoint(endpoint), limits);
  }

  /** Calls `listener` with every asynchronous event (status 6xx) until it is removed. */
  onEvent(listener: (event: ControlReply) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * Sends one command line and waits for its reply.
   * @param line the command without CRLF; must not contain CR or LF.
   * @returns the reply when its status is 2xx.
   * @throws TorControlError on another status (the message quotes tor's text), on a timeout
   *   or a malformed reply (both also close this connection: the stream is out of step).
   */
  command(line: string): Promise<ControlReply> {
    if (/[\r\n]/.test(line)) return Promise.reject(new TypeError('a control command must be one line'));
    const verb = line.split(' ', 1)[0]!;
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new TorControlError(`Tor's control port at ${this.where} did not answer ${verb} within ${this.#limits.timeoutMs} ms`));
      }, this.#limits.timeoutMs);
      this.#pending.push({ verb, resolve, reject, timer });
      this.#socket.write(`${line}\r\n`);
    }).then((reply) => {
      if (reply.status < 200 || reply.status > 299) {
        throw new TorControlError(`Tor refused ${verb} at ${this.where}: ${reply.status} ${reply.lines.join(' / ')}`, reply.status);
      }
      return reply;
    });
  }

  /**
   * Authenticates: asks `PROTOCOLINFO 1` which methods this tor accepts, then uses null
   * authentication if allowed, else the cookie (read from `cookieFile` or the file tor names),
   * else `password` if given.
   * @throws TorControlError naming the methods tor wants when none of ours fits, or when tor
   *   refuses; Error when the cookie file cannot be read.
   */
  async authenticate(options: { cookieFile?: string | undefined; password?: string | undefined } = {}): Promise<void> {
    const info = await this.command('PROTOCOLINFO 1');
    const authLine = info.lines.find((l) => l.startsWith('AUTH '));
    const methods = new Set((/METHODS=([A-Z0-9,]+)/.exec(authLine ?? '')?.[1] ?? '').split(',').filter(Boolean));
    if (methods.has('NULL')) {
      await this.command('AUTHENTICATE');
      return;
    }
    if (methods.has('COOKIE')) {
      const file = options.cookieFile ?? quotedValue(authLine ?? '', 'COOKIEFILE');
      if (file === undefined) throw new TorControlError(`Tor's control port at ${this.where} wants cookie authentication but names no cookie file: pass the cookieFile option`);
      let cookie: Buffer;
      try {
        cookie = await readFile(file);
      } catch (err) {
        throw new Error(`cannot read Tor's control cookie ${file}: ${(err as Error).message} (run as a user who may read it, or pass the cookieFile option)`, { cause: err });
      }
      if (cookie.length !== 32) throw new TorControlError(`Tor's control cookie ${file} holds ${cookie.length} bytes, not 32`);
      await this.command(`AUTHENTICATE ${cookie.toString('hex')}`);
      return;
    }
    if (methods.has('HASHEDPASSWORD') && options.password !== undefined) {
      await this.command(`AUTHENTICATE ${quoteString(options.password)}`);
      return;
    }
    const list = [...methods].join(', ') || 'none listed';
    throw new TorControlError(
      `Tor's control port at ${this.where} accepts authentication methods ${list}; we can use NULL, COOKIE (CookieAuthentication 1) or HASHEDPASSWORD with the password option`,
    );
  }

  /**
   * Sends `QUIT` and closes the connection (pending commands fail). Idempotent.
   * @returns once the socket is closed (tor's answer to QUIT, or after at most 1 s).
   */
  close(): Promise<void> {
    if (this.#failure === undefined) {
      if (!this.#socket.destroyed) this.#socket.end('QUIT\r\n');
      this.#fail(new TorControlError(`the control connection to ${this.where} was closed`), false);
    }
    return this.#socketGone;
  }

  #data(chunk: Buffer): void {
    let start = 0;
    while (this.#failure === undefined) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.#chunkBytes + (end - start) > this.#limits.maxLineBytes) {
        this.#fail(new TorControlError(`Tor's control port at ${this.where} sent a line over ${this.#limits.maxLineBytes} bytes`));
        return;
      }
      if (end > start) {
        this.#chunks.push(chunk.subarray(start, end));
        this.#chunkBytes += end - start;
      }
      if (nl === -1) return;
      let line = Buffer.concat(this.#chunks).toString('utf8');
      this.#chunks = [];
      this.#chunkBytes = 0;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      this.#line(line);
      start = nl + 1;
    }
  }

  #line(line: string): void {
    if (this.#lines.length >= this.#limits.maxReplyLines) {
      this.#fail(new TorControlError(`Tor's control port at ${this.where} sent a reply of more than ${this.#limits.maxReplyLines} lines`));
      return;
    }
    if (this.#inData) {
      if (line === '.') this.#inData = false;
      else this.#lines[this.#lines.length - 1] += `\n${line.startsWith('.') ? line.slice(1) : line}`;
      return;
    }
    const m = /^([0-9]{3})([ +-])(.*)$/s.exec(line);
    if (m === null) {
      this.#fail(new TorControlError(`Tor's control port at ${this.where} sent a malformed line: ${JSON.stringify(line.slice(0, 80))}`));
      return;
    }
    const status = Number(m[1]);
    if (this.#lines.length > 0 && status !== this.#status) {
      this.#fail(new TorControlError(`Tor's control port at ${this.where} changed status inside one reply (${this.#status} then ${status})`));
      return;
    }
    this.#status = status;
    this.#lines.push(m[3]!);
    if (m[2] === '+') this.#inData = true;
    if (m[2] !== ' ') return;
    const reply: ControlReply = { status, lines: this.#lines };
    this.#lines = [];
    if (status >= 600 && status <= 699) {
      for (const listener of [...this.#eventListeners]) listener(reply);
      return;
    }
    const pending = this.#pending.shift();
    if (pending === undefined) {
      this.#fail(new TorControlError(`Tor's control port at ${this.where} sent a reply nobody asked for: ${status} ${reply.lines[0] ?? ''}`));
      return;
    }
    clearTimeout(pending.timer);
    pending.resolve(reply);
  }

  /** Fails every pending command with `error` and drops the connection. */
  #fail(error: Error, destroy = true): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const p of this.#pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.#eventListeners.clear();
    if (destroy) this.#socket.destroy();
    else {
      const timer = setTimeout(() => this.#socket.destroy(), 1_000);
      timer.unref();
      this.#socket.once('close', () => clearTimeout(timer));
    }
    this.#onClosed(destroy ? error : undefined);
  }
}

/** The value of `KEY="…"` in a control-port line, unescaped; `undefined` if absent. @internal */
export function quotedValue(line: string, key: string): string | undefined {
  const at = line.indexOf(`${key}="`);
  if (at === -1) return undefined;
  let out = '';
  for (let i = at + key.length + 2; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') return out;
    if (c === '\\' && i + 1 < line.length) out += line[++i];
    else out += c;
  }
  return undefined;
}

/** A control-protocol quoted string. @internal */
export function quoteString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
