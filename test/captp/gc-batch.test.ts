/**
 * Issue 12: answers that settle together are released together. Where the profile takes
 * lists (an identified ocapn-ts peer; endo, spec) that is one op:gc-answers for all of them;
 * Goblins and the suite keep one position per message. Pins the bytes; counted on the wire
 * (memory netlayer), not timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { E, OCAPN_TS } from '../../src/index.js';
import { deliver, deliverOnly, exp, expectNext, rigOutbound, sym, type Rig } from './transcript-helpers.js';

let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** Three questions to the peer's bootstrap, answered by the raw peer in one burst. */
async function threeAnswered(profile: 'ocapn-ts' | 'goblins' | 'suite'): Promise<Rig> {
  // OCAPN_TS: the profile an 'auto' session takes once it has identified an ocapn-ts peer.
  current = await rigOutbound({ profile: profile === 'ocapn-ts' ? OCAPN_TS : profile });
  const { peer, session } = current;
  const boot = session.peerBootstrap() as any;
  const ps = [E(boot).a(), E(boot).b(), E(boot).c()];
  for (let i = 0; i < 3; i++) await peer.nextNonGc();
  const answer = (i: number) => (profile === 'suite' ? deliverOnly(exp(i + 1), [sym('fulfill'), BigInt(i)]) : deliver(exp(i + 1), [sym('fulfill'), BigInt(i)], false, false));
  for (let i = 0; i < 3; i++) peer.send(answer(i));
  expect(await Promise.all(ps)).toEqual([0n, 1n, 2n]);
  return current;
}

describe('GC messages per turn (issue 12)', () => {
  it('ocapn-ts: three answers settled in one burst are released by one op:gc-answers', async () => {
    const { peer } = await threeAnswered('ocapn-ts');
    await expectNext(peer, '<op:gc-answers [0 1 2]>');
    await expect(peer.next(100)).rejects.toThrow(/timed out/);
  });

  it('goblins: one position per op:gc-answers, as before', async () => {
    const { peer } = await threeAnswered('goblins');
    await expectNext(peer, '<op:gc-answers [0]>');
    await expectNext(peer, '<op:gc-answers [1]>');
    await expectNext(peer, '<op:gc-answers [2]>');
  });

  it('suite: singular op:gc-answer, one position each, as before', async () => {
    const { peer } = await threeAnswered('suite');
    await expectNext(peer, '<op:gc-answer [0]>');
    await expectNext(peer, '<op:gc-answer [1]>');
    await expectNext(peer, '<op:gc-answer [2]>');
  });
});
