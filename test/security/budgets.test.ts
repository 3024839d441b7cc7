/**
 * Issue 7, holes 3 and 5: bytes a peer can make us hold. Output to a peer that stops reading
 * (backpressure: its input is paused, answers to it are held back, and it is aborted once
 * stuck), bytes held by answers (per session and node-wide), and bytes buffered before the
 * handshake. Over real TCP sockets on loopback; each test failed on the code before.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { createConnection } from 'node:net';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer, type CaptpSession, type WireEvent } from '../../src/index.js';
import { randomBytes } from '../../src/crypto/index.js';
import { RawPeer, answerDesc, deliver, exportDesc, rec, servedObject, SWISS, sym, ascii, expectAbort, watchProcessFaults, Bench } from '../hostile/harness.js';

watchProcessFaults();

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tcp node serving `servedObject()`, the bytes it sent per session, and a dialler for raw peers. */
async function tcpNode(options: Partial<ConstructorParameters<typeof OcapnNode>[0]> = {}) {
  const sent = new Map<CaptpSession, number>();
  const tap = (ev: WireEvent) => {
    if (ev.direction === 'out') sent.set(ev.session, (sent.get(ev.session) ?? 0) + ev.bytes.length);
  };
  const node = new OcapnNode({ ...options, tap, netlayers: [await listenTcpTestingOnly()] });
  node.sturdyRefUri(servedObject(), SWISS);
  const dialers: ReturnType<typeof createTcpTestingOnlyDialer>[] = [];
  cleanup.push(async () => {
    for (const d of dialers) await d.close();
    await node.close();
  });
  // Each raw peer has its own designator (one session per peer).
  const dial = async (): Promise<{ peer: RawPeer; session: CaptpSession; obj: ReturnType<typeof exportDesc> }> => {
    const dialer = createTcpTestingOnlyDialer();
    dialers.push(dialer);
    const peer = await RawPeer.dial(dialer, node.location, randomBytes(32));
    await peer.handshake();
    const obj = exportDesc(await Bench.fetchServed(peer, 0n));
    const session = node.sessions.find((s) => s.isActive && s.peerLocation?.designator === dialer.location.designator)!;
    return { peer, session, obj };
  };
  return { node, dial, sent };
}

describe('backpressure (issue 7, hole 3)', () => {
  it('a peer that stops reading cannot multiply one large answer: output stays bounded and the session aborts once stuck', async () => {
    const { dial, sent } = await tcpNode({ limits: { sendStuckTimeoutMs: 400 } });
    const { peer, session, obj } = await dial();
    peer.send(deliver(obj, [sym('echo'), new Uint8Array(256 * 1024)], 1n, false)); // answer 1 holds 256 KiB
    await sleep(50);
    peer.conn.pauseReading!(); // stop reading the socket: the kernel buffers fill, then ours
    const before = sent.get(session)!;
    for (let i = 0; i < 1000; i++) peer.send(rec('op:listen', answerDesc(1), rec('desc:import-object', 2000n + BigInt(i)), false));
    await sleep(300);
    const amplified = sent.get(session)! - before;
    // Without backpressure: 1,000 × 256 KiB ≈ 256 MiB queued in our process.
    expect(amplified).toBeLessThan(16 * 1024 * 1024);
    await sleep(400);
    expect(session.isOpen).toBe(false);
    expect(session.closeReason?.reason).toMatch(/^peer is not reading: output stayed above 1048576 bytes for 400 ms$/);
  });

  it('a peer that reads, however fast we answer, is paused and resumed, never killed', async () => {
    const { dial } = await tcpNode({ limits: { sendStuckTimeoutMs: 2000 } });
    const { peer, session, obj } = await dial();
    peer.send(deliver(obj, [sym('echo'), new Uint8Array(128 * 1024)], 1n, false));
    const N = 300; // 300 × 128 KiB ≈ 38 MiB of answers, far above the 1 MiB high-water mark
    for (let i = 0; i < N; i++) peer.send(rec('op:listen', answerDesc(1), rec('desc:import-object', 2000n + BigInt(i)), false));
    let got = 0;
    while (got < N) {
      const m = await peer.nextNonGc(5000);
      expect(m.labelName).toBe('op:deliver');
      got++;
    }
    expect(session.isActive).toBe(true);
  });

  it('a peer we wait on (our question outstanding) keeps being read, but its requests stop at maxSendBufferBytes while it does not read', async () => {
    const limits = { sendHighWaterBytes: 256 * 1024, maxSendBufferBytes: 2 * 1024 * 1024, sendStuckTimeoutMs: 1500 };
    const { dial } = await tcpNode({ limits, liveness: false });
    const { peer, session, obj } = await dial();
    const { E } = await import('../../src/index.js');
    // Our question to the peer, never answered: the session waits on the peer from now on.
    void E(session.peerBootstrap() as { never(): Promise<void> }).never().catch(() => {});
    await sleep(50);
    peer.conn.pauseReading!();
    // 400 echo requests of 64 KiB (25 MiB) while not reading the answers.
    const big = new Uint8Array(64 * 1024);
    for (let i = 0; i < 400; i++) peer.send(deliver(obj, [sym('echo'), big], false, 5000n + BigInt(i)));
    await sleep(500);
    // Input stopped once the requests read while holding passed maxSendBufferBytes (2 MiB; the
    // kernel's socket buffers took some MiB before holding began): far fewer than 400 were taken.
    expect(session.flow.inputPaused).toBe(true);
    expect(session.stats().messagesIn).toBeLessThan(200);
    expect(session.stats().bytesIn).toBeLessThan(16 * 1024 * 1024);
    await sleep(1500);
    expect(session.isOpen).toBe(false);
    expect(session.closeReason?.reason).toMatch(/^peer is not reading: output stayed above 262144 bytes for 1500 ms$/);
  });

  it('maxSendBufferBytes: our own sends to a peer that does not read abort the session rather than pile up', async () => {
    const { node, dial } = await tcpNode({ limits: { maxSendBufferBytes: 4 * 1024 * 1024, sendHighWaterBytes: 1024 * 1024 } });
    const { peer, session } = await dial();
    peer.conn.pauseReading!();
    const big = new Uint8Array(512 * 1024);
    // Fire-and-forget sends of our own to the peer's bootstrap object.
    const bootstrap = session.peerBootstrap();
    const { E } = await import('../../src/index.js');
    for (let i = 0; i < 64 && session.isOpen; i++) E.sendOnly(bootstrap as any).note(big);
    await sleep(50);
    expect(session.isOpen).toBe(false);
    expect(session.closeReason?.reason).toMatch(/^peer is not reading: \d+ bytes queued for it \(limit maxSendBufferBytes 4194304\)$/);
    expect(node.sessions.includes(session)).toBe(false);
  });
});

describe('answer bytes (issue 7, hole 5)', () => {
  it('maxAnswerBytes: answers the peer never releases cannot hold more than the budget', async () => {
    const { dial } = await tcpNode({ limits: { maxAnswerBytes: 2 * 1024 * 1024 } });
    const { peer, session, obj } = await dial();
    for (let i = 1; i <= 40; i++) peer.send(deliver(obj, [sym('echo'), new Uint8Array(256 * 1024)], BigInt(i), false));
    const reason = await expectAbort(peer, 5000);
    expect(reason).toMatch(/^\d+ bytes would exceed maxAnswerBytes \(2097152\)$/);
    expect(session.answers.size).toBe(0); // cleared with the session
  });

  it('released answers give their bytes back: a peer that sends op:gc-answers can go on forever', async () => {
    const { dial } = await tcpNode({ limits: { maxAnswerBytes: 1024 * 1024 } });
    const { peer, session, obj } = await dial();
    for (let i = 1; i <= 40; i++) {
      peer.send(deliver(obj, [sym('echo'), new Uint8Array(200 * 1024)], BigInt(i), BigInt(3000 + i)));
      expect((await peer.nextNonGc()).labelName).toBe('op:deliver');
      peer.send(rec('op:gc-answers', [BigInt(i)]));
    }
    await sleep(20);
    expect(session.isActive).toBe(true);
  });

  it('node-wide maxAnswerBytes: one budget over all sessions', async () => {
    const { dial } = await tcpNode({ nodeLimits: { maxAnswerBytes: 1024 * 1024 } });
    const a = await dial();
    a.peer.send(deliver(a.obj, [sym('echo'), new Uint8Array(700 * 1024)], 1n, false));
    await sleep(50);
    const b = await dial();
    b.peer.send(deliver(b.obj, [sym('echo'), new Uint8Array(700 * 1024)], 1n, false));
    expect(await expectAbort(b.peer, 3000)).toMatch(/would exceed maxAnswerBytes \(1048576\), node-wide$/);
    expect(a.session.isActive).toBe(true);
  });
});

describe('bytes before the handshake (issue 7, hole 5)', () => {
  it('a connection that has not finished its handshake may buffer at most maxHandshakeMessageBytes', async () => {
    const { node } = await tcpNode();
    const port = Number((node.location.hints as { port: string }).port);
    const socket = createConnection({ host: '127.0.0.1', port });
    cleanup.push(async () => void socket.destroy());
    socket.on('error', () => {});
    await new Promise((r) => socket.once('connect', r));
    await sleep(20);
    const session = node.sessions.at(-1)!;
    // The start of a record that never ends: 8 MiB of one string.
    socket.write(ascii(`<16'op:start-session${8 * 1024 * 1024}"`));
    for (let i = 0; i < 8; i++) socket.write(new Uint8Array(1024 * 1024));
    for (let i = 0; i < 100 && session.isOpen; i++) await sleep(10);
    expect(session.isOpen).toBe(false);
    expect(session.closeReason?.reason).toMatch(/^malformed stream: .*65536/);
  });
});
