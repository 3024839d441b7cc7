/**
 * Replaying one side of a recorded CapTP session against a real OcapnNode.
 *
 * A recorded connection has two byte streams (the side we replay, and the side whose
 * messages we compare against ours) plus a `.txt` transcript that gives the order in which the
 * recording relay saw the messages. We send the replayed side's recorded bytes unchanged,
 * paced by that order: before each replayed message we wait until our node has sent at least
 * as many non-GC messages (not counting op:start-session) as the recorded responder had sent
 * at that point. Nothing depends on JS garbage collection or wall-clock timing, except the
 * bounded waits that stop a failing replay, and the GC wait of {@link ReplayOptions.awaitGc}.
 */
import { readFileSync } from 'node:fs';
import { decode, toNotation, type SyrupRecord } from '../../src/syrup/index.js';
import { keyPairFromSeed } from '../../src/crypto/index.js';
import type { Netlayer } from '../../src/netlayers/interface.js';
import type { PeerLocator } from '../../src/locator/types.js';
import { forceGc } from '../helpers/gc.js';
import { RawPeer, SEED2 } from '../helpers/raw-peer.js';

/** Where the shared vectors live (beside the repository). */
export const vectorUrl = (path: string): URL => new URL(`../../../shared/vectors/${path}`, import.meta.url);
export const readJson = (path: string): any => JSON.parse(readFileSync(vectorUrl(path), 'utf8'));
export const readBin = (path: string): Uint8Array => new Uint8Array(readFileSync(vectorUrl(path)));

/** One recorded message. */
export interface RecordedMessage {
  /** The side that sent it: `replayed` (we send it) or `responder` (we compare with it). */
  side: 'replayed' | 'responder';
  /** Line number in the `.txt` transcript. */
  line: number;
  bytes: Uint8Array;
  label: string;
  /** Readable notation (as in the `.txt`). */
  notation: string;
}

/** Is this an `op:gc-*` message (timing depends on the sender's garbage collector)? */
export const isGc = (label: string): boolean => label.startsWith('op:gc-');

/**
 * Read a recorded connection: both `.bin` streams, cut by the `[offset, length, label]` spans
 * of index.json, and put in the order of the `.txt` transcript.
 * @param dir vectors folder (`goblins` or `transcripts`)
 * @param txt transcript file name
 * @param replayed `{tag, bin, spans}` of the side we replay (`tag` as in the .txt: `C>S`, `S>P`)
 * @param responder the same for the side we compare with
 */
export function loadConnection(
  dir: string,
  txt: string,
  replayed: { tag: string; bin: string; spans: [number, number, string][] },
  responder: { tag: string; bin: string; spans: [number, number, string][] },
): RecordedMessage[] {
  const streams = new Map<string, { side: RecordedMessage['side']; bin: Uint8Array; byOffset: Map<number, [number, number, string]> }>();
  for (const [side, s] of [['replayed', replayed], ['responder', responder]] as const) {
    streams.set(s.tag, { side, bin: readBin(`${dir}/${s.bin}`), byOffset: new Map(s.spans.map((sp) => [sp[0], sp])) });
  }
  const out: RecordedMessage[] = [];
  for (const text of readFileSync(vectorUrl(`${dir}/${txt}`), 'utf8').split('\n')) {
    const m = /^(\d+) (\S+) @(\d+)\+(\d+) /.exec(text);
    if (!m) continue;
    const stream = streams.get(m[2]);
    if (!stream) throw new Error(`${txt}: unknown direction ${m[2]}`);
    const span = stream.byOffset.get(Number(m[3]));
    if (!span || span[1] !== Number(m[4])) throw new Error(`${txt} line ${m[1]}: no message at @${m[3]}+${m[4]} in index.json`);
    const bytes = stream.bin.subarray(span[0], span[0] + span[1]);
    out.push({ side: stream.side, line: Number(m[1]), bytes, label: span[2], notation: toNotation(decode(bytes)) });
  }
  const count = (side: string) => out.filter((r) => r.side === side).length;
  if (count('replayed') !== replayed.spans.length || count('responder') !== responder.spans.length) {
    throw new Error(`${txt}: transcript lines do not cover every message of index.json`);
  }
  return out;
}

/** What a replay produced. */
export interface ReplayResult {
  /** Every message our node sent, in order, as notation (GC and op:start-session included). */
  all: string[];
  /** Our messages without op:gc-* and op:start-session. */
  replies: string[];
  /** The recorded responder's messages without op:gc-* and op:start-session. */
  recorded: string[];
  /** The exact bytes of {@link ReplayResult.replies}. */
  replyBytes: Uint8Array[];
  /** The exact bytes of {@link ReplayResult.recorded}. */
  recordedBytes: Uint8Array[];
  /** Our op:gc-* messages, in order, as notation. */
  gc: string[];
  /** What our op:gc-* messages released, summed. */
  gcReleased: GcSummary;
  /** What the recorded responder's op:gc-* messages released, summed. */
  recordedGcReleased: GcSummary;
  /** Pacing points at which our node had not sent enough after `waitMs` (0 in a healthy replay). */
  stalls: number;
  /** Whether our node closed the connection by the end. */
  closed: boolean;
  /** The raw peer (to go on talking to the node). */
  peer: RawPeer;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Also send the replayed side's op:gc-* messages (default true). */
  sendGc?: boolean;
  /** How long to wait for our node at each pacing point before going on anyway (ms; default 1000). */
  waitMs?: number;
  /**
   * Hold back the replayed side's closing op:abort (when it has sent something before it)
   * until our GC messages release at least what the responder's did, forcing JS GC meanwhile
   * (at most about 2 s); then send it and wait for the close. Default false.
   */
  awaitGc?: boolean;
}

/** What op:gc-export(s) / op:gc-answer(s) messages released. */
export interface GcSummary {
  /** Export position → sum of the wire deltas. */
  exports: Record<number, number>;
  /** Released answer positions, sorted. */
  answers: number[];
}

/** Sums the releases of GC messages (plural or singular labels, list or scalar payloads). */
export function gcSummary(messages: SyrupRecord[]): GcSummary {
  const exports: Record<number, number> = {};
  const answers: number[] = [];
  for (const m of messages) {
    const [ps, ds] = m.fields.map((f) => (Array.isArray(f) ? f : [f])) as bigint[][];
    if (m.labelName!.startsWith('op:gc-export')) ps.forEach((p, k) => (exports[Number(p)] = (exports[Number(p)] ?? 0) + Number(ds[k])));
    else answers.push(...ps.map(Number));
  }
  return { exports, answers: answers.sort() };
}

/** Does `ours` release (at least) every export delta and answer that `theirs` does? */
function covers(ours: GcSummary, theirs: GcSummary): boolean {
  return Object.entries(theirs.exports).every(([p, d]) => ours.exports[Number(p)] === d) && theirs.answers.every((a) => ours.answers.includes(a));
}

const isReply = (r: SyrupRecord): boolean => !isGc(r.labelName ?? '') && r.labelName !== 'op:start-session';

/** Let queued microtasks and a few macrotasks run (memory delivery is asynchronous). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Wait until `pred()` holds (true), the connection closes or `ms` pass (false). */
async function waitFor(peer: RawPeer, pred: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pred() && !peer.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  return pred();
}

/**
 * Dial `target` from `netlayer` and replay `messages` (the `replayed` side, byte for byte),
 * paced by the recorded order. Our node's own op:start-session is awaited first.
 */
export async function replay(netlayer: Netlayer, target: PeerLocator, messages: RecordedMessage[], options: ReplayOptions = {}): Promise<ReplayResult> {
  const { sendGc = true, waitMs = 1000, awaitGc = false } = options;
  const conn = await netlayer.connect(target);
  // The key is never used: every byte we send is recorded (including op:start-session).
  const peer = new RawPeer(conn, keyPairFromSeed(SEED2), netlayer.location);
  const ours = () => peer.received.filter(isReply).length;
  await waitFor(peer, () => peer.received.some((r) => r.labelName === 'op:start-session'), waitMs);
  const sent = messages.filter((m) => m.side === 'replayed');
  const last = sent[sent.length - 1];
  const finalAbort = awaitGc && sent.length > 1 && last.label === 'op:abort' ? last : undefined;
  let expected = 0;
  let stalls = 0;
  for (const m of messages) {
    if (m === finalAbort) continue;
    if (m.side === 'responder') {
      if (!isGc(m.label) && m.label !== 'op:start-session') expected++;
      continue;
    }
    if (isGc(m.label) && !sendGc) continue;
    const want = expected;
    if (!(await waitFor(peer, () => ours() >= want, waitMs)) && !peer.closed) stalls++;
    await settle(2);
    if (peer.closed) break;
    peer.send(m.bytes);
  }
  if (!(await waitFor(peer, () => ours() >= expected, waitMs)) && !peer.closed) stalls++;
  await settle(10);
  const ourGc = () => gcSummary(peer.received.filter((r) => isGc(r.labelName ?? '')));
  const recordedGcReleased = gcSummary(messages.filter((m) => m.side === 'responder' && isGc(m.label)).map((m) => decode(m.bytes) as SyrupRecord));
  if (awaitGc) {
    for (let i = 0; i < 100 && !covers(ourGc(), recordedGcReleased) && !peer.closed; i++) {
      forceGc?.();
      // FinalizationRegistry callbacks run in a later task; give them and their sends time.
      await new Promise((r) => setTimeout(r, 20));
    }
    if (finalAbort !== undefined && !peer.closed) peer.send(finalAbort.bytes);
    await peer.waitClosed(waitMs);
  }
  const recorded = messages.filter((m) => m.side === 'responder' && !isGc(m.label) && m.label !== 'op:start-session');
  const replyIdx = peer.received.flatMap((r, i) => (isReply(r) ? [i] : []));
  return {
    all: peer.received.map((r) => toNotation(r)),
    replies: replyIdx.map((i) => toNotation(peer.received[i])),
    recorded: recorded.map((m) => m.notation),
    replyBytes: replyIdx.map((i) => peer.receivedBytes[i]),
    recordedBytes: recorded.map((m) => m.bytes),
    gc: peer.received.filter((r) => isGc(r.labelName ?? '')).map((r) => toNotation(r)),
    gcReleased: ourGc(),
    recordedGcReleased,
    stalls,
    closed: peer.closed,
    peer,
  };
}
