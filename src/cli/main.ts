#!/usr/bin/env node
/**
 * The `ocapn` command line. Commands are entries of {@link COMMANDS}; each has its own help
 * (`ocapn help NAME`, `ocapn NAME --help`). A failure prints one line on stderr and exits 1;
 * a bad command line prints one line and exits 2. See docs/cli.md.
 * @module
 */
import { callCommand } from './call.js';
import { formatValue } from './format.js';
import { printable } from '../captp/trace-format.js';
import type { Command } from './command.js';
import { UsageError } from './netlayers.js';
import { testPeerCommand } from './test-peer.js';
import { traceCommand } from './trace.js';

/** The preset when `--profile` is absent: a name, or one name per command. */
const DEFAULT_PROFILE: string | Readonly<Record<string, string>> = 'auto';

const defaultProfile = (command: string): string => {
  const d: unknown = DEFAULT_PROFILE;
  return typeof d === 'string' ? d : ((d as Record<string, string>)[command] ?? 'goblins');
};

/** Every command, in the order `ocapn --help` lists them. Add a command here. */
const COMMANDS: readonly Command[] = [testPeerCommand(defaultProfile('test-peer')), callCommand(defaultProfile('call')), traceCommand];

const commandNamed = (name: string | undefined) => COMMANDS.find((c) => c.name === name);

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: ocapn <command> [options] [arguments]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'ocapn help <command> or ocapn <command> --help shows the options of a command (docs/cli.md).',
  ].join('\n');
}

/** `-h`/`--help` among a command's arguments, before any `--`. */
function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

let current: Command | undefined;

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined) throw new UsageError('no command given');
  if (name === '--help' || name === '-h') return void process.stdout.write(`${overview()}\n`);
  if (name === 'help') {
    if (rest.length === 0) return void process.stdout.write(`${overview()}\n`);
    const c = commandNamed(rest[0]);
    if (!c) throw new UsageError(`no command "${rest[0]}"`);
    return void process.stdout.write(`${c.usage}\n`);
  }
  current = commandNamed(name);
  if (!current) throw new UsageError(`unknown command "${name}"`);
  if (wantsHelp(rest)) return void process.stdout.write(`${current.usage}\n`);
  await current.run(rest);
}

/**
 * The first line of why the command failed, printable: the error may come from a peer (a
 * break reason: any value, any text), so control characters are escaped and nothing of it
 * is trusted to convert itself to a string.
 */
function failureText(e: unknown): string {
  let text: string;
  try {
    text = e instanceof Error ? String(e.message) : typeof e === 'string' ? e : formatValue(e);
  } catch {
    text = 'failed (the error could not be printed)';
  }
  return printable(text.split('\n')[0]!);
}

main().catch((e: unknown) => {
  const msg = failureText(e);
  if (e instanceof UsageError) {
    process.stderr.write(`ocapn: ${msg} (see ocapn ${current ? `${current.name} ` : ''}--help)\n`);
    process.exit(2);
  }
  process.stderr.write(`ocapn: ${msg}\n`);
  process.exit(1);
});
