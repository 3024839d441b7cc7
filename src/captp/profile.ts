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
  /**
   * Profile name. A profile made by {@link composeProfile} keeps its base's name; the names
   * beginning with `suite` are the official test suite's (scripted peers: no liveness probes,
   * duplicate sessions refused at once).
   */
  readonly name: ProfileName | 'ocapn-ts';
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

/**
 * Goblins 0.18, the reference implementation. Errors go as a String break reason carrying
 * name and message (`"TypeError: bad input"`): Goblins accepts any String, and rejects
 * `desc:error` (docs/value-model.md "Errors").
 */
export const GOBLINS: CompatProfile = Object.freeze({
  name: 'goblins',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: false,
  errorForm: 'string',
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

// --- Profile choice: presets, `auto`, composing (issue 10) -------------------------------

/**
 * The official suite's `remove-op-deliver-only` branch (5bfcde9; Endo's 6400cbb26 speaks the
 * same): fire-and-forget as `op:deliver … f f` (it cannot decode `op:deliver-only`), 3-field
 * listen, singular GC labels, `desc:error`.
 */
export const SUITE_RDO: CompatProfile = Object.freeze({
  name: 'suite-rdo',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'singular',
  gcBatch: false,
  errorForm: 'desc:error',
  structOrder: 'canonical',
  negativeZero: 'keep',
});

/**
 * Another ocapn-ts node, as `auto` identifies it: spec forms, batched GC, errors as a String with
 * name, code and message. Not `rich`: any peer can send what identifies ocapn-ts, and the rich
 * form would give it every data field of our errors (a Node error's `path`, say); choose `rich`
 * explicitly (`composeProfile`, `profileFor`) for peers you trust with them.
 */
export const OCAPN_TS: CompatProfile = Object.freeze({
  name: 'ocapn-ts',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: true,
  errorForm: 'string',
  structOrder: 'canonical',
  negativeZero: 'keep',
});

/**
 * The `'auto'` choice (the default): each session starts unidentified and narrows its profile
 * from what the peer sends (./detect.ts, docs/captp.md "Choosing a profile from the wire").
 * These fields are what an unidentified session writes: forms every implementation accepts.
 */
export const AUTO: CompatProfile = Object.freeze({
  name: 'auto',
  deliverOnly: false,
  listenFields: 3,
  gcLabels: 'plural',
  gcBatch: false,
  errorForm: 'string',
  structOrder: 'canonical',
  negativeZero: 'keep',
});

/** All profiles by name (`auto` included). */
export const PROFILES = Object.freeze({ auto: AUTO, goblins: GOBLINS, endo: ENDO, suite: SUITE, 'suite-rdo': SUITE_RDO, 'spec-2026-09': SPEC_2026_09 });

/** A profile name accepted by {@link resolveProfile}. */
export type ProfileName = keyof typeof PROFILES;

/** A profile choice: a name (`'auto'`, the default, or a preset) or a profile object. */
export type ProfileChoice = CompatProfile | ProfileName;

/** Whether `p` is one of the official suite's profiles (`suite`, `suite-rdo`, or composed from them). */
export const isSuiteProfile = (p: CompatProfile): boolean => p.name === 'suite' || p.name === 'suite-rdo';

/** The fields of a profile, with the values each accepts (`undefined` allowed where optional). */
const FIELDS: Record<Exclude<keyof CompatProfile, 'name'>, { ok: (v: unknown) => boolean; optional: boolean; says: string }> = {
  deliverOnly: { ok: (v) => typeof v === 'boolean', optional: false, says: 'a boolean' },
  listenFields: { ok: (v) => v === 2 || v === 3, optional: false, says: '2 or 3' },
  gcLabels: { ok: (v) => v === 'plural' || v === 'singular', optional: false, says: '"plural" or "singular"' },
  gcBatch: { ok: (v) => typeof v === 'boolean', optional: false, says: 'a boolean' },
  errorForm: { ok: (v) => v === 'string' || v === 'desc:error' || v === 'rich' || v === 'mystery', optional: false, says: '"string", "desc:error", "rich" or "mystery"' },
  structOrder: { ok: (v) => v === 'canonical' || v === 'js', optional: true, says: '"canonical" or "js"' },
  negativeZero: { ok: (v) => v === 'keep' || v === 'zero', optional: true, says: '"keep" or "zero"' },
  crypto: { ok: (v) => v === 'legacy-2025' || v === 'spec-2026-09', optional: true, says: '"legacy-2025" or "spec-2026-09"' },
};

/** The first thing wrong with `p` as a profile object, or `undefined`. */
function profileProblem(p: Record<string, unknown>): string | undefined {
  for (const [key, f] of Object.entries(FIELDS)) {
    const v = p[key];
    if (v === undefined ? !f.optional : !f.ok(v)) return `${key} must be ${f.says}, got ${String(v)}`;
  }
  return undefined;
}

/**
 * Resolve a profile name or object. `undefined` is `'auto'`.
 * @throws TypeError for an unknown name or a malformed profile object.
 */
export function resolveProfile(p: ProfileChoice | undefined): CompatProfile {
  if (p === undefined) return AUTO;
  if (typeof p === 'string') {
    if (!Object.hasOwn(PROFILES, p)) throw new TypeError(`unknown compatibility profile "${p}" (${Object.keys(PROFILES).join(', ')})`);
    return PROFILES[p];
  }
  const problem = typeof p === 'object' && p !== null ? profileProblem(p as unknown as Record<string, unknown>) : 'not an object';
  if (problem !== undefined) {
    throw new TypeError(`a compatibility profile must be one of ${Object.keys(PROFILES).join(', ')} or a CompatProfile object: ${problem}`);
  }
  return p;
}

/**
 * A fixed profile made of `base` (a name or a profile) with some fields replaced, e.g.
 * `composeProfile('goblins', { gcLabels: 'singular' })`. It keeps the base's name. The result
 * is frozen and, like every explicit profile, never changes during a session.
 * @throws TypeError for an unknown base, `'auto'` as the base (it is not a fixed set of
 *   forms), an unknown field in `overrides`, or a field value out of range.
 */
export function composeProfile(base: ProfileChoice, overrides: Partial<Omit<CompatProfile, 'name'>>): CompatProfile {
  const b = resolveProfile(base);
  if (b === AUTO) throw new TypeError('composeProfile: "auto" is not a fixed profile; start from goblins, endo, suite or suite-rdo');
  if (typeof overrides !== 'object' || overrides === null) throw new TypeError('composeProfile: overrides must be an object');
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(FIELDS, key)) throw new TypeError(`composeProfile: unknown profile field "${key}" (${Object.keys(FIELDS).join(', ')})`);
  }
  const out = { ...b, ...overrides, name: b.name };
  const problem = profileProblem(out as unknown as Record<string, unknown>);
  if (problem !== undefined) throw new TypeError(`composeProfile: ${problem}`);
  return Object.freeze(out);
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
