/**
 * Byte-level mutations of valid messages (bit flips, truncations, insertions, deletions,
 * Syrup-significant byte swaps), shared by the fuzz tests.
 */
import fc from 'fast-check';
import { ascii } from './harness.js';

/** Bytes that mean something to Syrup: swapping one in changes the structure. */
export const SIGNIFICANT = ascii('<>[]{}#$+-:"\'0123456789DFtf');

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'significant'; at: number; which: number };

/** A position anywhere in the message (unbiased: fast-check favours small numbers otherwise). */
export const anywhere = fc.noBias(fc.integer({ min: 0, max: 1_000_000 }));

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: anywhere, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: anywhere }),
  fc.record({ kind: fc.constant('insert' as const), at: anywhere, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: anywhere, count: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constant('significant' as const), at: anywhere, which: fc.nat({ max: SIGNIFICANT.length - 1 }) }),
);

/** Apply `ms` in order to a copy of `input`. */
export function mutate(input: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Array.from(input);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (b.length) b[at % b.length] ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'insert':
        b.splice(at, 0, ...m.bytes);
        break;
      case 'delete':
        b.splice(at, m.count);
        break;
      case 'significant':
        if (b.length) b[at % b.length] = SIGNIFICANT[m.which];
        break;
    }
  }
  return Uint8Array.from(b);
}
