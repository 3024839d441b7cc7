/**
 * Compatibility profiles on the command line (developer-experience and interop issues):
 * `--profile NAME` picks a preset (any name `resolveProfile` knows: goblins, endo, suite, …;
 * names are passed through, so new presets need no CLI change) and one switch per
 * {@link CompatProfile} field overrides that field alone, e.g.
 * `--profile goblins --gc-labels singular`.
 * @module
 */
import { resolveProfile, type CompatProfile } from '../captp/profile.js';
import { UsageError } from './netlayers.js';

/** What the node options accept as `profile`: a preset name or a profile object. */
export type ProfileArg = string | CompatProfile;

/** One switch that sets one profile field. */
interface FieldSwitch {
  readonly field: keyof CompatProfile;
  /** The values it takes (string switches); absent for a boolean switch (`--x` / `--no-x`). */
  readonly values?: readonly string[];
  /** Value text → field value (default: the text itself). */
  readonly convert?: (text: string) => unknown;
  readonly help: string;
}

/** The switches, by option name (the table `parseArgs` options and the help text come from). */
export const PROFILE_SWITCHES: Readonly<Record<string, FieldSwitch>> = Object.freeze({
  'deliver-only': { field: 'deliverOnly', help: 'fire-and-forget calls as op:deliver-only (--no-deliver-only: op:deliver with no answer)' },
  'listen-fields': { field: 'listenFields', values: ['2', '3'], convert: Number, help: 'fields of op:listen: 3 (with wants-partial?) or 2 (spec HEAD)' },
  'gc-labels': { field: 'gcLabels', values: ['singular', 'plural'], help: 'op:gc-export/op:gc-answer (singular) or op:gc-exports/op:gc-answers (plural)' },
  'gc-batch': { field: 'gcBatch', help: 'several positions in one GC message (--no-gc-batch: one per message)' },
  'error-form': { field: 'errorForm', values: ['desc:error', 'mystery', 'string'], help: 'how our errors are written in break reasons' },
  'struct-order': { field: 'structOrder', values: ['canonical', 'js'], help: 'Struct key order we write: canonical Syrup, or JS string order (Endo)' },
});

/** `parseArgs` options for `--profile` and every switch. */
export const PROFILE_OPTIONS = Object.freeze({
  profile: { type: 'string' },
  ...Object.fromEntries(Object.entries(PROFILE_SWITCHES).map(([name, s]) => [name, { type: s.values ? 'string' : 'boolean' }])),
} as Record<string, { type: 'string' | 'boolean' }>);

/** Help lines for the profile options. */
export function profileHelp(defaultName: string): string {
  const lines = [`  --profile NAME            compatibility preset: goblins, endo, suite, suite-rdo, auto, … (default ${defaultName})`];
  for (const [name, s] of Object.entries(PROFILE_SWITCHES)) {
    const flag = s.values ? `--${name} ${s.values.join('|')}` : `--[no-]${name}`;
    lines.push(flag.length < 26 ? `  ${flag.padEnd(26)}${s.help}` : `  ${flag}\n${' '.repeat(28)}${s.help}`);
  }
  return lines.join('\n');
}

/**
 * The profile that `values` (from `parseArgs` with {@link PROFILE_OPTIONS}) ask for: the
 * preset name alone when no switch is given (passed through unchanged), else the preset's
 * fields with the switches' fields over them.
 * @param values parsed options; `profile` and the switch names are read.
 * @param defaultName the preset when `--profile` is absent.
 * @throws UsageError for a switch value outside its list, an unknown preset name when a
 *   switch needs its fields, or a combination `resolveProfile` refuses.
 */
export function profileFromArgs(values: Readonly<Record<string, unknown>>, defaultName: string): ProfileArg {
  const name = typeof values.profile === 'string' ? values.profile : defaultName;
  const overrides: Record<string, unknown> = {};
  for (const [option, s] of Object.entries(PROFILE_SWITCHES)) {
    const v = values[option];
    if (v === undefined) continue;
    if (s.values) {
      if (typeof v !== 'string' || !s.values.includes(v)) throw new UsageError(`--${option} must be ${s.values.join(' or ')}, got "${String(v)}"`);
      overrides[s.field] = s.convert ? s.convert(v) : v;
    } else {
      overrides[s.field] = v === true;
    }
  }
  if (Object.keys(overrides).length === 0) return name;
  try {
    const base = resolveProfile(name as Parameters<typeof resolveProfile>[0]);
    return resolveProfile({ ...base, ...overrides } as CompatProfile);
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(`--profile ${name} with ${Object.keys(overrides).join(', ')}: ${e.message}`);
    throw e;
  }
}
