/**
 * Replays the official suite's remove-op-deliver-only branch (5bfcde9), recorded live against
 * `ocapn test-peer`, against a fresh node: the suite's bytes unchanged, our non-GC replies
 * compared byte for byte. Connections replayed: calls and pipelining (car factory), echo,
 * callbacks (greeter), and promise resolution through op:listen (promise-resolver), the ones
 * whose replies do not depend on keys or on GC timing.
 *
 * Two recordings (test/vectors/suite-rdo):
 * - `suite__ocapn-ts-test-peer-auto`: `test-peer` with no flag (profiles chosen from the wire),
 *   24/24 live; replayed against a node with no profile option. Until the suite sends a
 *   fire-and-forget of its own, our answers take the form every implementation reads
 *   (`op:deliver … N <sink>`); once it sends `op:deliver … f f`, that form.
 * - `suite__ocapn-ts-test-peer-goblins`: `--profile goblins` when that preset still wrote errors
 *   as `<exn:fail:mystery>` (14/24 live); replayed with that error form composed onto `goblins`,
 *   to show that an explicit profile stays an override.
 */
import { describe, expect, it } from 'vitest';
import { composeProfile, type ProfileChoice } from '../../src/captp/profile.js';
import { isReply, latin1, loadRecording, readRecordingJson, recordedReplies, replayClientSide } from './recorded.js';
import type { RecordedMessage } from './replay.js';

interface Recording {
  dir: string;
  profile: ProfileChoice | undefined;
  label: string;
}
const RECORDINGS: Recording[] = [
  { dir: 'suite-rdo/suite__ocapn-ts-test-peer-auto', profile: undefined, label: 'no profile option' },
  { dir: 'suite-rdo/suite__ocapn-ts-test-peer-goblins', profile: composeProfile('goblins', { errorForm: 'mystery' }), label: 'goblins, errors as <exn:fail:mystery>' },
];
/** Connection → what it is (identified by its first call); the same numbers in both recordings. */
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

for (const rec of RECORDINGS) {
  describe(`suite remove-op-deliver-only (recorded live, ${rec.label}) replayed against our node`, () => {
    it('the recording really is the rdo branch: no op:deliver-only, calls carry no answer position', () => {
      const index = readRecordingJson(`${rec.dir}/index.json`);
      expect(index.connections.length).toBe(44);
      const all: RecordedMessage[] = (index.connections as { n: number }[]).flatMap((c) => loadRecording(rec.dir, c.n, 'A'));
      const suite = all.filter((m) => m.side === 'replayed');
      expect(suite.filter((m) => m.label === 'op:deliver-only')).toEqual([]);
      expect(suite.some((m) => /^<op:deliver <desc:export 1> \[\] f <desc:import-object 1>>$/.test(m.notation))).toBe(true);
      expect(suite.filter((m) => m.label.startsWith('op:gc-')).every((m) => /^op:gc-(export|answer)$/.test(m.label))).toBe(true);
      for (const c of Object.keys(CONNECTIONS)) expect(loadRecording(rec.dir, Number(c), 'A').some((m) => m.side === 'replayed' && m.label === 'op:deliver')).toBe(true);
    });

    for (const [n, what] of Object.entries(CONNECTIONS)) {
      it(`#${n} ${what}: our replies are byte-identical to the recording`, async () => {
        const messages = loadRecording(rec.dir, Number(n), 'A');
        const want = recordedReplies(messages);
        expect(want.length).toBeGreaterThan(0);
        const r = await replayClientSide(messages, rec.profile);
        expect(r.replies.map(latin1)).toEqual(want.map(latin1));
        expect(r.replies.every(isReply)).toBe(true);
        if (rec.profile === undefined) expect(['suite', 'suite-rdo']).toContain(r.identified[0]);
      });
    }
  });
}

describe('suite remove-op-deliver-only with no profile option: the forms in the recording', () => {
  const DIR = RECORDINGS[0].dir;
  const ours = (n: number) => loadRecording(DIR, n, 'A').filter((m) => m.side === 'responder').map((m) => m.notation);
  it('#8: bad arguments break with desc:error, answered in the universal form (no fire-and-forget from the suite yet)', () => {
    expect(ours(8)).toContain(`<op:deliver <desc:export 2> ['break <desc:error "a car factory takes one List [color model]">] 2 <desc:import-object 2>>`);
  });
  it('#16: after the suite fulfils with op:deliver … f f, we answer op:listen in that form; GC in singular labels', () => {
    const n = ours(16);
    expect(n).toContain(`<op:deliver <desc:export 2> ['fulfill 'ok] f f>`);
    const gc = n.filter((x) => x.startsWith('<op:gc-'));
    expect(gc.length).toBeGreaterThan(0);
    for (const g of gc) expect(g).toMatch(/^<op:gc-(export|answer) /);
  });
});
