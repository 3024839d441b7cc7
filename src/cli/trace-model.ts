/**
 * `ocapn trace`'s model: captures (one per session end, see src/captp/capture.ts) merged into
 * one list of messages among nodes. The two ends of a session are matched by the session keys
 * in their op:start-session records; a message seen at both ends appears once (sent time from
 * the sender's capture, received time from the receiver's). Marks what a reader looks for:
 * handoff traffic (gifts) and pipelined calls that waited for an answer.
 * @module
 */
import { decode, encode } from '../syrup/index.js';
import { toHex } from '../syrup/bytes.js';
import { SyrupRecord, SyrupSymbol, type SyrupValue } from '../syrup/types.js';
import { decodeOp, type DecodedOp, type ImportDesc, type TargetDesc } from '../captp/ops.js';
import { startSessionLocation } from '../captp/trace-format.js';
import { parseCapture } from '../captp/capture.js';

/** A node seen in the captures. */
export interface TraceNode {
  /** Its designator (`?…` if a capture never learnt it). */
  readonly designator: string;
  /** Its transport, if known. */
  readonly transport: string | undefined;
}

/** One message between two nodes. */
export interface TraceMessage {
  readonly from: string;
  readonly to: string;
  /** When it was sent / received (ms since the Unix epoch), where a capture saw it. */
  readonly sent: number | undefined;
  readonly received: number | undefined;
  readonly message: SyrupValue;
  readonly size: number;
  /** The session: 4 hex digits of each end's session key (the lower key first). */
  readonly session: string;
  /** Handoff traffic: which of deposit-gift, withdraw-gift, desc:handoff-give, desc:handoff-receive it carries. */
  readonly gift: readonly string[];
  /** Set for a message to an answer position before that answer was resolved. */
  pipelined?: { readonly answer: number; resolvedAt: number | undefined };
  /** Set for the message that resolved an answer (a fulfill or break to its resolver). */
  resolves?: number;
}

/** A merged trace. */
export interface Trace {
  readonly nodes: readonly TraceNode[];
  /** In the order they were sent (received, if only the receiver's capture saw one). */
  readonly messages: readonly TraceMessage[];
}

const GIFT_NAMES = new Set(['deposit-gift', 'withdraw-gift', 'desc:handoff-give', 'desc:handoff-receive']);

function giftMarks(v: SyrupValue, found: Set<string>, depth = 0): void {
  if (depth > 16) return;
  if (v instanceof SyrupSymbol) {
    if (GIFT_NAMES.has(v.name)) found.add(v.name);
  } else if (Array.isArray(v)) {
    for (const x of v) giftMarks(x, found, depth + 1);
  } else if (v instanceof SyrupRecord) {
    giftMarks(v.label, found, depth + 1);
    for (const x of v.fields) giftMarks(x, found, depth + 1);
  }
}

interface Side {
  key: string;
  designator: string | undefined;
  transport: string | undefined;
}

/** The first 32-byte Bytes inside `v` (the `q` of a session public key). */
function keyBytes(v: SyrupValue, depth = 0): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v.length === 32 ? v : undefined;
  if (depth > 4 || !Array.isArray(v)) return undefined;
  for (const x of v) {
    const found = keyBytes(x, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function startInfo(message: SyrupValue): Side | undefined {
  if (!(message instanceof SyrupRecord) || message.labelName !== 'op:start-session') return undefined;
  const key = keyBytes(message.fields[1] ?? false);
  const loc = startSessionLocation(message);
  return { key: key ? toHex(key) : toHex(encode(message.fields[1] ?? false)), designator: loc?.designator, transport: loc?.transport };
}

interface Stream {
  sent: Array<{ t: number; message: SyrupValue; size: number }>;
  received: Array<{ t: number; message: SyrupValue; size: number }>;
  from: Side;
  to: Side;
  session: string;
}

/** A short name for a session from its two keys (order-independent). */
function sessionName(a: string, b: string): string {
  const [x, y] = a < b ? [a, b] : [b, a];
  return `${x.slice(0, 4)}${y.slice(0, 4)}`;
}

/**
 * Merge captures (each one capture file's text, with a name for errors) into a {@link Trace}.
 * @throws Error naming the capture that could not be read.
 */
export function buildTrace(captures: ReadonlyArray<{ name: string; text: string }>): Trace {
  const streams = new Map<string, Stream>();
  const nodes = new Map<string, TraceNode>();
  const addNode = (side: Side) => {
    const d = side.designator!;
    if (!nodes.has(d) || nodes.get(d)!.transport === undefined) nodes.set(d, { designator: d, transport: side.transport });
  };
  for (const [fileIndex, { name, text }] of captures.entries()) {
    let parsed;
    try {
      parsed = parseCapture(text);
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    const decoded = parsed.records.map((r, i) => {
      try {
        return { t: r.t, d: r.d, message: decode(r.bytes, { dictOrder: 'canonical-or-js' }), size: r.bytes.length };
      } catch (e) {
        throw new Error(`${name}: message ${i + 1} is not Syrup: ${(e as Error).message}`);
      }
    });
    const localUri = /^ocapn:\/\/([^./?]+)\.([^/?]+)/.exec(parsed.header.local);
    const local: Side = { key: `?local${fileIndex}`, designator: localUri?.[1], transport: localUri?.[2] };
    const peer: Side = { key: `?peer${fileIndex}`, designator: undefined, transport: local.transport };
    for (const r of decoded) {
      const info = startInfo(r.message);
      if (!info) continue;
      if (r.d === 'out') Object.assign(local, { key: info.key, designator: info.designator ?? local.designator });
      else Object.assign(peer, { key: info.key, designator: info.designator, transport: info.transport ?? peer.transport });
    }
    local.designator ??= `?${name}`;
    peer.designator ??= `?peer of ${local.designator.slice(0, 8)}`;
    addNode(local);
    addNode(peer);
    const session = sessionName(local.key, peer.key);
    for (const r of decoded) {
      const [from, to] = r.d === 'out' ? [local, peer] : [peer, local];
      const id = `${session}:${from.key}`;
      let stream = streams.get(id);
      if (!stream) streams.set(id, (stream = { sent: [], received: [], from, to, session }));
      (r.d === 'out' ? stream.sent : stream.received).push({ t: r.t, message: r.message, size: r.size });
    }
  }
  const messages: TraceMessage[] = [];
  for (const s of streams.values()) {
    const n = Math.max(s.sent.length, s.received.length);
    for (let i = 0; i < n; i++) {
      const a = s.sent[i];
      const b = s.received[i];
      const seen = (a ?? b)!;
      const gift = new Set<string>();
      giftMarks(seen.message, gift);
      messages.push({
        from: s.from.designator!,
        to: s.to.designator!,
        sent: a?.t,
        received: b?.t,
        message: seen.message,
        size: seen.size,
        session: s.session,
        gift: [...gift],
      });
    }
  }
  const when = (m: TraceMessage) => m.sent ?? m.received ?? 0;
  messages.sort((x, y) => when(x) - when(y));
  markPipelining(messages);
  return { nodes: [...nodes.values()], messages };
}

function op(message: SyrupValue): DecodedOp | undefined {
  try {
    return decodeOp(message);
  } catch {
    return undefined;
  }
}

/**
 * Mark each message sent to an answer position before the answer was resolved, with when it
 * was (the fulfill or break sent to that question's resolver).
 */
function markPipelining(messages: TraceMessage[]): void {
  // Per session and asking side: open answers, and which resolver (our export) settles which answer.
  const open = new Map<string, Map<number, TraceMessage[]>>();
  const resolverOf = new Map<string, Map<number, number>>();
  const table = <V>(m: Map<string, Map<number, V>>, key: string) => {
    let t = m.get(key);
    if (!t) m.set(key, (t = new Map()));
    return t;
  };
  for (const m of messages) {
    const o = op(m.message);
    if (!o) continue;
    const asker = `${m.session}:${m.from}`;
    const answerer = `${m.session}:${m.to}`;
    const target = (o.to ?? o.receiver) as TargetDesc | undefined;
    if (target?.kind === 'answer' && o.op !== 'op:listen' && table(open, asker).has(target.pos)) {
      m.pipelined = { answer: target.pos, resolvedAt: undefined };
      table(open, asker).get(target.pos)!.push(m);
    }
    const newAnswer = typeof o.answerPos === 'number' ? o.answerPos : typeof o.newAnswerPos === 'number' ? o.newAnswerPos : undefined;
    if (newAnswer !== undefined) table(open, asker).set(newAnswer, []);
    const resolver = (o.resolveMe || (o.op === 'op:listen' ? o.listener : undefined)) as ImportDesc | false | undefined;
    const answerPos = newAnswer ?? (o.op === 'op:listen' && target?.kind === 'answer' ? target.pos : undefined);
    if (resolver && answerPos !== undefined) table(resolverOf, asker).set(resolver.pos, answerPos);
    // A fulfill or break to one of the other side's resolvers answers that side's question.
    if (o.op === 'op:deliver' && target?.kind === 'export') {
      const first = (o.args as SyrupValue[])[0];
      const settles = first instanceof SyrupSymbol && (first.name === 'fulfill' || first.name === 'break');
      const answered = settles ? resolverOf.get(answerer)?.get(target.pos) : undefined;
      if (answered !== undefined) {
        m.resolves = answered;
        const waiting = open.get(answerer)?.get(answered);
        for (const w of waiting ?? []) w.pipelined!.resolvedAt = m.sent ?? m.received;
        open.get(answerer)?.delete(answered);
      }
    }
  }
}
