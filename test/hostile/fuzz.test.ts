/**
 * Property: random mutations (bit flips, truncations, insertions, deletions, Syrup-significant
 * byte swaps) of valid CapTP messages, each sent on a fresh session after a good handshake,
 * never crash the process or leave an unhandled rejection; each session either aborts with a
 * String reason and closes, or keeps answering; and the node still serves its healthy session.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { encode, SyrupDict, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { anywhere, mutate, mutationArb } from './fuzz-mutations.js';
import { Bench, RawPeer, answerDesc, ascii, deliver, exportDesc, rec, sym, watchProcessFaults, SWISS } from './harness.js';

const { faults } = watchProcessFaults();

let bench: Bench;
beforeAll(async () => {
  bench = await Bench.start();
});
afterAll(() => bench.close());

/** Valid messages for a session in which the served object was fetched to export `p`. */
function templates(p: bigint): Uint8Array[] {
  const obj = exportDesc(p);
  const values: SyrupValue[] = [
    1n, -(2n ** 70n), 1.5, -0, NaN, 'björn 😀', ascii('bytes'), sym('sym'), true,
    [1n, [2n, [3n]]], new SyrupDict([['a', 1n], ['bb', [2n]]]),
    rec('void'), rec('null'), rec('desc:tagged', sym('t'), 1n), rec('desc:error', 'e'), rec('exn:fail:mystery'),
    rec('desc:import-object', 5n), rec('desc:import-promise', 6n), exportDesc(p), answerDesc(0),
    rec('ocapn-peer', sym('memory'), 'x', false),
  ];
  const msgs: SyrupValue[] = [
    deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], 1n, 1001n),
    deliver(obj, [sym('echo'), ...values], 2n, 1002n),
    deliver(obj, [sym('count')], false, false),
    deliver(obj, [sym('boom')], 3n, 1003n),
    deliver(answerDesc(0), [sym('echo'), 'pipelined'], 4n, rec('desc:import-promise', 1004n) as unknown as bigint),
    rec('op:deliver-only', obj, [sym('count')]),
    rec('op:listen', obj, rec('desc:import-object', 7n), false),
    rec('op:listen', answerDesc(0), rec('desc:import-object', 8n)),
    rec('op:get', obj, 'field', 5n),
    rec('op:index', answerDesc(0), 0n, 6n),
    rec('op:untag', obj, 'tag', 7n),
    rec('op:gc-exports', [p], [1n]),
    rec('op:gc-export', p, 1n),
    rec('op:gc-answers', [0n]),
    rec('op:gc-answer', 0n),
    rec('op:abort', 'fuzz'),
  ];
  return msgs.map((m) => encode(m));
}

type Outcome = 'aborted' | 'closed' | 'answered';

/** After the mutated message, a probe fetch (answer 900, resolver 1900): wait for the session's fate. */
async function outcomeOf(peer: RawPeer): Promise<{ outcome: Outcome; reason?: string }> {
  peer.send(deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], 900n, 1900n));
  for (;;) {
    let m;
    try {
      m = await peer.next(3000);
    } catch (e) {
      if (peer.closed) return { outcome: 'closed' };
      throw e;
    }
    if (m.labelName === 'op:abort') return { outcome: 'aborted', reason: m.fields[0] as string };
    const to = m.fields[0];
    // (op:deliver-only once the session switched to the suite profile.)
    if ((m.labelName === 'op:deliver' || m.labelName === 'op:deliver-only') && to instanceof SyrupRecord && to.fields[0] === 1900n) {
      return { outcome: 'answered' };
    }
  }
}

describe('mutated CapTP messages', () => {
  it('never crash the node, never leak a rejection, never hurt the healthy session', async () => {
    const counts: Record<Outcome, number> = { aborted: 0, closed: 0, answered: 0 };
    await fc.assert(
      fc.asyncProperty(anywhere, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (which, mutations) => {
        const peer = await bench.attacker();
        const p = await Bench.fetchServed(peer, 0n);
        const list = templates(p);
        peer.send(mutate(list[which % list.length], mutations));
        const { outcome, reason } = await outcomeOf(peer);
        counts[outcome]++;
        if (outcome === 'aborted') {
          expect(typeof reason).toBe('string');
          expect(reason!.length).toBeGreaterThan(0);
          expect(await peer.waitClosed()).toBe(true);
        }
        peer.conn.close();
        expect(faults).toEqual([]);
      }),
      { seed: 42, numRuns: 200 },
    );
    // The mix is meaningful: most mutations break the session, some slip through as valid
    // messages (with seed 42: 192 aborted, 6 answered, 2 closed by a mutated op:abort).
    expect(counts.aborted).toBeGreaterThan(100);
    expect(counts.answered).toBeGreaterThan(2);
    await bench.assertHealthy();
    expect(bench.node.sessions.length).toBe(1);
  });

  it('a mutated op:start-session either aborts or yields a working session', async () => {
    const counts: Record<Outcome, number> = { aborted: 0, closed: 0, answered: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 2 }), async (mutations) => {
        const peer = await bench.attacker(false);
        peer.send(mutate(encode(peer.startSession()), mutations));
        const { outcome, reason } = await outcomeOf(peer);
        counts[outcome]++;
        if (outcome === 'aborted') {
          expect(reason).toMatch(/\S/);
          expect(await peer.waitClosed()).toBe(true);
        }
        peer.conn.close();
        expect(faults).toEqual([]);
      }),
      { seed: 42, numRuns: 100 },
    );
    // Almost every change breaks the signature or the encoding; those that survive touch
    // nothing signed (e.g. nothing at all, when a byte is replaced by itself).
    expect(counts.aborted).toBeGreaterThan(80);
    await bench.assertHealthy();
    expect(bench.node.sessions.length).toBe(1);
  });
});
