/**
 * The netlayer author's kit: {@link checkNetlayerConformance} runs the netlayer contract
 * (src/netlayers/interface.ts; docs/netlayers.md, "The contract") against any netlayer,
 * through its public members only, from any test runner. Platform-neutral: no Node built-in,
 * no test framework.
 * @module
 */
import { encode } from '../syrup/index.js';
import { SyrupRecord, SyrupSymbol } from '../syrup/types.js';
import type { Connection, Netlayer } from './interface.js';

/** Two fresh netlayers of the transport under test. */
export interface ConformancePair {
  /** A listening netlayer: the checks dial its `location`. */
  readonly listener: Netlayer;
  /** A netlayer that dials `listener` (a dialer only, or another listening one). */
  readonly dialer: Netlayer;
}

/** Options of {@link checkNetlayerConformance}. */
export interface ConformanceOptions {
  /** Messages sent each way in the ordered-delivery check. Integer ≥ 1; default 10,000. */
  messages?: number | undefined;
  /**
   * Largest message payload, in bytes (the netlayer must accept it plus ~30 bytes of Syrup).
   * Integer from 1 to 16 MiB; default 1 MiB (1,048,576).
   */
  largestMessageBytes?: number | undefined;
  /** Bound on each check, in milliseconds (setup and cleanup included). Default 60,000. */
  timeoutMs?: number | undefined;
  /**
   * How long a connect to a closed netlayer may take to reject, in milliseconds; also how
   * long the other end may take to notice a closed netlayer. Default 10,000.
   */
  refusalMs?: number | undefined;
}

/** The outcome of one check. */
export interface ConformanceCheck {
  /** What was checked, e.g. `'ordered delivery both ways'`. */
  readonly name: string;
  /** `true` when the check passed or was skipped. */
  readonly ok: boolean;
  /** `true` when the netlayer lacks what the check needs (an optional member). */
  readonly skipped: boolean;
  /** What went wrong, or a note on what passed or why it was skipped. */
  readonly detail: string;
  /** Wall time the check took, in milliseconds. */
  readonly ms: number;
}

/** What {@link checkNetlayerConformance} found. */
export interface ConformanceReport {
  /** `true` when every check passed (skipped ones count as passed). */
  readonly ok: boolean;
  readonly checks: readonly ConformanceCheck[];
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** The message a check sends: `<3'msg N:bytes>`, deterministic in (seed, n, size). */
export function conformanceMessage(seed: number, n: number, size: number): Uint8Array {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (seed * 131 + n * 7 + i * 31) & 0xff;
  return encode(new SyrupRecord(new SyrupSymbol('msg'), [BigInt(n), payload]));
}

/** Payload size of message `n`: mostly small, every 100th 64 KiB, every 1000th the largest. */
function sizeOf(n: number, largest: number): number {
  if (n % 1000 === 999) return largest;
  if (n % 100 === 50) return Math.min(64 * KIB, largest);
  return 1 + ((n * 37) % Math.min(300, largest));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Everything one connection reported, with a way to wait for a condition. */
class Recorder {
  readonly messages: Uint8Array[] = [];
  readonly errors: Error[] = [];
  readonly closes: (Error | undefined)[] = [];
  drains = 0;
  /** Set when a check's `onMessage` rejected a message. */
  failure: string | undefined;
  readonly #waiters = new Set<() => void>();

  constructor(readonly conn: Connection, onMessage?: (bytes: Uint8Array, index: number) => string | undefined) {
    conn.setHandlers({
      message: (bytes) => {
        if (onMessage) {
          const bad = this.failure === undefined ? onMessage(bytes, this.messages.length) : undefined;
          if (bad !== undefined) this.failure = bad;
          this.messages.push(EMPTY); // count only: the check compared it already
        } else {
          this.messages.push(bytes);
        }
        this.#wake();
      },
      error: (error) => (this.errors.push(error), this.#wake()),
      close: (error) => (this.closes.push(error), this.#wake()),
      drain: () => (this.drains++, this.#wake()),
    });
  }

  /** Resolves once `cond()` holds; rejects after `ms` with `what` in the message. */
  until(cond: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.#waiters.delete(check), reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`))), ms);
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }
}
const EMPTY = new Uint8Array(0);

/** Opens one connection from `dialer` to `listener`; returns both ends. */
async function connectPair(pair: ConformancePair, ms: number): Promise<{ dialled: Connection; accepted: Connection }> {
  let resolveAccepted!: (c: Connection) => void;
  const accepted = new Promise<Connection>((resolve) => (resolveAccepted = resolve));
  pair.listener.accept((c) => resolveAccepted(c));
  const dialled = await pair.dialer.connect(pair.listener.location);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no incoming connection within ${ms} ms`)), ms)));
  try {
    return { dialled, accepted: await Promise.race([accepted, timeout]) };
  } finally {
    clearTimeout(timer);
  }
}

/** What a check may wait for one condition: most of its budget, so it can say what it missed. */
function innerMs(o: Required<ConformanceOptions>): number {
  return Math.max(1, Math.floor(o.timeoutMs * 0.8));
}

type CheckBody = (pair: ConformancePair, o: Required<ConformanceOptions>) => Promise<string>;

/** Thrown by a check body to report "skipped" rather than a failure. */
class Skip extends Error {}

const orderedDelivery: CheckBody = async (pair, o) => {
  const { dialled, accepted } = await connectPair(pair, o.refusalMs);
  const expect = (seed: number) => (bytes: Uint8Array, i: number): string | undefined =>
    sameBytes(bytes, conformanceMessage(seed, i, sizeOf(i, o.largestMessageBytes))) ? undefined : `message ${i} (seed ${seed}) arrived changed, split, merged or out of order (${bytes.length} bytes)`;
  const rd = new Recorder(dialled, expect(2));
  const ra = new Recorder(accepted, expect(1));
  let total = 0;
  for (let i = 0; i < o.messages; i++) {
    const size = sizeOf(i, o.largestMessageBytes);
    total += size;
    dialled.send(conformanceMessage(1, i, size));
    accepted.send(conformanceMessage(2, i, size));
  }
  const done = (r: Recorder): boolean => r.failure !== undefined || r.errors.length > 0 || r.closes.length > 0 || r.messages.length >= o.messages;
  const waitMs = innerMs(o);
  await Promise.all([
    rd.until(() => done(rd), waitMs, () => `${o.messages} messages on the dialled end (got ${rd.messages.length})`),
    ra.until(() => done(ra), waitMs, () => `${o.messages} messages on the accepted end (got ${ra.messages.length})`),
  ]);
  for (const [end, r] of [['dialled', rd], ['accepted', ra]] as const) {
    if (r.failure !== undefined) throw new Error(`${end} end: ${r.failure}`);
    if (r.errors.length > 0) throw new Error(`${end} end reported error(): ${r.errors[0].message}`);
    if (r.closes.length > 0) throw new Error(`${end} end closed after ${r.messages.length} of ${o.messages} messages`);
  }
  await sleep(20);
  if (rd.messages.length !== o.messages || ra.messages.length !== o.messages) throw new Error(`extra messages arrived (${rd.messages.length}, ${ra.messages.length})`);
  return `${o.messages} messages each way (${total} payload bytes each way, 1 to ${o.largestMessageBytes} bytes each), intact and in order`;
};

const cleanClose: CheckBody = async (pair, o) => {
  const { dialled, accepted } = await connectPair(pair, o.refusalMs);
  const rd = new Recorder(dialled);
  const ra = new Recorder(accepted);
  const last = conformanceMessage(3, 0, 1000);
  dialled.send(last);
  dialled.close();
  dialled.close(); // idempotent
  await Promise.all([rd.until(() => rd.closes.length > 0, o.refusalMs, 'close on the closing end'), ra.until(() => ra.closes.length > 0, o.refusalMs, 'close on the other end')]);
  dialled.send(last); // ignored after close: must not throw
  await sleep(50);
  if (rd.closes.length !== 1 || ra.closes.length !== 1) throw new Error(`close reported ${rd.closes.length} and ${ra.closes.length} times, expected once each`);
  if (rd.closes[0] !== undefined) throw new Error(`the closing end reported close(error): ${rd.closes[0].message}`);
  if (ra.closes[0] !== undefined) throw new Error(`the other end reported close(error) for a clean close: ${ra.closes[0].message}`);
  if (ra.messages.length !== 1 || !sameBytes(ra.messages[0], last)) throw new Error('the message sent just before close() was not delivered (close must flush)');
  if (rd.errors.length + ra.errors.length > 0) throw new Error('error() reported on a clean close');
  return 'close() flushed the last message; close seen once by each end, without an error';
};

const refused: CheckBody = async (pair, o) => {
  const target = pair.listener.location;
  await pair.listener.close();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), o.refusalMs)));
  const attempt = pair.dialer.connect(target).then(
    (c) => (c.close(), 'connected' as const),
    (e: unknown) => e,
  );
  const got = await Promise.race([attempt, hang]);
  clearTimeout(timer);
  if (got === 'hang') throw new Error(`connect to a closed netlayer neither resolved nor rejected within ${o.refusalMs} ms`);
  if (got === 'connected') throw new Error('connect to a closed netlayer resolved with a connection');
  if (!(got instanceof Error)) throw new Error(`connect rejected with a non-Error: ${String(got)}`);
  return `rejected: ${got.message}`;
};

const halfOpen: CheckBody = async (pair, o) => {
  const { dialled, accepted } = await connectPair(pair, o.refusalMs);
  const rd = new Recorder(dialled);
  new Recorder(accepted);
  await pair.listener.close();
  await rd.until(() => rd.closes.length > 0 || rd.errors.length > 0, o.refusalMs, 'close or error after the peer netlayer closed');
  dialled.send(conformanceMessage(4, 0, 10)); // must not throw, whatever the state
  dialled.close();
  return rd.closes.length > 0 ? 'the dialled end saw close' : 'the dialled end saw error';
};

const backpressure: CheckBody = async (pair, o) => {
  const { dialled, accepted } = await connectPair(pair, o.refusalMs);
  if (typeof accepted.pauseReading !== 'function' || typeof accepted.resumeReading !== 'function' || typeof dialled.bufferedAmount !== 'number') {
    throw new Skip('no pauseReading/resumeReading/bufferedAmount: the node assumes no backpressure');
  }
  const rd = new Recorder(dialled);
  const ra = new Recorder(accepted);
  await sleep(20);
  accepted.pauseReading();
  const count = 64;
  const size = Math.min(256 * KIB, o.largestMessageBytes);
  const sent = Array.from({ length: count }, (_, i) => conformanceMessage(5, i, size));
  for (const m of sent) dialled.send(m);
  // Wait until bufferedAmount stops changing (kernel buffers full, or none).
  let last = -1;
  for (let same = 0, i = 0; same < 4 && i < 200; i++) {
    await sleep(20);
    const now = dialled.bufferedAmount ?? 0;
    same = now === last ? same + 1 : 0;
    last = now;
  }
  if (last <= 0) throw new Error(`bufferedAmount stayed 0 with ${count * size} bytes sent to a paused peer`);
  const drainsBefore = rd.drains;
  accepted.resumeReading();
  await ra.until(() => ra.messages.length >= count || ra.errors.length > 0, innerMs(o), 'the held messages after resumeReading');
  await rd.until(() => rd.drains > drainsBefore && dialled.bufferedAmount === 0, o.refusalMs, 'drain (and bufferedAmount 0) after the peer took everything');
  if (ra.errors.length > 0) throw new Error(`error() on the paused end: ${ra.errors[0].message}`);
  for (let i = 0; i < count; i++) if (!sameBytes(ra.messages[i], sent[i])) throw new Error(`held message ${i} arrived changed or out of order`);
  return `bufferedAmount reached ${last} bytes while the peer paused; drain after resume; ${count} messages intact`;
};

const CHECKS: readonly [string, CheckBody][] = [
  ['ordered delivery both ways', orderedDelivery],
  ['clean close', cleanClose],
  ['refused connection', refused],
  ['half-open connection', halfOpen],
  ['backpressure', backpressure],
];

function option(options: ConformanceOptions, name: keyof ConformanceOptions, fallback: number, max: number): number {
  const v = options[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${typeof v}`);
  if (!Number.isSafeInteger(v) || v < 1 || v > max) throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${v}`);
  return v;
}

/**
 * Runs the netlayer contract checks against one transport: ordered delivery of `messages`
 * Syrup records of mixed sizes both ways at once (boundaries and bytes compared), a clean
 * close seen once by both ends, a connect to a closed netlayer that rejects with an `Error`
 * (not a hang), a connection whose peer netlayer closes (the other end sees close or error),
 * and backpressure (`bufferedAmount` grows while the peer paused reading, `drain` after it
 * resumes; skipped when the optional members are missing). Each check gets fresh netlayers
 * from `factory` and closes them afterwards.
 *
 * It never throws for a failing netlayer: it returns a report whose `ok` is `false`, with
 * what went wrong in each failed check's `detail`. A test asserts `report.ok` (and may print
 * the report).
 * @param factory makes two fresh netlayers of the transport under test, each call.
 * @throws TypeError if `factory` is not a function or an option has the wrong type;
 *   RangeError if an option is out of range.
 */
export async function checkNetlayerConformance(factory: () => Promise<ConformancePair>, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  if (typeof factory !== 'function') throw new TypeError('checkNetlayerConformance needs a factory function');
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const o: Required<ConformanceOptions> = {
    messages: option(options, 'messages', 10_000, 10_000_000),
    largestMessageBytes: option(options, 'largestMessageBytes', MIB, 16 * MIB),
    timeoutMs: option(options, 'timeoutMs', 60_000, 3_600_000),
    refusalMs: option(options, 'refusalMs', 10_000, 3_600_000),
  };
  const checks: ConformanceCheck[] = [];
  for (const [name, body] of CHECKS) checks.push(await runCheck(name, body, factory, o));
  return { ok: checks.every((c) => c.ok), checks };
}

async function runCheck(name: string, body: CheckBody, factory: () => Promise<ConformancePair>, o: Required<ConformanceOptions>): Promise<ConformanceCheck> {
  const start = Date.now();
  let pair: ConformancePair | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs)));
  let result: Omit<ConformanceCheck, 'ms' | 'name'>;
  try {
    const run = (async () => {
      pair = await factory();
      return body(pair, o);
    })();
    run.catch(() => undefined); // a late rejection after a timeout is not unhandled
    result = { ok: true, skipped: false, detail: await Promise.race([run, timeout]) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    result = e instanceof Skip ? { ok: true, skipped: true, detail: message } : { ok: false, skipped: false, detail: message };
  } finally {
    clearTimeout(timer);
  }
  if (pair) {
    const closing = Promise.allSettled([pair.dialer.close(), pair.listener.close()]);
    let closeTimer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<'hang'>((resolve) => (closeTimer = setTimeout(() => resolve('hang'), o.refusalMs)));
    const got = await Promise.race([closing, bound]);
    clearTimeout(closeTimer);
    if (got === 'hang' && result.ok) {
      result = { ok: false, skipped: false, detail: `netlayer close() did not resolve within ${o.refusalMs} ms` };
    }
  }
  return { name, ...result, ms: Date.now() - start };
}
