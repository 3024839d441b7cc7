/**
 * Replays the Endo HEAD ⇄ ocapn-ts sessions recorded in shared/vectors/endo-head (README
 * "endo-head/") against our node, over real tcp-testing-only on loopback:
 * - a1/a2: the Endo client's bytes against our node (profile endo). a2's struct arrives in
 *   Endo's JS key order; it used to abort the session, now it is echoed back in that order.
 * - b1/b2: our client (profile endo) against the Endo server's recorded bytes. Endo closed
 *   on our -0.0 (b1) and on our canonical struct (b2); now we write what it accepts.
 */
import { describe, expect, it } from 'vitest';
import { E, OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer, selector, type Remote } from '../../src/index.js';
import type { Connection } from '../../src/netlayers/interface.js';
import { decode, encode, scanValue, SyrupDict, SyrupRecord, toNotation, type SyrupValue } from '../../src/syrup/index.js';
import { readBin } from './replay.js';

const LENIENT = { dictOrder: 'canonical-or-js' } as const;
const ECHO_SWISS = 'IO58l1laTyhcrgDKbEzFOO32MDd6zE5w';
const A1 = 'endo-head/a1-endo-head-client__ocapn-ts-test-peer-endo__echo';
const A2 = 'endo-head/a2-endo-head-client__ocapn-ts-test-peer-endo__echo-struct';
const B1 = 'endo-head/b1-ocapn-ts-client-endo__endo-head-server__echo';
const B2 = 'endo-head/b2-ocapn-ts-client-endo__endo-head-server__echo-struct';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const label = (bytes: Uint8Array): string => (decode(bytes, LENIENT) as SyrupRecord).labelName ?? '';
const isGc = (bytes: Uint8Array): boolean => label(bytes).startsWith('op:gc-');

/** The messages of one recorded `.bin` stream (raw framing: Syrup values back to back). */
function messagesOf(path: string): Uint8Array[] {
  const bin = readBin(path);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bin.length; ) {
    const end = scanValue(bin, at);
    if (end < 0) throw new Error(`${path}: truncated message at ${at}`);
    out.push(bin.subarray(at, end));
    at = end;
  }
  return out;
}

/** A connection end that records what it receives and can wait for it. */
class Wire {
  readonly received: Uint8Array[] = [];
  closed = false;
  constructor(readonly conn: Connection) {
    conn.setHandlers({
      message: (b) => void this.received.push(b),
      error: () => {},
      close: () => void (this.closed = true),
    });
  }
  /** The non-GC messages received so far. */
  get replies(): Uint8Array[] {
    return this.received.filter((b) => !isGc(b));
  }
  /** Wait (bounded) until `n` non-GC messages have arrived or the connection closed. */
  async waitReplies(n: number, ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.replies.length < n && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  }
}

// ----- a1 / a2: the Endo client's recorded bytes against our node -------------------------

async function replayEndoClient(dir: string, profile: 'endo' | 'goblins') {
  const sent = messagesOf(`${dir}/1.a-to-b.bin`);
  const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ port: 0 })], profile });
  node.register((...args: unknown[]) => args, ECHO_SWISS);
  const dialer = createTcpTestingOnlyDialer();
  try {
    const wire = new Wire(await dialer.connect(node.location));
    // One recorded message at a time, each after our node answered the one before.
    for (let i = 0; i < sent.length; i++) {
      wire.conn.send(sent[i]);
      await wire.waitReplies(i + 1);
    }
    return { sent, replies: wire.replies, closed: wire.closed, sessions: node.sessions.map((s) => s.isActive) };
  } finally {
    await node.close();
    await dialer.close();
  }
}

describe('Endo HEAD client (recorded) against our node', () => {
  it('a1: start-session and fetch are answered as recorded (byte for byte)', async () => {
    const recorded = messagesOf(`${A1}/1.b-to-a.bin`).filter((b) => !isGc(b));
    const r = await replayEndoClient(A1, 'endo');
    expect(r.sent.map(label)).toEqual(['op:start-session', 'op:deliver']);
    expect(r.replies.map(label)).toEqual(['op:start-session', 'op:deliver']);
    expect(latin1(r.replies[1])).toBe(latin1(recorded[1]));
  });

  it("a2: the struct in Endo's key order is accepted and echoed back in that order (it used to abort)", async () => {
    const recorded = messagesOf(`${A2}/1.b-to-a.bin`).map((b) => toNotation(decode(b)));
    expect(recorded.at(-1)).toBe('<op:abort "malformed message: Syrup: dictionary keys not in canonical order at byte 43">');
    const r = await replayEndoClient(A2, 'endo');
    const call = r.sent[2];
    expect(latin1(call)).toContain('[{5"count3+4"name5"ocapn}]');
    expect(r.closed).toBe(false);
    expect(r.sessions).toEqual([true]);
    expect(r.replies.map(label)).toEqual(['op:start-session', 'op:deliver', 'op:deliver']);
    // The echo's answer: Endo's own struct bytes, in Endo's order, to its resolver.
    expect(latin1(r.replies[2])).toBe(`<10'op:deliver<11'desc:export3+>[7'fulfill[{5"count3+4"name5"ocapn}]]ff>`);
    const answer = decode(r.replies[2], LENIENT) as SyrupRecord;
    const struct = ((answer.fields[1] as SyrupValue[])[1] as SyrupValue[])[0] as SyrupDict;
    expect(struct.order).toBe('js');
    expect(() => decode(r.replies[2])).toThrow(/not in canonical order/);
  });

  it('a2 under the goblins profile: accepted too, answered in canonical order', async () => {
    const r = await replayEndoClient(A2, 'goblins');
    expect(r.closed).toBe(false);
    expect(latin1(r.replies[2])).toBe(`<10'op:deliver<11'desc:export3+>[7'fulfill[{4"name5"ocapn5"count3+}]]ff>`);
  });
});

// ----- b1 / b2: our client against the Endo server's recorded bytes -----------------------

/** Endo's test peer: designator "0000" on 127.0.0.1:24121 (its signed start-session says so). */
const ENDO_SERVER = { transport: 'tcp-testing-only', designator: '0000', hints: { host: '127.0.0.1', port: '24121' } };

/**
 * Plays the recorded Endo server (`1.b-to-a.bin`, all but GC) to our node's client: each
 * recorded message once our node has sent as many non-GC messages as the server had seen.
 * Returns what our node sent, or undefined if port 24121 is taken on this machine.
 */
async function replayEndoServer(dir: string, args: unknown[]) {
  const script = messagesOf(`${dir}/1.b-to-a.bin`).filter((b) => !isGc(b));
  let server;
  try {
    server = await listenTcpTestingOnly({ port: 24121, designator: '0000' });
  } catch {
    return undefined;
  }
  const node = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer()], profile: 'endo' });
  let wire: Wire | undefined;
  const connected = new Promise<Wire>((resolve) => server.accept((c) => resolve((wire = new Wire(c)))));
  try {
    const echo = node.enliven({ peer: ENDO_SERVER, swiss: new TextEncoder().encode(ECHO_SWISS) });
    const w = await connected;
    for (let i = 0; i < script.length; i++) {
      await w.waitReplies(i + 1);
      w.conn.send(script[i]);
    }
    const remote = await echo;
    // The echo's answer never comes: Endo closed instead (and so does this script).
    E(remote as Remote<(...a: unknown[]) => unknown>)(...args).catch(() => {});
    await w.waitReplies(script.length + 1);
    w.conn.close(); // Endo closed here, without op:abort
    return { replies: w.replies };
  } finally {
    await node.close();
    await server.close();
    wire?.conn.close();
  }
}

/** Our recorded message with `from` replaced by `to` (both latin1). */
function recordedWith(dir: string, index: number, from: string, to: string): string {
  const ours = messagesOf(`${dir}/1.a-to-b.bin`).filter((b) => !isGc(b))[index];
  const text = latin1(ours);
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe('our client (profile endo) against the Endo HEAD server (recorded)', () => {
  it('b2: the struct goes out in JS key order, as Endo requires', async (ctx) => {
    const r = await replayEndoServer(B2, [{ name: 'ocapn', count: 3n }]);
    if (r === undefined) return ctx.skip();
    expect(r.replies.map(label)).toEqual(['op:start-session', 'op:deliver', 'op:deliver']);
    // What we sent in the recording, with the struct in Endo's order instead of canonical.
    expect(latin1(r.replies[2])).toBe(recordedWith(B2, 2, '{4"name5"ocapn5"count3+}', '{5"count3+4"name5"ocapn}'));
  });

  it('b1: -0.0 goes out as 0.0 and the struct in JS order', async (ctx) => {
    const r = await replayEndoServer(B1, [
      0n, 42n, -7n, 2n ** 70n, -(2n ** 70n), -0, 'non-BMP 😀 𝄞', new Uint8Array([0, 1, 2, 0xfe, 0xff]), selector('a-symbol'), [1n, 'two', selector('three')], { name: 'ocapn', count: 3n },
    ]);
    if (r === undefined) return ctx.skip();
    const minusZero = latin1(encode(-0));
    const plusZero = latin1(encode(0));
    const want = recordedWith(B1, 2, minusZero, plusZero).replace('{4"name5"ocapn5"count3+}', '{5"count3+4"name5"ocapn}');
    expect(latin1(r.replies[2])).toBe(want);
    expect(latin1(r.replies[2])).not.toContain(minusZero);
  });
});
