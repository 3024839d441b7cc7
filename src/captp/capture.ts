/**
 * The capture format: what a node writes, per session, for `ocapn trace` to read back.
 * Platform-neutral (the Node helper that writes files is `captureToDirectory`, in
 * ../capture-node.ts). One capture is UTF-8 text, one JSON object per line:
 *
 * ```text
 * {"ocapn-capture":1,"local":"ocapn://ab12….tcp-testing-only","opened":1764451200000.125}
 * {"t":1764451200001.5,"d":"out","hex":"3c31303a6f703a73746172742d73657373696f6e…"}
 * {"t":1764451200003.25,"d":"in","hex":"3c…"}
 * ```
 *
 * - the first line is the header: format version 1, our own peer URI on the session's
 *   netlayer, and when the capture began;
 * - every further line is one CapTP message as it crossed the wire: `t` when (ms since the
 *   Unix epoch, sub-ms precision), `d` which way (`out` sent by us, `in` received), `hex` its
 *   Syrup bytes (before netlayer framing) in lowercase hex.
 *
 * A session's first messages are both op:start-session records, which name both peers'
 * locations and session keys, so a capture needs no other metadata: `ocapn trace` matches the
 * two ends of a session across captures by those keys.
 * @module
 */
import { formatPeerUri } from '../locator/index.js';
import type { PeerLocator } from '../locator/types.js';
import { toHex } from '../syrup/bytes.js';
import type { CaptpSession, WireEvent } from './session.js';
import { now } from './trace-format.js';

/** The header line of a capture. */
export interface CaptureHeader {
  readonly 'ocapn-capture': 1;
  /** Our own peer URI on the session's netlayer. */
  readonly local: string;
  /** When the capture began, in ms since the Unix epoch. */
  readonly opened: number;
}

/** One captured message. */
export interface CaptureRecord {
  /** When, in ms since the Unix epoch. */
  readonly t: number;
  readonly d: 'in' | 'out';
  /** The message's Syrup bytes. */
  readonly bytes: Uint8Array;
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Raised for a capture file that does not follow the format; names the line. */
export class CaptureFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

/** The header line (no newline) for a session whose local location is `local`. */
export function captureHeaderLine(local: PeerLocator, opened = now()): string {
  const header: CaptureHeader = { 'ocapn-capture': 1, local: formatPeerUri(local), opened };
  return JSON.stringify(header);
}

/** One record line (no newline). */
export function captureRecordLine(direction: 'in' | 'out', bytes: Uint8Array, time = now()): string {
  return `{"t":${time},"d":"${direction}","hex":"${toHex(bytes)}"}`;
}

/** A time a `Date` can hold (ms since the Unix epoch, at most 8.64e15 either way). */
const isTime = (t: unknown): t is number => typeof t === 'number' && Math.abs(t) <= 8.64e15;

/**
 * Read a capture (its whole text). Blank lines are ignored.
 * @throws CaptureFormatError naming the first line that does not follow the format.
 */
export function parseCapture(text: string): { header: CaptureHeader; records: CaptureRecord[] } {
  const lines = text.split('\n');
  let header: CaptureHeader | undefined;
  const records: CaptureRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new CaptureFormatError(`line ${i + 1}: not JSON`);
    }
    if (typeof v !== 'object' || v === null) throw new CaptureFormatError(`line ${i + 1}: not a JSON object`);
    const o = v as Record<string, unknown>;
    if (header === undefined) {
      if (o['ocapn-capture'] !== 1 || typeof o.local !== 'string' || !isTime(o.opened)) {
        throw new CaptureFormatError(`line ${i + 1}: not an ocapn capture header (want {"ocapn-capture":1,"local":…,"opened":…})`);
      }
      header = { 'ocapn-capture': 1, local: o.local, opened: o.opened };
      continue;
    }
    if (!isTime(o.t) || (o.d !== 'in' && o.d !== 'out') || typeof o.hex !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(o.hex)) {
      throw new CaptureFormatError(`line ${i + 1}: not a capture record (want {"t":ms,"d":"in"|"out","hex":…})`);
    }
    records.push({ t: o.t, d: o.d, bytes: fromHex(o.hex) });
  }
  if (header === undefined) throw new CaptureFormatError('empty capture (no header line)');
  return { header, records };
}

/** Where a capture tap writes one session's lines. */
export interface CaptureSink {
  /** Write one line (without its newline). */
  write(line: string): void;
  /** Called once the session has ended (after its last message). */
  close(): void;
}

/**
 * A `tap` (see `NodeOptions.tap`) that writes a capture per session: `open` is called on the
 * session's first message with the session and a running number (0, 1, …) and returns where
 * its lines go; the header is written first. A sink that throws loses that line only.
 */
export function captureTap(open: (session: CaptpSession, index: number) => CaptureSink): (event: WireEvent) => void {
  if (typeof open !== 'function') throw new TypeError('captureTap needs a function that opens a sink per session');
  const sinks = new WeakMap<CaptpSession, CaptureSink>();
  let index = 0;
  return (event) => {
    const time = now();
    let sink = sinks.get(event.session);
    if (sink === undefined) {
      const opened = open(event.session, index++);
      sink = opened;
      sinks.set(event.session, opened);
      opened.write(captureHeaderLine(event.session.host.location, time));
      // A sink whose close throws loses nothing more than its close (never an unhandled rejection).
      void event.session.closed.then(() => opened.close()).catch(() => {});
    }
    sink.write(captureRecordLine(event.direction, event.bytes, time));
  };
}

/** One tap that calls each of `taps` (skipping `undefined`), in order; `undefined` if none is left. */
export function tapAll(...taps: Array<((event: WireEvent) => void) | undefined>): ((event: WireEvent) => void) | undefined {
  const list = taps.filter((t): t is (event: WireEvent) => void => t !== undefined);
  if (list.length <= 1) return list[0];
  return (event) => {
    for (const tap of list) {
      try {
        tap(event);
      } catch {
        // one observer's bug must not hide the message from the others
      }
    }
  };
}
