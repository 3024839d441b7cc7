/**
 * Replays live recordings of Endo's OCapN client (three commits) talking to ocapn-ts's test
 * objects (test/vectors/endo-*; recorded by the interop lab, docs/interop.md): the Endo side's
 * bytes are sent unchanged to a fresh node over tcp-testing-only (raw framing), paced by the
 * recorded order, and every non-GC message our node writes after op:start-session must equal,
 * byte for byte, what ocapn-ts wrote in the recording.
 *
 * The `*-auto` recordings were made with no profile option (the default, 'auto': profiles
 * chosen from the wire; 8/8 live for each Endo commit) and are replayed with none. The older
 * recordings pin the explicit profile each was made with: an explicit profile stays an
 * override. The Endo rdo one was made under `goblins` when that preset still wrote errors as
 * `<exn:fail:mystery>`, so it is replayed with that error form composed onto `goblins`.
 */
import { describe, expect, it } from 'vitest';
import { composeProfile, type ProfileChoice } from '../../src/captp/profile.js';
import { latin1, loadRecording, readRecordingJson, recordedReplies, replayClientSide } from './recorded.js';

interface Case {
  dir: string;
  /** The profile option of the replaying node (undefined: none, the default 'auto'). */
  profile: ProfileChoice | undefined;
  /** What the default node's detector must have made of the peer (auto recordings only). */
  identified?: string;
  /** What the recording shows (checked on the recorded bytes themselves). */
  shows: (notations: string[]) => void;
}

/** No two-field desc:error (ocapn-ts's own rich form) goes to Endo. */
const noDescErrorWithTwoFields = (n: string[]) => expect(n.filter((x) => /<desc:error "[^"]*" /.test(x))).toEqual([]);

const CASES: Case[] = [
  {
    dir: 'endo-head/endo-client__ocapn-ts-auto',
    profile: undefined,
    identified: 'endo',
    shows: (n) => {
      // Before anything identified Endo, our first answer goes in the universal form.
      expect(n).toContain(`<op:deliver <desc:export 1> ['fulfill <desc:import-object 1>] 0 <desc:import-object 2>>`);
      expect(n).toContain(`<op:deliver <desc:export 6> ['break <desc:error "a car factory takes one List [color model]">] f f>`);
      expect(n).toContain(`<op:deliver <desc:export 8> ["Hello"] 1 <desc:import-object 6>>`);
      expect(n).toContain(`<op:deliver <desc:export 12> ['fulfill "resolved!"] f f>`);
      expect(n).toContain(`<op:deliver <desc:export 16> ['break "oh no"] f f>`);
      // The struct, answered in Endo's JS key order (shown in the notation as received).
      expect(n.at(-1)).toBe(`<op:deliver <desc:export 18> ['fulfill [{"count": 3, "name": "ocapn"}]] f f>`);
      expect(n.filter((x) => x.startsWith('<op:deliver-only'))).toEqual([]);
      noDescErrorWithTwoFields(n);
    },
  },
  {
    dir: 'endo-suite-main/endo-client__ocapn-ts-auto',
    profile: undefined,
    identified: 'endo',
    shows: (n) => {
      expect(n).toContain(`<op:deliver <desc:export 1> ['fulfill <desc:import-object 1>] 0 <desc:import-object 2>>`);
      // Endo suite-main's op:deliver-only told us its fire-and-forget form: we answer in it.
      expect(n).toContain(`<op:deliver-only <desc:export 6> ['break <desc:error "a car factory takes one List [color model]">]>`);
      expect(n).toContain(`<op:deliver-only <desc:export 12> ['fulfill "resolved!"]>`);
      expect(n.at(-1)).toBe(`<op:deliver-only <desc:export 18> ['fulfill [{"count": 3, "name": "ocapn"}]]>`);
      noDescErrorWithTwoFields(n);
    },
  },
  {
    dir: 'endo-rdo/endo-client__ocapn-ts-auto',
    profile: undefined,
    identified: 'endo',
    shows: (n) => {
      expect(n).toContain(`<op:deliver <desc:export 6> ['break <desc:error "a car factory takes one List [color model]">] f f>`);
      expect(n).toContain(`<op:deliver <desc:export 16> ['break "oh no"] f f>`);
      expect(n.at(-1)).toBe(`<op:deliver <desc:export 18> ['fulfill [{"count": 3, "name": "ocapn"}]] f f>`);
      expect(n.filter((x) => x.startsWith('<op:deliver-only'))).toEqual([]);
      // GC to Endo rdo in its singular labels only.
      expect(n.filter((x) => /^<op:gc-(exports|answers) /.test(x))).toEqual([]);
    },
  },
  {
    dir: 'endo-head/endo-client__ocapn-ts-endo',
    profile: 'endo',
    shows: (n) => {
      // calls, a struct in Endo's key order both ways, an error, a callback, promise resolution
      expect(n).toContain(`<op:deliver <desc:export 9> ['break <desc:error "a car factory takes one List [color model]">] f f>`);
      expect(n).toContain(`<op:deliver <desc:export 14> ["Hello"] 0 <desc:import-object 5>>`);
      expect(n).toContain(`<op:deliver <desc:export 20> ['fulfill "resolved!"] f f>`);
      expect(n).toContain(`<op:deliver <desc:export 28> ['break "oh no"] f f>`);
      expect(n.filter((x) => x.startsWith('<op:deliver-only'))).toEqual([]);
    },
  },
  {
    dir: 'endo-suite-main/endo-client__ocapn-ts-suite',
    profile: 'suite',
    shows: (n) => {
      expect(n).toContain(`<op:deliver-only <desc:export 17> ['fulfill "resolved!"]>`);
      // Our struct answer, in canonical order: Endo suite-main never accepted it (7/8 live).
      expect(n.at(-2) ?? '').toContain(`['fulfill [{"name": "ocapn", "count": 3}]]`);
    },
  },
  {
    // Recorded under the old `goblins` preset (errors as <exn:fail:mystery>): 1/8 live.
    dir: 'endo-rdo/endo-client__ocapn-ts-goblins',
    profile: composeProfile('goblins', { errorForm: 'mystery' }),
    shows: (n) => expect(n.filter((x) => x.startsWith('<op:start-session')).length).toBeGreaterThanOrEqual(2),
  },
];

const profileName = (p: ProfileChoice | undefined): string => (p === undefined ? 'none' : typeof p === 'string' ? p : `${p.name}+${p.errorForm}`);

describe('live Endo clients (recorded) replayed against our node', () => {
  for (const c of CASES) {
    const index = readRecordingJson(`${c.dir}/index.json`);
    for (const conn of index.connections as { n: number }[]) {
      it(`${c.dir} #${conn.n} (profile ${profileName(c.profile)}): our replies are byte-identical to the recording`, async () => {
        const messages = loadRecording(c.dir, conn.n, 'A');
        if (conn.n === 1) c.shows(messages.map((m) => m.notation));
        const want = recordedReplies(messages);
        const r = await replayClientSide(messages, c.profile);
        expect(r.replies.map(latin1)).toEqual(want.map(latin1));
        if (c.identified) expect(r.identified).toEqual([c.identified]);
      });
    }
  }
});
