// Review of the decodeOp/encodeOp rewrite (lazy error strings, positions fast path, cached field
// names, encodeDeliver): what the peer reads in op:abort reasons and what we put on the wire
// are unchanged from the code before it (391c0aa).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeOp, encodeDeliver, encodeDesc, encodeOp } from '../../src/captp/ops.js';
import { encode, rec, sym } from '../../src/syrup/index.js';
import { malformedOps } from './perf-ops-cases.js';

/** What decodeOp makes of `m`: its output as JSON, or the error's name and message. */
function outcome(m: unknown): string {
  try {
    return JSON.stringify(decodeOp(m as never), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('review-perf: op decoding and encoding after the hot-path rewrite', () => {
  it('5003 malformed and well-formed ops (fixed seed) decode, or fail with the same texts, as at 391c0aa', () => {
    // The digest was computed by running the same cases through 391c0aa's decodeOp (0 differences of 5003).
    const all = malformedOps(5000).map(outcome);
    expect(createHash('sha256').update(all.join('\n')).digest('hex')).toBe('332cd3670e8799b44a1f3293d68d115361d679fe3c55b1a0bbf68701541431b7');
  });

  it.each([
    [rec('op:deliver', rec('desc:export', -1n), [], false, false), 'op:deliver to position must be an integer from 0 to 2^53-1'],
    [rec('op:deliver', rec('desc:export', 2n ** 53n), [], false, false), 'op:deliver to position must be an integer from 0 to 2^53-1'],
    [rec('op:deliver', rec('desc:export', 1n, 2n), [], false, false), 'op:deliver to must be one of <desc:export pos>, <desc:answer pos>'],
    [rec('op:deliver', rec('desc:export', 1n), [], -3n, false), 'op:deliver answerPos must be an integer from 0 to 2^53-1'],
    [rec('op:deliver', rec('desc:export', 1n), [], false, rec('desc:export', 1n)), 'op:deliver resolveMe must be one of <desc:import-object pos>, <desc:import-promise pos>'],
    [rec('op:deliver', rec('desc:export', 1n), 'x', false, false), 'op:deliver args must be a List'],
    [rec('op:listen', rec('desc:answer', 1n), rec('desc:import-object', 'x')), 'op:listen listener position must be an integer from 0 to 2^53-1'],
    [rec('op:listen', rec('desc:answer', 1n), rec('desc:import-object', 2n), 1n), 'op:listen wantsPartial must be a Boolean'],
    [rec('op:gc-exports', [1n, -1n], [1n, 1n]), 'op:gc-exports exportPositions must be an integer from 0 to 2^53-1'],
    [rec('op:gc-exports', [1n], [1n, 1n]), '<op:gc-exports> position and delta lists differ in length'],
    [rec('op:gc-answers', 'x'), 'op:gc-answers answerPositions must be a List of positions'],
    [rec('op:index', rec('desc:answer', 1n), 1.5, 2n), 'op:index index must be an integer from 0 to 2^53-1'],
    [rec('op:listen', rec('desc:answer', 1n)), '<op:listen> takes 2 or 3 fields, got 1'],
    [rec('hasOwnProperty'), 'unknown operation <hasOwnProperty>'],
  ])('error text %#', (m, text) => {
    expect(() => decodeOp(m)).toThrow(text);
    expect(outcome(m)).toBe(`WireShapeError: ${text}`);
  });

  it('encodeDeliver writes the same bytes as encodeOp("op:deliver")', () => {
    const to = encodeDesc('answer', 7);
    const args = [sym('go'), 1n, 'x'];
    for (const [answerPos, resolveMe] of [[false, false], [3n, encodeDesc('import-object', 9)], [0n, encodeDesc('import-promise', 0)]] as const) {
      expect(encode(encodeDeliver(to, args, answerPos, resolveMe))).toEqual(encode(encodeOp('op:deliver', { to, args, answerPos, resolveMe })));
    }
  });

  it('encodeOp with cached field names: a field count picks a prefix, each time; a missing field is still a TypeError', () => {
    const to = encodeDesc('export', 1);
    const listener = encodeDesc('import-object', 2);
    const three = encodeOp('op:listen', { to, listener, wantsPartial: false });
    const two = encodeOp('op:listen', { to, listener }, 2);
    const twoAgain = encodeOp('op:listen', { to, listener, wantsPartial: true }, 2);
    expect(three.fields.length).toBe(3);
    expect(two.fields.length).toBe(2);
    expect(twoAgain.fields.length).toBe(2);
    expect(encodeOp('op:listen', { to, listener, wantsPartial: true }).fields.length).toBe(3);
    expect(() => encodeOp('op:listen', { to, listener })).toThrow(new TypeError('op:listen: missing field wantsPartial'));
    expect(() => encodeOp('op:nope', {})).toThrow(TypeError);
  });
});
