/**
 * Replays the official suite's remove-op-deliver-only branch (5bfcde9), recorded live against
 * `ocapn test-peer --profile goblins` (test/vectors/suite-rdo; 14/24 passed live), against a
 * fresh node: the suite's bytes unchanged, our non-GC replies compared byte for byte.
 * Connections replayed: calls and pipelining (car factory), echo, callbacks (greeter), and
 * promise resolution through op:listen (promise-resolver), the ones whose replies do not depend
 * on keys or on GC timing.
 *
 * NO-FLAG: once the `profiles` branch lands, `PROFILE` becomes `undefined` (no option; the
 * suite's first `op:deliver … f <resolver>` must select a profile that answers with
 * `op:deliver … f f` and singular GC labels) and the expected bytes stay as recorded here.
 */
import { describe, expect, it } from 'vitest';
import { isReply, latin1, loadRecording, readRecordingJson, recordedReplies, replayClientSide } from './recorded.js';
import type { RecordedMessage } from './replay.js';

const DIR = 'suite-rdo/suite__ocapn-ts-test-peer-goblins';
const PROFILE = 'goblins' as const; // NO-FLAG: → undefined
/** Connection → what it is (identified by its first call). */
const CONNECTIONS: Record<number, string> = {
  4: 'car factory: pipelined calls on answers',
  6: 'echo of a list',
  8: 'car factory: bad arguments break the pipelined promise',
  10: 'greeter: a callback to the suite, answer wanted',
  11: 'greeter: callback, then the suite fulfills it',
  16: 'promise-resolver: op:listen, then fulfill',
  18: 'promise-resolver: op:listen on a promise already fulfilled',
  20: 'promise-resolver: op:listen, then break',
};

describe('suite remove-op-deliver-only (recorded live) replayed against our node', () => {
  it('the recording really is the rdo branch: no op:deliver-only, calls carry no answer position', () => {
    const index = readRecordingJson(`${DIR}/index.json`);
    expect(index.connections.length).toBe(44);
    const all: RecordedMessage[] = (index.connections as { n: number }[]).flatMap((c) => loadRecording(DIR, c.n, 'A'));
    const suite = all.filter((m) => m.side === 'replayed');
    expect(suite.filter((m) => m.label === 'op:deliver-only')).toEqual([]);
    expect(suite.some((m) => /^<op:deliver <desc:export 1> \[\] f <desc:import-object 1>>$/.test(m.notation))).toBe(true);
    expect(suite.filter((m) => m.label.startsWith('op:gc-')).every((m) => /^op:gc-(export|answer)$/.test(m.label))).toBe(true);
  });

  for (const [n, what] of Object.entries(CONNECTIONS)) {
    it(`#${n} ${what}: our replies are byte-identical to the recording`, async () => {
      const messages = loadRecording(DIR, Number(n), 'A');
      const want = recordedReplies(messages);
      expect(want.length).toBeGreaterThan(0);
      const r = await replayClientSide(messages, PROFILE);
      expect(r.replies.map(latin1)).toEqual(want.map(latin1));
      expect(r.replies.every(isReply)).toBe(true);
    });
  }
});
