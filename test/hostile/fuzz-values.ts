/**
 * fast-check arbitraries of Syrup values for the session fuzzer:
 * - {@link canonicalValue}: OCapN passables whose echo comes back byte for byte (the node
 *   decodes them to JS and encodes them again);
 * - {@link oddValue}: passables in odd or legacy forms (errors, `desc:tag`, locators,
 *   sturdyrefs, references to the peer's own objects, placeholders for the node's positions)
 *   that the node must accept, though it may answer them in another form;
 * - {@link anySyrup}: any well-formed Syrup value (records with random labels, sets,
 *   non-String dictionary keys…), which a CapTP message may or may not tolerate.
 * Sizes stay near the limits the fuzzed node is configured with ({@link FUZZ_LIMITS}).
 */
import fc from 'fast-check';
import { SyrupDict, SyrupRecord, SyrupSet, SyrupSymbol, rec, sym, type SyrupValue } from '../../src/syrup/index.js';

/** Session limits of the fuzzed node: small, so that "huge but allowed" stays cheap. */
export const FUZZ_LIMITS = Object.freeze({ maxDepth: 64, maxContainerLength: 2048, maxBytesLength: 32 * 1024 });
/** The Syrup decoder's default longest integer, in digits. */
export const MAX_INTEGER_DIGITS = 4096;
/**
 * Containers a value may nest inside an echo argument (`nest(ARG_DEPTH_BUDGET)` is the
 * deepest allowed): the op record and its argument list already use two of
 * {@link FUZZ_LIMITS}.maxDepth levels.
 */
export const ARG_DEPTH_BUDGET = FUZZ_LIMITS.maxDepth - 2;

/**
 * Our export positions named in values (the node imports them) stay below this; resolvers we
 * expect answers on use {@link RESOLVER_BASE} and up, so the two never collide.
 */
export const IMPORT_POS_MAX = 1_000_000;
export const RESOLVER_BASE = 1_000_000_000;
/**
 * Answer positions we open start here, and the templates we mutate use
 * {@link TEMPLATE_ANSWER_BASE}: far from the small integers random values carry, so a random
 * op that happens to open an answer position does not collide with ours.
 */
export const ANSWER_BASE = 7_000_000_000;
export const TEMPLATE_ANSWER_BASE = 5_000_000_000_000;

/** A placeholder for a position only known while the session runs (see fuzz-cases.ts). */
export const KNOWN = 'fuzz:known';
/** `<fuzz:known kind pick>`: kind is 'export' | 'answer' | 'node-export'; pick selects one. */
export const known = (kind: 'export' | 'answer' | 'node-export', pick: number): SyrupRecord => rec(KNOWN, sym(kind), BigInt(pick));

/** Any Unicode scalar value (no surrogates: a lone one is not a wire value). */
const scalarValue = fc.integer({ min: 0, max: 0x10ffff - 0x800 }).map((n) => (n >= 0xd800 ? n + 0x800 : n));
/**
 * Strings. (Built from code points rather than fast-check's `unit: 'binary'`, whose shrinker
 * set-up maps all 1.1 million code points and cost seconds per run.)
 */
export const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.array(scalarValue, { maxLength: 10 }).map((cps) => String.fromCodePoint(...cps)) },
  { weight: 1, arbitrary: fc.constantFrom('', 'then', '__proto__', 'constructor', 'toString', 'fulfill', 'break', 'op:abort') },
);

const integer = fc.oneof(
  { weight: 8, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 600n), max: 2n ** 600n }) },
  { weight: 1, arbitrary: fc.constantFrom(0n, -1n, 2n ** 53n, 2n ** 64n - 1n, -(2n ** 63n)) },
);

const float = fc.oneof(fc.double(), fc.constantFrom(NaN, -0, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE));

const bytes = fc.uint8Array({ maxLength: 24 });

const scalar: fc.Arbitrary<SyrupValue> = fc.oneof(
  { weight: 3, arbitrary: integer },
  { weight: 2, arbitrary: float },
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: bytes },
  { weight: 2, arbitrary: text.map((s) => new SyrupSymbol(s)) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom(rec('void'), rec('null')) },
);

/** A Struct: a dictionary with distinct String keys. */
function struct(value: fc.Arbitrary<SyrupValue>): fc.Arbitrary<SyrupValue> {
  return fc.uniqueArray(fc.tuple(text, value), { maxLength: 5, selector: ([k]) => k }).map((es) => new SyrupDict(es));
}

/** `depth` nested lists around `inner`. */
export function nest(depth: number, inner: SyrupValue = 1n): SyrupValue {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** A list of `n` small integers (a container exactly `n` long). */
export const longList = (n: number): SyrupValue[] => Array.from({ length: n }, (_, i) => BigInt(i % 7));

/** Passables whose echo returns the same bytes. */
export const canonicalValue: fc.Arbitrary<SyrupValue> = fc.letrec<{ v: SyrupValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 10, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('v'), { maxLength: 5 }) },
    { weight: 2, arbitrary: struct(tie('v')) },
    { weight: 1, arbitrary: fc.tuple(text, tie('v')).map(([t, p]) => rec('desc:tagged', sym(t), p)) },
  ),
})).v;

/** Canonical values, plus some just inside each limit (deepest, longest, biggest allowed). */
export const bigCanonicalValue: fc.Arbitrary<SyrupValue> = fc.oneof(
  { weight: 160, arbitrary: canonicalValue },
  // The echo's arguments sit in a list inside the op record: ARG_DEPTH_BUDGET levels remain.
  { weight: 1, arbitrary: fc.integer({ min: ARG_DEPTH_BUDGET - 2, max: ARG_DEPTH_BUDGET }).map((d) => nest(d)) },
  { weight: 1, arbitrary: fc.integer({ min: FUZZ_LIMITS.maxContainerLength - 2, max: FUZZ_LIMITS.maxContainerLength }).map(longList) },
  { weight: 1, arbitrary: fc.integer({ min: FUZZ_LIMITS.maxBytesLength - 2, max: FUZZ_LIMITS.maxBytesLength }).map((n) => new Uint8Array(n).fill(0x3c)) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_INTEGER_DIGITS - 2, max: MAX_INTEGER_DIGITS }).map((d) => -(10n ** BigInt(d - 1))) },
);

const locator = fc
  .record({
    transport: fc.constantFrom('tcp-testing-only', 'onion', 'websocket', 'x'),
    designator: fc.string({ minLength: 1, maxLength: 8 }),
    hints: fc.oneof(fc.constant(false as const), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 6 }), { maxKeys: 2 })),
  })
  .map(({ transport, designator, hints }) =>
    rec('ocapn-peer', sym(transport), designator, hints === false ? false : new SyrupDict(Object.entries(hints))),
  );

/** Passables in odd forms, and references (ours, and placeholders for the node's). */
export const oddValue: fc.Arbitrary<SyrupValue> = fc.letrec<{ v: SyrupValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('v'), { maxLength: 4 }) },
    { weight: 2, arbitrary: struct(tie('v')) },
    { weight: 1, arbitrary: fc.tuple(text, tie('v')).map(([t, p]) => rec('desc:tag', t, p)) },
    { weight: 1, arbitrary: text.map((m) => rec('desc:error', m)) },
    { weight: 1, arbitrary: fc.constantFrom(rec('exn:fail:mystery'), rec('exn:x', 1n, 'y')) },
    { weight: 1, arbitrary: locator },
    { weight: 1, arbitrary: fc.tuple(locator, fc.uint8Array({ maxLength: 8 })).map(([l, s]) => rec('ocapn-sturdyref', l, s)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('desc:import-object', 'desc:import-promise'), fc.nat({ max: IMPORT_POS_MAX - 1 })).map(([l, n]) => rec(l, BigInt(n))) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('export', 'answer', 'node-export') as fc.Arbitrary<'export' | 'answer' | 'node-export'>, fc.nat()).map(([k, n]) => known(k, n)) },
  ),
})).v;

/** Any well-formed Syrup value: OCapN-invalid forms included. */
export const anySyrup: fc.Arbitrary<SyrupValue> = fc.letrec<{ v: SyrupValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: scalar },
    { weight: 2, arbitrary: oddValue },
    { weight: 2, arbitrary: fc.array(tie('v'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.uniqueArray(fc.tuple(tie('v'), tie('v')), { maxLength: 3, selector: ([k]) => k, comparator: 'SameValueZero' }).map((es) => new SyrupDict(es)) },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3 }).map((xs) => new SyrupSet(xs)) },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(text.map(sym), tie('v')), fc.array(tie('v'), { maxLength: 4 })).map(([l, fs]) => new SyrupRecord(l, fs)) },
  ),
})).v;
