/**
 * Replays the official test suite's side of each recorded suite ⇄ Endo session
 * (shared/vectors/transcripts) byte for byte against our OcapnNode (profile `suite`, hosting
 * the suite's objects; its recorded op:start-session included: the signature covers the
 * suite's own locator, which we verify) and compares our non-GC replies with Endo's.
 *
 * Allowed differences, each checked explicitly:
 * - our node sends its op:start-session as soon as the connection opens (Endo, as listener,
 *   waits for the suite's; both are valid, notes §5.1);
 * - break and abort reasons are our own text (listed in `ALLOWED`);
 * - GC messages depend on when each side collects: the suite's closing op:abort is held back
 *   until ours release at least every position Endo released, with the same wire delta
 *   (JS GC is forced where V8 allows).
 *
 * Skipped: the handoff and crossed-hellos tests (their recorded messages depend on the
 * Endo peer's session keys and on connections the peer opened itself).
 */
import { describe, it, expect } from 'vitest';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { registerTestObjects } from '../../src/cli/test-objects.js';
import { loadConnection, readJson, replay } from './replay.js';

const index = readJson('transcripts/index.json');
const replayable = index.transcripts.filter((t: any) => !t.test.startsWith('third_party_handoffs.') && !t.test.includes('crossed_hellos'));

/** Sessions in which our node itself aborts (the suite sends a bad op:start-session). */
const WE_ABORT = new Set([
  'op_start_session.OpStartSessionTest.test_start_session_with_invalid_signature',
  'op_start_session.OpStartSessionTest.test_start_session_with_invalid_version',
]);

/**
 * Where our reply may differ from Endo's, per test: Endo's line → ours, and why. Everything
 * else must be identical (same labels, positions, values).
 */
const ALLOWED: Record<string, { endo: string; ours: string; why: string }[]> = {
  'op_delivers.OpDeliverTest.test_promise_pipeline_with_break': [
    {
      endo: `<op:deliver-only <desc:export 2> ['break <desc:error "Expected symbol, got bigint: 1">]>`,
      ours: `<op:deliver-only <desc:export 2> ['break <desc:error "a car factory takes one List [color model]">]>`,
      why: 'the error message is free text (the suite only checks that the promise breaks)',
    },
    {
      endo: `<op:deliver-only <desc:export 3> ['break <desc:error "Expected symbol, got bigint: 1">]>`,
      ours: `<op:deliver-only <desc:export 3> ['break <desc:error "a car factory takes one List [color model]">]>`,
      why: 'the call pipelined on the broken answer breaks with the same reason',
    },
  ],
  'op_start_session.OpStartSessionTest.test_start_session_with_invalid_signature': [
    {
      endo: '<op:abort "Invalid location signature">',
      ours: '<op:abort "op:start-session location signature does not verify">',
      why: 'the abort reason is free text',
    },
  ],
  'op_start_session.OpStartSessionTest.test_start_session_with_invalid_version': [
    {
      endo: '<op:abort "invalid-version">',
      ours: '<op:abort "unsupported CapTP version \\"invalid-version-number\\" (we speak \\"1.0\\")">',
      why: 'the abort reason is free text',
    },
  ],
};

/** Endo's replies with the allowed differences applied: what ours must be. */
function expectedReplies(test: string, endo: string[]): string[] {
  const allowed = ALLOWED[test] ?? [];
  for (const a of allowed) expect(endo, `${test}: allowed difference no longer in the recording`).toContain(a.endo);
  return endo.map((line) => allowed.find((a) => a.endo === line)?.ours ?? line);
}

describe('suite transcripts replayed against our node (suite profile)', () => {
  it('replays every recorded test but the handoff and crossed-hellos ones', () => {
    expect(replayable.length).toBe(15);
  });

  for (const t of replayable) {
    it(t.test, async () => {
      const messages = loadConnection(
        'transcripts',
        t.files.text,
        { tag: 'S>P', bin: t.files.suite_to_peer, spans: t.messages.suite_to_peer },
        { tag: 'P>S', bin: t.files.peer_to_suite, spans: t.messages.peer_to_suite },
      );
      // Real tcp-testing-only: the recorded op:start-session claims a tcp-testing-only location,
      // and a node refuses a claim of another transport than the connection's.
      const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ port: 0 })], profile: 'suite' });
      const dialer = createTcpTestingOnlyDialer();
      registerTestObjects(node);
      try {
        const r = await replay(dialer, node.location, messages, { awaitGc: true });
        expect(r.stalls).toBe(0);
        // Same messages as Endo (so the same export and answer positions the suite then uses).
        expect(r.replies).toEqual(expectedReplies(t.test, r.recorded));
        if (WE_ABORT.has(t.test)) {
          // Endo's only reply is its abort; ours is our abort.
          expect(r.recorded).toEqual(ALLOWED[t.test].map((a) => a.endo));
          expect(r.all[1]).toBe(ALLOWED[t.test][0].ours);
        } else {
          expect(r.all.some((m) => m.startsWith('<op:abort'))).toBe(false);
        }
        if (t.test === 'op_abort.OpAbortTest.test_abort_before_setup') {
          // An abort first leaves no usable session: no reply at all but our hello.
          expect(r.all).toHaveLength(1);
        }
        // We, as the listener, send op:start-session at once (as Goblins does); Endo waits for
        // the suite's and sends none at all when it aborts.
        expect(r.all[0]).toMatch(/^<op:start-session "1\.0" /);
        // GC in the suite's singular forms, one position per message.
        for (const g of r.gc) expect(g).toMatch(/^<op:gc-export \[\d+\] \[\d+\]>$|^<op:gc-answer \[\d+\]>$/);
        // Ours release at least what Endo's released, with the same wire deltas.
        if (t.test.startsWith('op_gc.OpGcExportTest.')) expect(Object.keys(r.recordedGcReleased.exports).length).toBeGreaterThan(0);
        for (const [p, d] of Object.entries(r.recordedGcReleased.exports)) expect(r.gcReleased.exports[Number(p)], `gc-export delta for ${p}`).toBe(d);
        for (const a of r.recordedGcReleased.answers) expect(r.gcReleased.answers).toContain(a);
        // Every recorded session ends with the suite's op:abort (or ours): we close.
        expect(r.closed).toBe(true);
        if (t.test === 'op_gc.OpGcAnswerTest.test_gc_answer') {
          // Once the suite answers the greeter's question we release answer 0, as Endo did.
          expect(r.gc).toContain('<op:gc-answer [0]>');
          expect(messages.map((m) => m.notation)).toContain('<op:gc-answer [0]>');
        }
      } finally {
        await node.close();
        await dialer.close();
      }
    });
  }
});
