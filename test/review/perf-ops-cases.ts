// Malformed CapTP messages for the error-text review of decodeOp (test/review/perf-ops.test.ts).
import fc from 'fast-check';
import { rec as rec0, sym as sym0, type SyrupValue } from '../../src/syrup/types.js';

type Rec = (label: string, ...fields: never[]) => SyrupValue;
type Sym = (name: string) => SyrupValue;

const LABELS = ['op:start-session', 'op:abort', 'op:deliver', 'op:deliver-only', 'op:listen', 'op:get', 'op:index', 'op:untag', 'op:gc-exports', 'op:gc-export', 'op:gc-answers', 'op:gc-answer', 'op:bogus', 'constructor', '__proto__'];
const DESCS = ['desc:export', 'desc:answer', 'desc:import-object', 'desc:import-promise', 'desc:bogus'];

/**
 * Records with a known (or unknown) op label and 0–6 arbitrary fields; fixed seed. `rec`/`sym`
 * may come from another copy of the codec (to run the same cases against older code).
 */
export function malformedOps(count: number, rec: Rec = rec0 as Rec, sym: Sym = sym0 as Sym): SyrupValue[] {
  const scalar: fc.Arbitrary<SyrupValue> = fc.constantFrom<SyrupValue>(0n, 1n, -1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n, false, true, 'x', 1.5, sym('x'));
  const desc: fc.Arbitrary<SyrupValue> = fc.tuple(fc.constantFrom(...DESCS), fc.array(scalar, { maxLength: 2 })).map(([l, f]) => rec(l, ...(f as never[])));
  const field: fc.Arbitrary<SyrupValue> = fc.oneof(scalar, desc, fc.array(fc.oneof(scalar, desc), { maxLength: 3 }));
  const arb = fc.tuple(fc.constantFrom(...LABELS), fc.array(field, { maxLength: 6 })).map(([l, f]) => rec(l, ...(f as never[])));
  const extra: SyrupValue[] = ['not a record', rec('x'), rec('op:deliver', ...([sym('x')] as never[]))];
  return [...extra, ...fc.sample(arb, { seed: 20261130, numRuns: count })];
}
