/**
 * Compatibility profiles: which of the forms in use today we write to a given peer
 * (notes §13, §15). Every form is accepted from every peer regardless of profile.
 * @module
 */
import type { ErrorForm } from '../model/codec.js';

/** How we write the forms on which implementations disagree. */
export interface CompatProfile {
  /** Profile name. */
  readonly name: 'goblins' | 'endo' | 'suite';
  /** Fire-and-forget messages as `<op:deliver-only to args>` (suite) instead of `<op:deliver … f f>`. */
  readonly deliverOnly: boolean;
  /** Fields of `op:listen`: 3 (with `wants-partial? f`: Goblins, Endo, suite) or 2 (spec HEAD). */
  readonly listenFields: 2 | 3;
  /** GC labels: `op:gc-exports`/`op:gc-answers` (plural) or `op:gc-export`/`op:gc-answer` (suite). */
  readonly gcLabels: 'plural' | 'singular';
  /** Put several positions in one GC message (else one position per message, as Goblins does). */
  readonly gcBatch: boolean;
  /** How local errors are written in break reasons. */
  readonly errorForm: ErrorForm;
}

/** Goblins 0.18, the reference implementation: our default. */
export const GOBLINS: CompatProfile = Object.freeze({
  name: 'goblins',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: false,
  errorForm: 'mystery',
});

/** Endo's `@endo/ocapn`: 3-field listen, plural GC, `<desc:error "msg">`. */
export const ENDO: CompatProfile = Object.freeze({
  name: 'endo',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: true,
  errorForm: 'desc:error',
});

/** The official test suite's main branch: `op:deliver-only`, 3-field listen, singular GC labels. */
export const SUITE: CompatProfile = Object.freeze({
  name: 'suite',
  deliverOnly: true,
  listenFields: 3,
  gcLabels: 'singular',
  gcBatch: false,
  errorForm: 'desc:error',
});

/** All profiles by name. */
export const PROFILES = Object.freeze({ goblins: GOBLINS, endo: ENDO, suite: SUITE });

/** Resolve a profile name or object; TypeError for an unknown name or a malformed profile object. */
export function resolveProfile(p: CompatProfile | keyof typeof PROFILES | undefined): CompatProfile {
  if (p === undefined) return GOBLINS;
  if (typeof p === 'string') {
    if (!Object.hasOwn(PROFILES, p)) throw new TypeError(`unknown compatibility profile "${p}" (goblins, endo or suite)`);
    return PROFILES[p];
  }
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.deliverOnly !== 'boolean' ||
    (p.listenFields !== 2 && p.listenFields !== 3) ||
    (p.gcLabels !== 'plural' && p.gcLabels !== 'singular') ||
    typeof p.gcBatch !== 'boolean' ||
    (p.errorForm !== 'desc:error' && p.errorForm !== 'mystery')
  ) {
    throw new TypeError('a compatibility profile must be "goblins", "endo", "suite" or a CompatProfile object (deliverOnly, listenFields 2|3, gcLabels, gcBatch, errorForm)');
  }
  return p;
}
