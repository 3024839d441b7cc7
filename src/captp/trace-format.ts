/**
 * A readable line per CapTP message, for the `tap` option of a node (see {@link WireEvent})
 * and for `ocapn trace`:
 *
 * ```text
 * 21:22:38.123 → ab12cd34 op:deliver <desc:export 3> ['greet "bob"] 7 <desc:import-object 2>
 * 21:22:38.125 ← ab12cd34 op:deliver-only <desc:export 2> ['fulfill "hello bob"]
 * ```
 *
 * `→` is a message we sent to the peer, `←` one we received from it; the peer is named by the
 * first 8 characters of its designator (`?` before its op:start-session arrived). Values are
 * written in the readable notation of the interop vectors (`toNotation`), with long bytes,
 * strings and lists cut. Platform-neutral.
 * @module
 */
import { toNotation } from '../syrup/notation.js';
import { toHex } from '../syrup/bytes.js';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, type SyrupValue } from '../syrup/types.js';
import type { WireEvent } from './session.js';

/** How {@link formatTraceLine} writes a line. */
export interface TraceFormatOptions {
  /**
   * The timestamp at the start of the line: `'clock'` (default; `HH:MM:SS.mmm`, UTC),
   * `'iso'` (full ISO 8601, UTC) or `'none'`.
   */
  readonly time?: 'clock' | 'iso' | 'none';
  /** Bytes longer than this many bytes are cut (default 16). */
  readonly maxBytes?: number;
  /** Strings longer than this many UTF-16 code units are cut (default 120). */
  readonly maxString?: number;
  /** Lists, records, dictionaries and sets show at most this many items (default 16). */
  readonly maxItems?: number;
  /** A name for our own node, written before the arrow (for traces of several nodes). */
  readonly local?: string;
}

/** One message to format: when (ms since the Unix epoch), which way, with whom, what. */
export interface TraceRecord {
  readonly time: number;
  readonly direction: 'in' | 'out';
  /** The peer's designator, if known. */
  readonly peer: string | undefined;
  readonly message: SyrupValue;
}

const SIMPLE_LABEL = /^[A-Za-z0-9_:.!?*+/=-]+$/;
const MAX_DEPTH = 12;

// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `s` with control characters (C0, DEL, C1) and bidi overrides written as `\uXXXX`: what a
 * peer chose (a designator, an op label) cannot drive the terminal a trace is printed on.
 */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The first 8 characters of a designator (`?` if unknown), control characters escaped. */
export function shortDesignator(designator: string | undefined): string {
  return designator === undefined || designator === '' ? '?' : printable(designator.slice(0, 8));
}

function brief(v: SyrupValue, o: Required<Omit<TraceFormatOptions, 'local' | 'time'>>, depth: number): string {
  if (depth > MAX_DEPTH) return '…';
  if (typeof v === 'string') {
    return printable(v.length > o.maxString ? `${JSON.stringify(v.slice(0, o.maxString).toWellFormed())}…(${v.length} chars)` : JSON.stringify(v));
  }
  if (v instanceof Uint8Array) {
    return v.length > o.maxBytes ? `:${toHex(v.subarray(0, o.maxBytes))}…(${v.length} bytes)` : toNotation(v);
  }
  const items = (list: readonly SyrupValue[]) => {
    const shown = list.slice(0, o.maxItems).map((x) => brief(x, o, depth + 1));
    if (list.length > o.maxItems) shown.push(`…(${list.length - o.maxItems} more)`);
    return shown;
  };
  if (Array.isArray(v)) return `[${items(v).join(' ')}]`;
  if (v instanceof SyrupRecord) {
    const label = v.label instanceof SyrupSymbol && SIMPLE_LABEL.test(v.label.name) ? v.label.name : brief(v.label, o, depth + 1);
    return `<${[label, ...items(v.fields)].join(' ')}>`;
  }
  if (v instanceof SyrupDict) {
    const shown = v.entries.slice(0, o.maxItems).map(([k, x]) => `${brief(k, o, depth + 1)}: ${brief(x, o, depth + 1)}`);
    if (v.entries.length > o.maxItems) shown.push(`…(${v.entries.length - o.maxItems} more)`);
    return `{${shown.join(', ')}}`;
  }
  if (v instanceof SyrupSet) return `#{${items(v.items).join(' ')}}`;
  return printable(toNotation(v));
}

function limits(options: TraceFormatOptions | undefined): Required<Omit<TraceFormatOptions, 'local' | 'time'>> {
  const maxBytes = options?.maxBytes ?? 16;
  const maxString = options?.maxString ?? 120;
  const maxItems = options?.maxItems ?? 16;
  for (const [name, n] of [['maxBytes', maxBytes], ['maxString', maxString], ['maxItems', maxItems]] as const) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`trace format ${name} must be a positive integer, got ${String(n)}`);
  }
  return { maxBytes, maxString, maxItems };
}

/**
 * One operation in readable notation: its label, then each field (`op:deliver <desc:export 3>
 * ['greet "bob"] 7 <desc:import-object 2>`). Anything that is not a record is written as is.
 * @throws RangeError for bad options; TypeError for a non-Syrup value.
 */
export function formatOp(message: SyrupValue, options?: TraceFormatOptions): string {
  const o = limits(options);
  if (message instanceof SyrupRecord && message.label instanceof SyrupSymbol) {
    const name = message.label.name;
    return [SIMPLE_LABEL.test(name) ? name : brief(message.label, o, 1), ...message.fields.slice(0, o.maxItems).map((f) => brief(f, o, 1)), ...(message.fields.length > o.maxItems ? ['…'] : [])].join(' ');
  }
  return brief(message, o, 0);
}

/**
 * The location an op:start-session claims (`<ocapn-peer 'transport "designator" hints>`), if it
 * has one of that shape.
 */
export function startSessionLocation(message: SyrupValue): { designator: string; transport: string } | undefined {
  if (!(message instanceof SyrupRecord) || message.labelName !== 'op:start-session') return undefined;
  const loc = message.fields[2];
  if (!(loc instanceof SyrupRecord) || (loc.labelName !== 'ocapn-peer' && loc.labelName !== 'ocapn-node')) return undefined;
  const [transport, designator] = loc.fields;
  if (!(transport instanceof SyrupSymbol) || typeof designator !== 'string') return undefined;
  return { designator, transport: transport.name };
}

function timestamp(ms: number, style: TraceFormatOptions['time']): string {
  if (style === 'none') return '';
  const iso = new Date(ms).toISOString();
  return `${style === 'iso' ? iso : iso.slice(11, 23)} `;
}

/**
 * One trace line: `HH:MM:SS.mmm [local ]→|← peer op field…`.
 * @throws RangeError for bad options.
 */
export function formatTraceLine(record: TraceRecord, options?: TraceFormatOptions): string {
  const local = options?.local === undefined ? '' : `${options.local} `;
  const arrow = record.direction === 'out' ? '→' : '←';
  return `${timestamp(record.time, options?.time)}${local}${arrow} ${shortDesignator(record.peer)} ${formatOp(record.message, options)}`;
}

/** The current time in ms since the Unix epoch, with sub-millisecond precision where the platform has it. */
export function now(): number {
  const p = (globalThis as { performance?: { timeOrigin: number; now(): number } }).performance;
  return p ? Math.round((p.timeOrigin + p.now()) * 1000) / 1000 : Date.now();
}

/** The peer's designator for a wire event: the session's peer, or the one an incoming op:start-session claims. */
export function eventPeer(event: WireEvent): string | undefined {
  return event.session.peerLocation?.designator ?? (event.direction === 'in' ? startSessionLocation(event.message)?.designator : undefined);
}

/** {@link formatTraceLine} for a {@link WireEvent}, stamped now. */
export function formatWireEvent(event: WireEvent, options?: TraceFormatOptions): string {
  return formatTraceLine({ time: now(), direction: event.direction, peer: eventPeer(event), message: event.message }, options);
}

/**
 * A `tap` (see `NodeOptions.tap`) that writes each message as one line with `writeLine`:
 *
 * ```ts
 * const node = new OcapnNode({ netlayers, tap: traceTo((line) => console.error(line)) });
 * ```
 * @throws TypeError if `writeLine` is not a function; RangeError for bad options.
 */
export function traceTo(writeLine: (line: string) => void, options?: TraceFormatOptions): (event: WireEvent) => void {
  if (typeof writeLine !== 'function') throw new TypeError('traceTo needs a function that writes one line');
  limits(options);
  return (event) => writeLine(formatWireEvent(event, options));
}
