/**
 * A peer process that freezes or dies (issue 8): `ocapn test-peer` (the BUILT CLI, profile
 * goblins, on 127.0.0.1) serves the suite's objects; this process enlivens them with liveness
 * timeoutMs 1,000. SIGSTOP: the connection stays open and silent, so only liveness can notice;
 * the pending call breaks with the liveness reason within timeoutMs + timeoutMs/4 (+ slack).
 * SIGKILL: the kernel closes the connection, noticed at once. Detection times are printed.
 * (The half-open case, packets dropped with the connection open, is in netns.test.ts.)
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { E, OcapnNode, SessionClosedError, createTcpTestingOnlyDialer, formatSturdyRefUri, OcapnSturdyRef, parsePeerUri } from '../../src/index.js';
import { TEST_SWISS } from '../../src/cli/test-objects.js';
import { CLI, ensureBuilt } from '../helpers/built.js';
import { LineProcess } from '../helpers/line-process.js';
import { timed } from '../helpers/quiet-peer.js';

const LIVENESS_MS = 1000;
const BOUND_MS = LIVENESS_MS + LIVENESS_MS / 4 + 1000;
const LIVENESS_REASON = /^peer sent nothing for \d+ ms and did not answer a liveness probe \(timeout 1000 ms\)$/;

const procs: LineProcess[] = [];
const nodes: OcapnNode[] = [];

/** Start `ocapn test-peer`; return it and a sturdyref URI for one of its test objects. */
async function testPeer(): Promise<{ server: LineProcess; uri: (swiss: string) => string }> {
  const server = new LineProcess('test-peer', process.execPath, [CLI, 'test-peer', '--profile', 'goblins', '--port', '0']);
  procs.push(server);
  const peer = parsePeerUri(await server.waitLine(/^ocapn:\/\//));
  return { server, uri: (swiss) => formatSturdyRefUri(new OcapnSturdyRef(peer, new TextEncoder().encode(swiss))) };
}

function client(): OcapnNode {
  const node = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer()], liveness: { timeoutMs: LIVENESS_MS } });
  nodes.push(node);
  return node;
}

beforeAll(() => ensureBuilt(), 180_000);
afterAll(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await Promise.all(procs.splice(0).map((p) => p.stop()));
}, 20_000);

describe.skipIf(process.platform === 'win32')('a peer process that stops or dies', () => {
  it('SIGSTOP: the pending call breaks with the liveness reason within the bound; after SIGCONT a fresh session works', async () => {
    const { server, uri } = await testPeer();
    const node = client();
    const closes: SessionClosedError[] = [];
    node.on('session-close', (e) => closes.push(e.error));
    const echo = await node.enliven(uri(TEST_SWISS.echo));
    expect(await (E(echo) as any)('before')).toEqual(['before']);
    const broken = node.whenBroken(echo as object);

    server.signal('SIGSTOP');
    try {
      // A call the server would answer at once, were it running.
      const outcome = await timed((E(echo) as any)('while stopped'));
      expect(outcome.ok).toBe(false);
      const err = outcome.value as SessionClosedError;
      expect(err).toBeInstanceOf(SessionClosedError);
      expect(err.reason).toMatch(LIVENESS_REASON);
      expect(err.peer).toMatch(/^ocapn:\/\/.*\.tcp-testing-only/);
      // Silence counts from the last sign of life, at most a tick before the call.
      expect(outcome.ms).toBeGreaterThanOrEqual(LIVENESS_MS - LIVENESS_MS / 4 - 10);
      expect(outcome.ms).toBeLessThan(BOUND_MS);
      expect(await broken).toBe(err);
      expect(closes).toEqual([err]);
      console.log(`[sigstop] SIGSTOP of the peer: the pending call broke after ${Math.round(outcome.ms)} ms (liveness timeoutMs ${LIVENESS_MS}, bound ${LIVENESS_MS + LIVENESS_MS / 4} ms + slack)`);
    } finally {
      server.signal('SIGCONT');
    }

    // The server lives on; enlivening again opens a fresh session.
    const again = await node.enliven(uri(TEST_SWISS.echo));
    expect(await (E(again) as any)('after SIGCONT')).toEqual(['after SIGCONT']);
    expect(node.sessions).toHaveLength(1);
    expect(server.running).toBe(true);
    await server.stop();
  }, 30_000);

  it('SIGKILL: the connection closes and a pending promise breaks at once', async () => {
    const { server, uri } = await testPeer();
    const node = client();
    const makePair = await node.enliven(uri(TEST_SWISS.promiseResolver));
    // A promise of the server's that it never settles: we wait on it.
    const [promise] = (await (E(makePair) as any)()) as [Promise<unknown>, unknown];
    const pending = timed(promise);
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = performance.now();
    server.signal('SIGKILL');
    const outcome = await pending;
    const noticed = Math.round(performance.now() - killedAt);
    expect(outcome.ok).toBe(false);
    expect(outcome.value).toBeInstanceOf(SessionClosedError);
    expect((outcome.value as SessionClosedError).reason).toMatch(/^connection (closed|failed: .*ECONNRESET.*)$/);
    expect(noticed).toBeLessThan(LIVENESS_MS);
    await server.exited;
    console.log(`[sigstop] SIGKILL of the peer: the pending promise broke ${noticed} ms after the kill (${(outcome.value as SessionClosedError).reason}; no liveness needed)`);
  }, 30_000);
});
