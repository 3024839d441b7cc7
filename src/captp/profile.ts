/**
 * Compatibility profiles: which of the forms in use today we write to a given peer
 * (notes §13, §15). Every form is accepted from every peer regardless of profile.
 * @module
 */
import type { ErrorForm, NegativeZero, StructOrder } from '../model/codec.js';
import type { CryptoForm } from '../crypto/forms.js';
import { SyrupDict, SyrupRecord, type SyrupValue } from '../syrup/types.js';

/** How we write the forms on which implementations disagree. */
export interface CompatProfile {
  /** Profile name. */
  readonly name: 'goblins' | 'endo' | 'suite' | 'spec-2026-09';
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
  /**
   * Order of Struct keys (and locator hints) in values we write: `'canonical'` (Syrup order,
   * by encoded key bytes) or `'js'` (JS string order, which Endo's decoder requires; notes
   * §15.1). Optional so that profile objects written before it existed still work; absent
   * means `'canonical'`. Both orders are accepted from every peer regardless.
   */
  readonly structOrder?: StructOrder;
  /** The float -0: `'keep'` (the Model; absent means this) or `'zero'` (write 0.0: Endo rejects -0.0). */
  readonly negativeZero?: NegativeZero;
  /**
   * Key and signature forms we write, and the `op:start-session` shape (src/crypto/forms.ts):
   * `'legacy-2025'` (list forms, 4 fields; absent means this) or `'spec-2026-09'` (ocapn/ocapn
   * PR #288: ByteArrays, and `crypto-version` in op:start-session). It cannot be detected (both
   * sides send op:start-session at once), so it is fixed when a session starts; both forms are
   * accepted from every peer regardless.
   */
  readonly crypto?: CryptoForm;
}

/** Goblins 0.18, the reference implementation: our default. */
export const GOBLINS: CompatProfile = Object.freeze({
  name: 'goblins',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: false,
  errorForm: 'mystery',
  structOrder: 'canonical',
  negativeZero: 'keep',
});

/**
 * Endo's `@endo/ocapn`: 3-field listen, plural GC, `<desc:error "msg">`, Struct keys in JS
 * string order, -0 written as 0.0 (its decoder refuses canonical key order and -0.0, and
 * closes the connection; notes §15.1).
 */
export const ENDO: CompatProfile = Object.freeze({
  name: 'endo',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: true,
  errorForm: 'desc:error',
  structOrder: 'js',
  negativeZero: 'zero',
});

/** The official test suite's main branch: `op:deliver-only`, 3-field listen, singular GC labels. */
export const SUITE: CompatProfile = Object.freeze({
  name: 'suite',
  deliverOnly: true,
  listenFields: 3,
  gcLabels: 'singular',
  gcBatch: false,
  errorForm: 'desc:error',
  structOrder: 'canonical',
  negativeZero: 'keep',
});

/**
 * The OCapN spec as of 2026-09 (ocapn/ocapn PR #288): ByteArray keys and signatures and a
 * `crypto-version` in op:start-session, with the spec's other current forms (2-field listen,
 * plural batched GC) and error messages kept. No other implementation speaks it yet (notes §13.1).
 */
export const SPEC_2026_09: CompatProfile = Object.freeze({
  name: 'spec-2026-09',
  deliverOnly: false,
  listenFields: 2,
  gcLabels: 'plural',
  gcBatch: true,
  errorForm: 'desc:error',
  structOrder: 'canonical',
  negativeZero: 'keep',
  crypto: 'spec-2026-09',
});

/** All profiles by name. */
export const PROFILES = Object.freeze({ goblins: GOBLINS, endo: ENDO, suite: SUITE, 'spec-2026-09': SPEC_2026_09 });

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
    (p.errorForm !== 'desc:error' && p.errorForm !== 'mystery') ||
    (p.structOrder !== undefined && p.structOrder !== 'canonical' && p.structOrder !== 'js') ||
    (p.negativeZero !== undefined && p.negativeZero !== 'keep' && p.negativeZero !== 'zero') ||
    (p.crypto !== undefined && p.crypto !== 'legacy-2025' && p.crypto !== 'spec-2026-09')
  ) {
    throw new TypeError(
      'a compatibility profile must be "goblins", "endo", "suite" or a CompatProfile object (deliverOnly, listenFields 2|3, gcLabels, gcBatch, errorForm; optional structOrder canonical|js, negativeZero keep|zero)',
    );
  }
  return p;
}

/**
 * Whether a decoded message carries a dictionary whose keys came in JS string order and not
 * in canonical order (`SyrupDict.order === 'js'`, set by a `dictOrder: 'canonical-or-js'`
 * decode). Only Endo's OCapN codec writes that order, so this identifies an Endo peer; it
 * is the only thing that does from the wire alone. Endo's `op:start-session` has the same
 * shape as Goblins' and ours (32-hex-digit tcp-testing-only designators, `host`/`port` hints
 * of equal length; WebSocket: a base32 designator and a single `url` hint), and its first
 * calls (`fetch` with an answer position and a resolver) are Goblins' too; see docs/captp.md
 * "Telling Endo apart". Walks the whole message (depth bounded by the decoder's maxDepth).
 * @param message a decoded message or value.
 */
export function hasEndoKeyOrder(message: SyrupValue): boolean {
  if (typeof message !== 'object' || message === null || message instanceof Uint8Array) return false;
  if (message instanceof SyrupDict) {
    if (message.order === 'js') return true;
    return message.entries.some(([k, v]) => hasEndoKeyOrder(k) || hasEndoKeyOrder(v));
  }
  if (message instanceof SyrupRecord) return hasEndoKeyOrder(message.label) || message.fields.some(hasEndoKeyOrder);
  if (Array.isArray(message)) return message.some(hasEndoKeyOrder);
  return false;
}
