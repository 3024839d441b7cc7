/**
 * The shape of an `ocapn` command, as listed in the command table of ./main.ts, and the
 * argument parsing every command shares.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './netlayers.js';

/** One `ocapn` command. */
export interface Command {
  /** What follows `ocapn` (`test-peer`). */
  readonly name: string;
  /** One line for `ocapn --help`. */
  readonly summary: string;
  /** The full help: synopsis, then one line per option (`ocapn help NAME`, `ocapn NAME --help`). */
  readonly usage: string;
  /** Runs the command with the arguments after its name; throws {@link UsageError} for a bad command line. */
  run(argv: string[]): Promise<void>;
}

/** A negative number given as an argument (`-7`, `-0.0`, `-inf`), not an option. */
const NEGATIVE = /^-(?:\d|inf$)/;
const ESCAPE = '\u0000';

/**
 * `parseArgs` (strict) with its errors turned into {@link UsageError}s, and negative numbers
 * kept as positionals (parseArgs would read `-7` as an option).
 */
export function parseCommandLine(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  allowPositionals: boolean,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  const escaped = argv.map((a) => (NEGATIVE.test(a) ? ESCAPE + a : a));
  let parsed;
  try {
    parsed = parseArgs({ args: escaped, options, allowPositionals, allowNegative: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(err.message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''));
    throw e;
  }
  const positionals = parsed.positionals.map((p) => (p.startsWith(ESCAPE) ? p.slice(1) : p));
  return { values: parsed.values as Record<string, string | boolean | string[] | undefined>, positionals };
}
