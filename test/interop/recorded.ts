/**
 * Reading the live recordings kept in this repository (test/vectors/<impl>/<pairing>/, written
 * by the interop lab described in docs/interop.md) as {@link RecordedMessage} lists for
 * {@link replay}. Side A dialled, side B listened; `N.txt` gives the arrival order.
 */
import { readFileSync } from 'node:fs';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { registerTestObjects } from '../../src/cli/test-objects.js';
import type { Connection } from '../../src/netlayers/interface.js';
import { decode, toNotation, type SyrupRecord } from '../../src/syrup/index.js';
import type { ProfileChoice } from '../../src/captp/profile.js';
import type { RecordedMessage } from './replay.js';


/** Where this repository's recordings live. */
export const recordingUrl = (path: string): URL => new URL(`../vectors/${path}`, import.meta.url);
export const readRecordingJson = (path: string): any => JSON.parse(readFileSync(recordingUrl(path), 'utf8'));

/**
 * Connection `n` of the recording in `dir`, as messages in arrival order.
 * @param replayed which side we replay: `A` (the dialler) or `B` (the listener)
 */
export function loadRecording(dir: string, n: number, replayed: 'A' | 'B'): RecordedMessage[] {
  const index = readRecordingJson(`${dir}/index.json`);
  const conn = index.connections.find((c: any) => c.n === n);
  if (!conn) throw new Error(`${dir}: no connection ${n}`);
  const bins = {
    'A>B': new Uint8Array(readFileSync(recordingUrl(`${dir}/${conn.files.a_to_b}`))),
    'B>A': new Uint8Array(readFileSync(recordingUrl(`${dir}/${conn.files.b_to_a}`))),
  };
  const out: RecordedMessage[] = [];
  for (const text of readFileSync(recordingUrl(`${dir}/${conn.files.text}`), 'utf8').split('\n')) {
    const m = /^(\d+) (A>B|B>A) @(\d+)\+(\d+) (\S+)/.exec(text);
    if (!m) continue;
    const bytes = bins[m[2] as 'A>B' | 'B>A'].subarray(Number(m[3]), Number(m[3]) + Number(m[4]));
    const side = m[2].startsWith(replayed) ? 'replayed' : 'responder';
    out.push({ side, line: Number(m[1]), bytes, label: m[5], notation: toNotation(decode(bytes, LENIENT)) });
  }
  const spans = [...conn.messages.a_to_b, ...conn.messages.b_to_a].length;
  if (out.length !== spans) throw new Error(`${dir}/${conn.files.text}: ${out.length} lines for ${spans} messages`);
  return out;
}

const LENIENT = { dictOrder: 'canonical-or-js' } as const;
export const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const labelOf = (b: Uint8Array): string => (decode(b, LENIENT) as SyrupRecord).labelName ?? '';
/** Neither op:gc-* nor op:start-session. */
export const isReply = (b: Uint8Array): boolean => !labelOf(b).startsWith('op:gc-') && labelOf(b) !== 'op:start-session';

/**
 * Replays the `replayed` side of `messages` (over tcp-testing-only, dialling a fresh node that
 * hosts the suite's test objects), each message once our node has written as many replies as
 * the recorded responder had at that point. Returns our replies (non-GC, after the hello).
 * `profile` undefined: the node's default ('auto', profiles chosen from the wire).
 */
export async function replayClientSide(messages: RecordedMessage[], profile: ProfileChoice | undefined) {
  const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ port: 0 })], ...(profile ? { profile } : {}) });
  registerTestObjects(node);
  const dialer = createTcpTestingOnlyDialer();
  const received: Uint8Array[] = [];
  let closed = false;
  try {
    const conn: Connection = await dialer.connect(node.location);
    conn.setHandlers({ message: (b) => void received.push(b), error: () => {}, close: () => void (closed = true) });
    const replies = () => received.filter(isReply).length;
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 2000;
      while (replies() < n && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    };
    // A closing op:abort is held back until every recorded reply came (in a live run it can
    // overtake a reply already on its way).
    const sent = messages.filter((m) => m.side === 'replayed');
    const finalAbort = sent.at(-1)?.label === 'op:abort' ? sent.at(-1) : undefined;
    const total = messages.filter((m) => m.side === 'responder' && isReply(m.bytes)).length;
    let expected = 0;
    // What each session's detector made of the peer, last seen before a message went out (a
    // closing op:abort ends the session, and the node forgets it).
    let identified: (string | undefined)[] = [];
    for (const m of messages) {
      if (m.side === 'responder') {
        if (isReply(m.bytes)) expected++;
        continue;
      }
      await waitFor(m === finalAbort ? total : expected);
      if (node.sessions.length > 0) identified = node.sessions.map((s) => s.detector?.identified);
      if (closed) break;
      conn.send(m.bytes);
    }
    await waitFor(expected);
    await new Promise((r) => setTimeout(r, 20));
    if (node.sessions.length > 0) identified = node.sessions.map((s) => s.detector?.identified);
    return { replies: received.filter(isReply), closed, sessions: node.sessions.map((s) => s.isActive), identified };
  } finally {
    await node.close();
    await dialer.close();
  }
}

/** The recorded responder's replies (non-GC, after the hello), as bytes. */
export const recordedReplies = (messages: RecordedMessage[]): Uint8Array[] => messages.filter((m) => m.side === 'responder' && isReply(m.bytes)).map((m) => m.bytes);
