/**
 * Choosing a profile from the wire (src/captp/detect.ts): what an unidentified session
 * writes, how it narrows, that explicit profiles override it, and that contradictory or
 * hostile evidence never crashes anything (fast-check, fixed seed).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { AUTO, GOBLINS, OCAPN_TS, PROFILES, SUITE_RDO, composeProfile, resolveProfile, type CompatProfile } from '../../src/index.js';
import { MAX_HELD_GC, ProfileDetector, type Identification, type PeerForms } from '../../src/captp/detect.js';
import { SyrupDict, type SyrupValue } from '../../src/syrup/index.js';
import { ans, ascii, deliver, deliverOnly, exp, expectNext, expectNextNonGc, fetchObject, imp, n, rec, rig, settle, sym, type Rig } from './transcript-helpers.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

const echoSetup = (node: any) => node.register((...args: unknown[]) => args, 'echo');

describe('presets and composing', () => {
  it('suite-rdo is the suite remove-op-deliver-only branch\'s forms, selectable by name', () => {
    expect(resolveProfile('suite-rdo')).toBe(SUITE_RDO);
    expect({ ...SUITE_RDO }).toMatchObject({ deliverOnly: false, listenFields: 3, gcLabels: 'singular', gcBatch: false, errorForm: 'desc:error' });
    expect(resolveProfile(undefined)).toBe(AUTO);
    expect(Object.keys(PROFILES)).toEqual(['auto', 'goblins', 'endo', 'suite', 'suite-rdo', 'spec-2026-09']);
  });
  it('composeProfile: a base plus overrides, frozen, keeping the base name', () => {
    const p = composeProfile('goblins', { gcLabels: 'singular' });
    expect(p).toEqual({ ...GOBLINS, gcLabels: 'singular' });
    expect(Object.isFrozen(p)).toBe(true);
    expect(composeProfile(OCAPN_TS, { errorForm: 'string' }).name).toBe('ocapn-ts');
  });
  it('composeProfile and resolveProfile refuse bad input with a TypeError saying what', () => {
    expect(() => composeProfile('goblins', { gcLabels: 'many' } as never)).toThrow(/gcLabels/);
    expect(() => composeProfile('goblins', { colour: 'red' } as never)).toThrow(/unknown profile field "colour"/);
    expect(() => composeProfile('auto', {})).toThrow(TypeError);
    expect(() => composeProfile('nope' as never, {})).toThrow(/unknown compatibility profile "nope"/);
    expect(() => composeProfile('goblins', null as never)).toThrow(TypeError);
    expect(() => resolveProfile({ ...GOBLINS, errorForm: 'loud' } as never)).toThrow(/errorForm/);
    expect(() => resolveProfile('suite_rdo' as never)).toThrow(TypeError);
  });
});

describe('an unidentified session writes what every implementation reads', () => {
  it('the suite\'s first fetch (no answer position, resolver 0) is answered with op:deliver + answer position + resolver, then the answer is released', async () => {
    current = await rig({ profile: 'auto', setup: echoSetup });
    const { peer, session } = current;
    peer.send(deliver(exp(0), [sym('fetch'), ascii('echo')], false, imp(0)));
    await expectNext(peer, "<op:deliver <desc:export 0> ['fulfill <desc:import-object 1>] 0 <desc:import-object 2>>");
    // Suite family: singular GC labels.
    await expectNext(peer, '<op:gc-answer [0]>');
    expect(session.detector?.identified).toBe('suite');
    // The answer that comes back to the sink changes nothing.
    peer.send(deliver(exp(2), [sym('fulfill'), 1n], false, false));
    await settle();
    expect(session.isActive).toBe(true);
    // op:deliver … f f from the suite: its remove-op-deliver-only branch.
    expect(session.detector?.identified).toBe('suite-rdo');
    expect(session.profile).toBe(SUITE_RDO);
    peer.send(deliver(exp(1), ['hi'], false, imp(1)));
    await expectNextNonGc(peer, "<op:deliver <desc:export 1> ['fulfill [\"hi\"]] f f>");
  });

  it('a Goblins/Endo-like first question (answer position, resolver ≥ 1) is answered in spec form at once', async () => {
    current = await rig({ profile: 'auto', setup: echoSetup });
    const { peer, session } = current;
    await fetchObject(peer, 'echo', 0, 1);
    expect(n(peer.received[1])).toBe("<op:deliver <desc:export 1> ['fulfill <desc:import-object 1>] f f>");
    expect(session.detector?.identified).toBe('other');
    expect(session.profile.errorForm).toBe('string');
  });

  it('GC waits until the peer\'s labels are known (at most MAX_HELD_GC positions); its answer in spec form tells them', async () => {
    const d = new ProfileDetector();
    expect(d.holdGc(0)).toBe(true);
    expect(d.holdGc(MAX_HELD_GC - 1)).toBe(true);
    expect(d.holdGc(MAX_HELD_GC)).toBe(false);
    current = await rig({ profile: 'auto', setup: echoSetup });
    const { peer, session } = current;
    const { E } = await import('../../src/index.js');
    // Our node asks first: nothing identifies the peer yet.
    const q = E(session.peerBootstrap() as any).hello();
    await expectNext(peer, "<op:deliver <desc:export 0> ['hello] 0 <desc:import-object 1>>");
    expect(session.detector?.identified).toBe('unidentified');
    peer.send(deliver(exp(1), [sym('fulfill'), 'hi'], false, false));
    expect(await q).toBe('hi');
    // Spec fire-and-forget from a peer not known as the suite or Endo: spec GC labels too.
    expect(session.detector?.forms).toEqual({ deliver: 'deliver-ff', gc: 'plural' });
    await expectNext(peer, '<op:gc-answers [0]>');
  });

  it('an explicit profile (or profileFor) is never replaced by what the peer sends', async () => {
    current = await rig({ profile: 'goblins', setup: echoSetup });
    const { peer, session } = current;
    peer.send(deliver(exp(0), [sym('fetch'), ascii('echo')], false, imp(0)));
    await expectNext(peer, "<op:deliver <desc:export 0> ['fulfill <desc:import-object 1>] f f>");
    peer.send(deliverOnly(exp(1), ['x']));
    await settle();
    expect(session.profile).toBe(GOBLINS);
  });
});

/** Every identification, by what may follow it. */
const BELOW: Record<Identification, Identification[]> = {
  unidentified: ['unidentified', 'suite', 'other', 'suite-main', 'suite-rdo', 'goblins', 'endo', 'ocapn-ts'],
  suite: ['suite', 'suite-main', 'suite-rdo'],
  other: ['other', 'goblins', 'endo', 'ocapn-ts'],
  'suite-main': ['suite-main'],
  'suite-rdo': ['suite-rdo'],
  goblins: ['goblins'],
  endo: ['endo'],
  'ocapn-ts': ['ocapn-ts'],
};

describe('hostile: contradictory evidence', () => {
  it('any sequence of evidence for different implementations: each form is learnt once, nothing crashes (seed 20261129)', async () => {
    type Ev = (answer: () => number) => SyrupValue;
    const evidence: Ev[] = [
      () => deliverOnly(exp(0), [sym('nothing')]),
      () => rec('op:gc-answer', [999n]),
      () => rec('op:gc-answers', [999n]),
      (a) => deliver(exp(0), [sym('fetch'), ascii('echo')], false, imp(0)),
      (a) => deliver(exp(0), [sym('fetch'), ascii('echo')], a(), imp(3)),
      () => deliver(exp(0), [sym('nothing'), rec('exn:fail:mystery')], false, false),
      () => deliver(exp(0), [sym('nothing'), rec('desc:error', 'boom')], false, false),
      () => deliver(exp(0), [sym('nothing'), rec('desc:error', 'boom', new SyrupDict([['name', 'TypeError']]))], false, false),
      () => deliver(exp(0), [sym('nothing'), new SyrupDict([['count', 3n], ['name', 'x']], 'js')], false, false),
      () => deliver(exp(0), [sym('nothing'), imp(0)], false, false),
      (a) => deliver(exp(0), [sym('fulfill'), 1n], a(), imp(4)),
      (a) => deliver(ans(123456), [], a(), imp(5)),
      () => rec('op:listen', exp(0), imp(0), false),
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(evidence.length - 1), { minLength: 1, maxLength: 12 }), async (picks) => {
        const r = await rig({ profile: 'auto', setup: echoSetup });
        try {
          let next = 100;
          const answer = () => next++;
          let forms: PeerForms = { ...r.session.detector!.forms };
          for (const i of picks) {
            r.peer.send(evidence[i](answer));
            await settle(2);
            if (!r.session.isOpen) break;
            const now = { ...r.session.detector!.forms };
            // What was learnt stays learnt: each form is set once.
            for (const [k, v] of Object.entries(forms)) expect(now[k as keyof PeerForms]).toBe(v);
            expect(Object.values(BELOW).flat()).toContain(r.session.detector!.identified);
            forms = now;
          }
          await settle();
          // Either still serving, or ended with a reason (an abort), never a crash.
          if (!r.session.isOpen) expect(r.session.closeReason?.reason).toMatch(/\S/);
          else expect(r.session.isActive).toBe(true);
          expect(r.session.detector!.conflicts).toBeGreaterThanOrEqual(0);
          // The node still serves a new peer.
          const other = await rig({ profile: 'auto', setup: echoSetup });
          await fetchObject(other.peer, 'echo', 0, 1);
          await other.close();
        } finally {
          await r.close();
        }
      }),
      { seed: 20261129, numRuns: 25 },
    );
  }, 60_000);
});
