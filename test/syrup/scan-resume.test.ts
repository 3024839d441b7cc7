/**
 * The resumable Scanner (internal; used by SyrupStreamReader and the stream FrameReader): fed
 * a value in pieces, it finds the same end as scanValue and examines each byte a bounded
 * number of times (its `examined` counter), whatever the cut points.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode, scanValue, sym, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { DEFAULT_DECODE_OPTIONS } from '../../src/syrup/errors.js';
import { Scanner } from '../../src/syrup/scan.js';

/** Runs a fresh scanner over growing prefixes of `bytes` cut at `cuts`; returns each result. */
function runInPieces(bytes: Uint8Array, cuts: number[]): { results: number[]; examined: number } {
  const s = new Scanner(DEFAULT_DECODE_OPTIONS);
  s.reset(0);
  const results: number[] = [];
  for (const cut of cuts) results.push(s.run(bytes.subarray(0, cut)));
  return { results, examined: s.examined };
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const everyByte = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

describe('Scanner resumes where it stopped', () => {
  const leaf: fc.Arbitrary<SyrupValue> = fc.oneof(
    fc.boolean(),
    fc.bigInt({ min: -(2n ** 400n), max: 2n ** 400n }),
    fc.double(),
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 6 }).map(sym),
    fc.uint8Array({ maxLength: 40 }),
  );
  const { value } = fc.letrec<{ value: SyrupValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.tuple(tie('value'), fc.array(tie('value'), { maxLength: 3 })).map(([l, f]) => new SyrupRecord(l, f)),
    ),
  }));

  it('any cut points: -1 until the end, then the same end as scanValue; examined ≤ length + pieces', () => {
    fc.assert(
      fc.property(value, fc.array(fc.nat(), { maxLength: 30 }), (v, raw) => {
        const bytes = encode(v);
        const cuts = [...new Set([...raw.map((c) => c % bytes.length), bytes.length])].sort((a, b) => a - b);
        const { results, examined } = runInPieces(bytes, cuts);
        expect(results.slice(0, -1).every((r) => r === -1)).toBe(true);
        expect(results.at(-1)).toBe(scanValue(bytes, 0));
        expect(examined).toBeLessThanOrEqual(bytes.length + cuts.length);
      }),
      { seed: 11, numRuns: 400 },
    );
  });

  it('a 4096-digit integer fed one byte at a time is read about once, not once per byte', () => {
    const bytes = ascii(`${'7'.repeat(4096)}+`);
    const { results, examined } = runInPieces(bytes, everyByte(bytes.length));
    expect(results.at(-1)).toBe(bytes.length);
    // re-reading the run on every byte would be ~8.4 million
    expect(examined).toBeLessThanOrEqual(2 * bytes.length);
  });

  it('waits for a bytestring body without reading anything', () => {
    const bytes = ascii(`[100000:${'>'.repeat(100000)}]`);
    const { results, examined } = runInPieces(bytes, everyByte(bytes.length));
    expect(results.at(-1)).toBe(bytes.length);
    // the prefix once (plus one re-read per piece while its digits arrive), the body once
    expect(examined).toBeLessThanOrEqual(bytes.length + 8);
  });

  it('a Float64 split anywhere', () => {
    const bytes = encode([1.5, -0, Number.NaN]);
    const { results, examined } = runInPieces(bytes, everyByte(bytes.length));
    expect(results.at(-1)).toBe(bytes.length);
    expect(examined).toBeLessThanOrEqual(2 * bytes.length);
  });
});
