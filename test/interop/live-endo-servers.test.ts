/**
 * Live recordings of our client (the lab's 8 calls; profile suite, or endo for HEAD) against
 * Endo's own test peer at suite-main, the remove-op-deliver-only commit and HEAD (test/vectors/endo-*; recorded
 * through a relay, docs/interop.md). Endo's side cannot be replayed against our client without
 * Endo's exact port (its signed location names it), so these tests check the recorded bytes:
 * every message round-trips through our codec, and the forms each side wrote are pinned.
 *
 * The `ocapn-ts-client-auto__*` recordings were made with no profile option (the default,
 * 'auto': 8/8 against each Endo commit); the others under the explicit profile in their name,
 * before profiles were chosen from the wire.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/syrup/index.js';
import { latin1, loadRecording, readRecordingJson } from './recorded.js';

const LENIENT = { dictOrder: 'canonical-or-js' } as const;
const SUITE_MAIN = 'endo-suite-main/ocapn-ts-client-suite__endo-server';
const RDO = 'endo-rdo/ocapn-ts-client-suite__endo-server';
const HEAD = 'endo-head/ocapn-ts-client-endo__endo-server';
const AUTO = {
  suiteMain: 'endo-suite-main/ocapn-ts-client-auto__endo-server',
  rdo: 'endo-rdo/ocapn-ts-client-auto__endo-server',
  head: 'endo-head/ocapn-ts-client-auto__endo-server',
};

const all = (dir: string) => (readRecordingJson(`${dir}/index.json`).connections as { n: number }[]).flatMap((c) => loadRecording(dir, c.n, 'A'));

describe('our client against live Endo test peers (recorded)', () => {
  for (const dir of [SUITE_MAIN, RDO, HEAD, AUTO.suiteMain, AUTO.rdo, AUTO.head]) {
    it(`${dir}: every message re-encodes to its recorded bytes`, () => {
      const messages = all(dir);
      expect(messages.length).toBeGreaterThan(20);
      for (const m of messages) expect(latin1(encode(decode(m.bytes, LENIENT)))).toBe(latin1(m.bytes));
    });
  }

  it('Endo HEAD (profile endo, 8/8): our struct goes out in JS key order and comes back so', () => {
    const m = all(HEAD);
    const ours = m.filter((x) => x.side === 'replayed').map((x) => latin1(x.bytes));
    expect(ours.some((b) => b.includes('[{5"count3+4"name5"ocapn}]'))).toBe(true);
    const endo = m.filter((x) => x.side === 'responder').map((x) => latin1(x.bytes));
    expect(endo.some((b) => b.includes(`[7'fulfill[{5"count3+4"name5"ocapn}]]`))).toBe(true);
  });

  it('Endo suite-main answers in op:deliver-only and calls back with op:deliver; our canonical struct is the last thing it saw', () => {
    const m = all(SUITE_MAIN);
    const endo = m.filter((x) => x.side === 'responder' && !x.label.startsWith('op:gc-') && x.label !== 'op:start-session');
    expect(endo.length).toBeGreaterThan(5);
    // Answers and resolutions as op:deliver-only; its only op:deliver is the greeter's call to us.
    expect(endo.filter((x) => x.label !== 'op:deliver-only').map((x) => x.notation)).toEqual([`<op:deliver <desc:export 8> ["Hello"] 0 <desc:import-object 5>>`]);
    expect(endo.map((x) => x.notation)).toContain(`<op:deliver-only <desc:export 12> ['fulfill "resolved!"]>`);
    const last = m.filter((x) => x.side === 'replayed').at(-1)!;
    // Under `suite` it went out in canonical order (with no flag it goes in Endo's: see below).
    expect(latin1(last.bytes)).toContain('[{4"name5"ocapn5"count3+}]');
    expect(m.at(-1)).toBe(last); // no answer came
  });

  it('Endo rdo answers with op:deliver … f f and desc:error; our suite-profile op:deliver-only to it is recorded', () => {
    const m = all(RDO);
    const endo = m.filter((x) => x.side === 'responder');
    expect(endo.filter((x) => x.label === 'op:deliver-only')).toEqual([]);
    expect(endo.map((x) => x.notation)).toContain(`<op:deliver <desc:export 6> ['break <desc:error "carSpec is not iterable">] f f>`);
    expect(endo.map((x) => x.notation)).toContain(`<op:deliver <desc:export 8> ["Hello"] 0 <desc:import-object 5>>`);
    // Under `suite`; with no flag the callback's answer goes as <op:deliver … f f> (below).
    expect(m.filter((x) => x.side === 'replayed').map((x) => x.notation)).toContain(`<op:deliver-only <desc:export 5> ['fulfill "hi back"]>`);
  });

  describe('with no profile option (Endo identified by its default designator "0000")', () => {
    const ours = (dir: string) => all(dir).filter((x) => x.side === 'replayed');
    const theirs = (dir: string) => all(dir).filter((x) => x.side === 'responder');
    for (const dir of [AUTO.suiteMain, AUTO.rdo, AUTO.head]) {
      it(`${dir}: our struct goes out in Endo's key order and its answer comes back; errors reach us as desc:error`, () => {
        expect(ours(dir).some((x) => latin1(x.bytes).includes('[{5"count3+4"name5"ocapn}]'))).toBe(true);
        expect(ours(dir).some((x) => latin1(x.bytes).includes('[{4"name5"ocapn5"count3+}]'))).toBe(false);
        expect(theirs(dir).some((x) => latin1(x.bytes).includes(`[7'fulfill[{5"count3+4"name5"ocapn}]]`))).toBe(true);
        expect(theirs(dir).map((x) => x.notation).some((n) => n.includes(`['break <desc:error "carSpec is not iterable">]`))).toBe(true);
        // The lab client closed the session itself once its 8 calls were done.
        expect(ours(dir).map((x) => x.notation)).toContain('<op:abort "done">');
      });
    }
    it('Endo suite-main: we answer its callback with op:deliver-only and write singular GC labels', () => {
      const n = ours(AUTO.suiteMain).map((x) => x.notation);
      expect(n).toContain(`<op:deliver-only <desc:export 5> ['fulfill "hi back"]>`);
      const gc = n.filter((x) => x.startsWith('<op:gc-'));
      expect(gc.length).toBeGreaterThan(0);
      for (const g of gc) expect(g).toMatch(/^<op:gc-(export|answer) /);
    });
    it('Endo rdo: we answer its callback with op:deliver … f f (never op:deliver-only) and write singular GC labels', () => {
      const n = ours(AUTO.rdo).map((x) => x.notation);
      expect(n).toContain(`<op:deliver <desc:export 5> ['fulfill "hi back"] f f>`);
      expect(n.filter((x) => x.startsWith('<op:deliver-only'))).toEqual([]);
      const gc = n.filter((x) => x.startsWith('<op:gc-'));
      expect(gc.length).toBeGreaterThan(0);
      for (const g of gc) expect(g).toMatch(/^<op:gc-(export|answer) /);
    });
    it('Endo HEAD: we answer its callback with op:deliver … f f and write plural GC labels', () => {
      const n = ours(AUTO.head).map((x) => x.notation);
      expect(n).toContain(`<op:deliver <desc:export 5> ['fulfill "hi back"] f f>`);
      expect(n.filter((x) => x.startsWith('<op:deliver-only'))).toEqual([]);
      const gc = n.filter((x) => x.startsWith('<op:gc-'));
      expect(gc.length).toBeGreaterThan(0);
      for (const g of gc) expect(g).toMatch(/^<op:gc-(exports|answers) /);
    });
  });
});
