/**
 * Replays the official suite's main branch (6c146dc), recorded live against `ocapn test-peer`
 * with no flag (test/vectors/suite-main/suite__ocapn-ts-test-peer-auto; 24/24 live), against a
 * node with no profile option: the suite's bytes unchanged, our non-GC replies compared byte
 * for byte, and what the node's detector made of the suite. Connections replayed: those whose
 * replies depend neither on keys nor on GC timing (calls, pipelining, errors, callbacks,
 * op:deliver-only, promise resolution through op:listen).
 */
import { describe, expect, it } from 'vitest';
import { isReply, latin1, loadRecording, readRecordingJson, recordedReplies, replayClientSide } from './recorded.js';

const DIR = 'suite-main/suite__ocapn-ts-test-peer-auto';
/** Connection → what it is (identified by its first calls). */
const CONNECTIONS: Record<number, string> = {
  4: 'greeter: op:deliver-only with a callback',
  6: 'car factory: pipelined calls on answers',
  8: 'echo: op:deliver with a resolver',
  10: 'car factory: bad arguments break the pipelined promise',
  11: 'greeter: op:deliver-only, the callback answered',
  12: 'echo: op:deliver-only',
  16: 'promise-resolver: op:listen, then fulfill',
  18: 'promise-resolver: op:listen on a promise already fulfilled',
  20: 'promise-resolver: op:listen, then break',
};

describe('suite main (recorded live, test-peer with no flag) replayed against a node with no profile option', () => {
  it('the recording really is the main branch: op:deliver-only, singular GC labels, 44 connections', () => {
    const index = readRecordingJson(`${DIR}/index.json`);
    expect(index.connections.length).toBe(44);
    expect(index.result).toBe('24/24');
    const suite = (index.connections as { n: number }[]).flatMap((c) => loadRecording(DIR, c.n, 'A')).filter((m) => m.side === 'replayed');
    expect(suite.some((m) => m.label === 'op:deliver-only')).toBe(true);
    expect(suite.filter((m) => m.label.startsWith('op:gc-')).every((m) => /^op:gc-(export|answer)$/.test(m.label))).toBe(true);
  });

  for (const [n, what] of Object.entries(CONNECTIONS)) {
    it(`#${n} ${what}: our replies are byte-identical to the recording`, async () => {
      const messages = loadRecording(DIR, Number(n), 'A');
      const want = recordedReplies(messages);
      expect(want.length).toBeGreaterThan(0);
      const r = await replayClientSide(messages, undefined);
      expect(r.replies.map(latin1)).toEqual(want.map(latin1));
      expect(r.replies.every(isReply)).toBe(true);
      // Suite family from the first question on; the main branch once it sent op:deliver-only
      // (seen for certain only where a reply of ours followed it).
      const first = messages.findIndex((m) => m.side === 'replayed' && m.label === 'op:deliver-only');
      const answeredAfter = first >= 0 && messages.slice(first).some((m) => m.side === 'responder' && isReply(m.bytes));
      if (answeredAfter) expect(r.identified).toEqual(['suite-main']);
      else expect([['suite'], ['suite-main']]).toContainEqual(r.identified);
    });
  }

  it('#10: bad arguments break with desc:error (the suite reads any value; Endo-like one-field form)', () => {
    const ours = loadRecording(DIR, 10, 'A').filter((m) => m.side === 'responder').map((m) => m.notation);
    expect(ours.some((x) => x.includes(`['break <desc:error "a car factory takes one List [color model]">]`))).toBe(true);
  });
});
