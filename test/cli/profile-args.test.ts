/** `--profile NAME` and the per-field switches (src/cli/profile-args.ts), parsed as the CLI parses them. */
import { describe, expect, it } from 'vitest';
import { ENDO, GOBLINS, SUITE } from '../../src/captp/profile.js';
import { parseCommandLine } from '../../src/cli/command.js';
import { UsageError } from '../../src/cli/netlayers.js';
import { PROFILE_OPTIONS, profileFromArgs } from '../../src/cli/profile-args.js';

const profileOf = (argv: string[], fallback = 'goblins') => profileFromArgs(parseCommandLine(argv, PROFILE_OPTIONS, false).values, fallback);

describe('CLI profile options', () => {
  it('a preset name alone is passed through unchanged (new presets need no CLI change)', () => {
    expect(profileOf([])).toBe('goblins');
    expect(profileOf([], 'auto')).toBe('auto');
    for (const name of ['goblins', 'endo', 'suite', 'suite-rdo', 'auto', 'some-future-preset']) expect(profileOf(['--profile', name])).toBe(name);
  });

  it('each switch overrides its one field of the preset', () => {
    expect(profileOf(['--profile', 'goblins', '--gc-labels', 'singular'])).toEqual({ ...GOBLINS, gcLabels: 'singular' });
    expect(profileOf(['--profile', 'suite', '--no-deliver-only'])).toEqual({ ...SUITE, deliverOnly: false });
    expect(profileOf(['--deliver-only'])).toEqual({ ...GOBLINS, deliverOnly: true });
    expect(profileOf(['--listen-fields', '2'])).toEqual({ ...GOBLINS, listenFields: 2 });
    expect(profileOf(['--profile', 'endo', '--no-gc-batch'])).toEqual({ ...ENDO, gcBatch: false });
    expect(profileOf(['--gc-batch'])).toEqual({ ...GOBLINS, gcBatch: true });
    expect(profileOf(['--error-form', 'desc:error'])).toEqual({ ...GOBLINS, errorForm: 'desc:error' });
    expect(profileOf(['--profile', 'endo', '--struct-order', 'canonical'])).toEqual({ ...ENDO, structOrder: 'canonical' });
  });

  it("the suite's remove-op-deliver-only forms, from goblins and two switches", () => {
    expect(profileOf(['--profile', 'goblins', '--gc-labels', 'singular', '--error-form', 'desc:error'])).toMatchObject({
      deliverOnly: false,
      listenFields: 3,
      gcLabels: 'singular',
      gcBatch: false,
      errorForm: 'desc:error',
    });
  });

  it('the last of --x / --no-x wins', () => {
    expect(profileOf(['--deliver-only', '--no-deliver-only'])).toMatchObject({ deliverOnly: false });
    expect(profileOf(['--no-deliver-only', '--deliver-only'])).toMatchObject({ deliverOnly: true });
  });

  it('bad values are usage errors naming the switch', () => {
    const bad: [string[], RegExp][] = [
      [['--listen-fields', '4'], /--listen-fields must be 2 or 3, got "4"/],
      [['--gc-labels', 'both'], /--gc-labels must be singular or plural, got "both"/],
      [['--error-form', 'shout'], /--error-form must be desc:error or mystery or string/],
      [['--struct-order', 'random'], /--struct-order must be canonical or js/],
      [['--profile', 'nope', '--gc-batch'], /--profile nope with gcBatch: .*unknown compatibility profile "nope"/],
      [['--gc-labels'], /argument missing/],
    ];
    for (const [argv, message] of bad) {
      expect(() => profileOf(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => profileOf(argv), argv.join(' ')).toThrow(message);
    }
  });
});
