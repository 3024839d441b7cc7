/**
 * Replays the client side of a real Goblins 0.18 WebSocket session
 * (shared/vectors/goblins/ws-demo.*) frame for frame against our OcapnNode listening on our
 * `websocket` netlayer, and compares every non-GC frame our node sends after
 * `op:start-session` with what the Goblins server sent.
 *
 * The client is a raw `ws` WebSocket, not our netlayer's dialler: it sends the recorded
 * frames unchanged, starting with the recorded `<init:peer-auth NONCE>` (Goblins' nonce) and
 * the recorded `op:start-session` (the Goblins client's key, location and signature). It does
 * not check our peer-auth answer itself; the test does, with our netlayer's designator key.
 *
 * Pacing (as in replay.ts, but per WebSocket frame): before each recorded client frame we wait
 * until our node has sent at least as many non-GC frames (peer-auth answer and
 * op:start-session included) as the Goblins server had sent at that point of the recording.
 * Nothing depends on JS garbage collection or wall-clock timing, except the bounded waits
 * that stop a failing replay.
 */
import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import WebSocket from 'ws';
import { OcapnNode, listenWebSocket, verifyPeerAuthAnswer, publicKeyFromDesignator, PeerAuthError } from '../../src/index.js';
import type { WebSocketNetlayer } from '../../src/index.js';
import { decode, toNotation, SyrupRecord } from '../../src/syrup/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { registerGoblinsServerObjects } from './goblins-objects.js';

const vectorUrl = (path: string): URL => new URL(`../../../shared/vectors/${path}`, import.meta.url);
const readJson = (path: string): any => JSON.parse(readFileSync(vectorUrl(path), 'utf8'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

const demo = readJson('goblins/index.json').captures.find((c: any) => c.name === 'ws-demo');

/** One recorded WebSocket frame. */
interface RecordedFrame {
  /** `replayed`: the Goblins client's (we send it); `responder`: the Goblins server's (we compare). */
  side: 'replayed' | 'responder';
  /** Line number in ws-demo.txt. */
  line: number;
  /** Index in that direction's .json list. */
  frame: number;
  bytes: Uint8Array;
  label: string;
  notation: string;
}

/** Both directions' frames, in the order the recording relay saw them (ws-demo.txt). */
function loadFrames(): RecordedFrame[] {
  const dirs = new Map([
    ['C>S', { side: 'replayed' as const, frames: (readJson(`goblins/${demo.files.client_to_server}`) as string[]).map(fromHex) }],
    ['S>C', { side: 'responder' as const, frames: (readJson(`goblins/${demo.files.server_to_client}`) as string[]).map(fromHex) }],
  ]);
  const out: RecordedFrame[] = [];
  for (const text of readFileSync(vectorUrl(`goblins/${demo.files.text}`), 'utf8').split('\n')) {
    const m = /^(\d+) (\S+) frame (\d+) \(\+(\d+), binary/.exec(text);
    if (!m) continue;
    const dir = dirs.get(m[2]);
    if (!dir) throw new Error(`ws-demo.txt line ${m[1]}: unknown direction ${m[2]}`);
    const bytes = dir.frames[Number(m[3])];
    if (!bytes || bytes.length !== Number(m[4])) throw new Error(`ws-demo.txt line ${m[1]}: no frame ${m[3]} of ${m[4]} bytes`);
    const value = decode(bytes) as SyrupRecord;
    out.push({ side: dir.side, line: Number(m[1]), frame: Number(m[3]), bytes, label: value.labelName ?? '', notation: toNotation(value) });
  }
  for (const { side, frames } of dirs.values()) {
    const seen = out.filter((f) => f.side === side).map((f) => f.frame);
    if (seen.length !== frames.length || seen.some((f, i) => f !== i)) throw new Error(`ws-demo.txt does not list every ${side} frame in order`);
  }
  return out;
}

const frames = loadFrames();
const isGc = (label: string): boolean => label.startsWith('op:gc-');
/** Frames we compare byte for byte: not the peer-auth answer, op:start-session or op:gc-*. */
const isReply = (label: string): boolean => !isGc(label) && label !== 'desc:sig-envelope' && label !== 'op:start-session';


/** Our start of a session, the same as Goblins' apart from the key, location and signature. */
const START = /^<op:start-session "1\.0" \['public-key \['ecc \['curve 'Ed25519\] \['flags 'eddsa\] \['q :[0-9a-f]{64}\]\]\] (<ocapn-peer 'websocket "[a-z2-7]{52}" \{"url": "ws:\/\/127\.0\.0\.1:\d+"\}>) \['sig-val \['eddsa \['r :[0-9a-f]{64}\] \['s :[0-9a-f]{64}\]\]\]>$/;

/** GC we send on our own, whatever the JS garbage collector does (see goblins-tcp-demo.test.ts). */
const OUR_EAGER_GC = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18].map((p) => `<op:gc-exports [${p}] [1]>`),
  '<op:gc-answers [0]>',
];

/** A raw WebSocket client that records every frame our server sends. */
interface RawClient {
  ws: WebSocket;
  received: Uint8Array[];
  /** Whether every received message was binary. */
  allBinary: boolean;
  closed: boolean;
}

async function openRaw(url: string): Promise<RawClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const client: RawClient = { ws, received: [], allBinary: true, closed: false };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    client.allBinary &&= isBinary;
    client.received.push(new Uint8Array(data));
  });
  ws.on('close', () => (client.closed = true));
  ws.on('error', () => {});
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  return client;
}

/** Wait until `pred()` holds (true), the socket closes or `ms` pass (false). */
async function waitFor(client: RawClient, pred: () => boolean, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!pred() && !client.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  return pred();
}

const settle = async (turns: number): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
};

/** Send every recorded client frame, paced by the recorded order; returns the stall count. */
async function replayFrames(client: RawClient): Promise<number> {
  const nonGc = () => client.received.filter((b) => !isGc((decode(b) as SyrupRecord).labelName ?? '')).length;
  let expected = 0;
  let stalls = 0;
  for (const f of frames) {
    if (f.side === 'responder') {
      if (!isGc(f.label)) expected++;
      continue;
    }
    const want = expected;
    if (!(await waitFor(client, () => nonGc() >= want)) && !client.closed) stalls++;
    await settle(2);
    if (client.closed) break;
    client.ws.send(f.bytes, { binary: true });
  }
  if (!(await waitFor(client, () => nonGc() >= expected)) && !client.closed) stalls++;
  await settle(10);
  return stalls;
}

/** What our default node breaks a fetch of an unknown swiss number with. */
const UNKNOWN_SWISS = '"Error: no object registered under that swiss number"';

async function run(): Promise<void> {
  const netlayer: WebSocketNetlayer = await listenWebSocket({ port: 0 });
  const node = new OcapnNode({ netlayers: [netlayer] });
  let client: RawClient | undefined;
  try {
    registerGoblinsServerObjects(node);
    client = await openRaw((netlayer.location.hints as { url: string }).url);
    const stalls = await replayFrames(client);
    expect(stalls).toBe(0);
    expect(client.closed).toBe(false);
    expect(client.allBinary).toBe(true);

    const ours = client.received.map((b) => ({ bytes: b, value: decode(b) as SyrupRecord }));
    const labels = ours.map((m) => m.value.labelName ?? '');
    // Peer-auth: our answer comes first, echoes Goblins' nonce frame and is signed with our
    // designator key (not with the recorded Goblins server's).
    const sentAuth = frames.find((f) => f.side === 'replayed' && f.frame === 0)!;
    expect(labels.slice(0, 2)).toEqual(['desc:sig-envelope', 'op:start-session']);
    expect(() => verifyPeerAuthAnswer(sentAuth.bytes, ours[0].bytes, netlayer.publicKey)).not.toThrow();
    const goblinsKey = publicKeyFromDesignator(demo.peer_auth.designator);
    expect(() => verifyPeerAuthAnswer(sentAuth.bytes, ours[0].bytes, goblinsKey)).toThrow(PeerAuthError);
    expect(ours[0].bytes.length).toBe(176); // the same size as Goblins' answer
    expect(labels.filter((l) => l === 'desc:sig-envelope' || l === 'op:start-session')).toHaveLength(2);

    // op:start-session: Goblins' shape, claiming our netlayer's location.
    const start = START.exec(toNotation(ours[1].value));
    expect(start).not.toBeNull();
    expect(start![1]).toBe(toNotation(peerLocatorToSyrup(netlayer.location)));

    // Every other non-GC frame: the same bytes Goblins' server sent, in the same order.
    const replies = ours.filter((m) => isReply(m.value.labelName ?? ''));
    const recorded = frames.filter((f) => f.side === 'responder' && isReply(f.label));
    expect(recorded).toHaveLength(18);
    // Except the unknown-swiss break: a String with name and message where Goblins sends
    // <exn:fail:mystery> (Goblins accepts any String as a break reason).
    const mystery = recorded.findIndex((f) => f.notation.includes('<exn:fail:mystery>'));
    expect(replies.map((m) => toNotation(m.value))).toEqual(recorded.map((f) => f.notation.replace('<exn:fail:mystery>', UNKNOWN_SWISS)));
    const others = <T,>(xs: T[]) => xs.filter((_, i) => i !== mystery);
    expect(others(replies).map((m) => hex(m.bytes))).toEqual(others(recorded).map((f) => hex(f.bytes)));

    // GC as Goblins writes it (plural labels, one position per message).
    const gc = ours.filter((m) => isGc(m.value.labelName ?? '')).map((m) => toNotation(m.value));
    for (const g of gc) expect(g).toMatch(/^<op:gc-exports \[\d+\] \[1\]>$|^<op:gc-answers \[\d+\]>$/);
    expect(gc).toEqual(expect.arrayContaining(OUR_EAGER_GC));
    // Only the client's callback object (its export 10) may also be released, by JS GC.
    expect(gc.filter((g) => !OUR_EAGER_GC.includes(g))).toEqual(gc.includes('<op:gc-exports [10] [1]>') ? ['<op:gc-exports [10] [1]>'] : []);

    // The client's op:gc-* (all sent) released what they name, and the session lives on.
    const [session] = node.sessions;
    expect(node.sessions).toHaveLength(1);
    expect(session.isActive).toBe(true);
    // The default profile ('auto') told Goblins from the suite by its first question.
    expect(session.detector?.identified).toBe('other');
    expect(toNotation(peerLocatorToSyrup(session.peerLocation!))).toBe(demo.start_session.client.location);
    for (const pos of [7, 9, 10, 11, 12]) expect(session.exports.has(pos)).toBe(false);
    for (const pos of [1, 2, 3, 4, 5, 6, 8]) expect(session.exports.has(pos)).toBe(true);
    expect([...Array(15).keys()].filter((pos) => session.answers.has(pos))).toEqual([0]);
  } finally {
    await node.close();
    client?.ws.terminate();
  }
}

describe('Goblins 0.18 ws-demo client replayed against our node', () => {
  it('the replay really is the recorded client stream, in the recorded order', () => {
    const sent = frames.filter((f) => f.side === 'replayed');
    expect(sent.length).toBe(41);
    expect(sent[0].label).toBe('init:peer-auth');
    expect(sent[1].label).toBe('op:start-session');
    expect(frames.filter((f) => f.side === 'responder').length).toBe(29);
    expect(frames.filter((f) => f.side === 'responder' && isReply(f.label)).length).toBe(18);
    // The recorded answer verifies with the recorded server's designator key (sanity check of
    // the helper used on our answer below).
    const goblinsAnswer = frames.find((f) => f.side === 'responder' && f.frame === 0)!;
    expect(() => verifyPeerAuthAnswer(sent[0].bytes, goblinsAnswer.bytes, publicKeyFromDesignator(demo.peer_auth.designator))).not.toThrow();
    expect(frames.find((f) => f.line === 53)!.notation).toBe("<op:deliver <desc:export 18> ['break <exn:fail:mystery>] f f>");
  });

  it('over websocket: every non-GC reply is byte-identical to the Goblins server', () => run());
});
