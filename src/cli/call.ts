/**
 * `ocapn call <sturdyref-uri> [method] [args…]`: enlivens a sturdyref, sends one call and
 * prints the result in the readable notation (./format.ts). With no method name the target
 * is called as a procedure (`op:deliver` args with no selector first).
 * @module
 */
import { E } from '../captp/eventual-send.js';
import { parseSturdyRefUri } from '../locator/index.js';
import { parseNotation } from '../syrup/notation-parse.js';
import type { Command } from './command.js';
import { parseCommandLine } from './command.js';
import { formatValue, parseArg } from './format.js';
import { printable } from '../captp/trace-format.js';
import { makeNode, wirePrinter } from './node.js';
import { UsageError, dialerFor, parseEndpoint } from './netlayers.js';
import { PROFILE_OPTIONS, profileFromArgs, profileHelp } from './profile-args.js';

/** Characters of a method name written bare (the notation's simple Symbol characters). */
const METHOD_WORD = /^[A-Za-z0-9_:.!?*+/=-]+$/;

/** Whether the word after the URI is a method name: a bare word that is not a value (`t`, `42`). */
function isMethodName(word: string): boolean {
  if (!METHOD_WORD.test(word)) return false;
  try {
    parseNotation(word);
    return false;
  } catch {
    return true;
  }
}

type Callable = ((...args: unknown[]) => Promise<unknown>) & Record<string, (...args: unknown[]) => Promise<unknown>>;

/** The `call` command; `defaultProfile` is used when `--profile` is absent. */
export function callCommand(defaultProfile: string): Command {
  return {
    name: 'call',
    summary: 'call a method (or a procedure) of the object a sturdyref URI names and print the result',
    usage: `usage: ocapn call [options] <sturdyref-uri> [method] [args…]
Connects to the peer the URI names (tcp-testing-only, websocket, tcp-tls, or onion with
--tor-socks), sends one call and prints the result on one line. The word after the URI is
the method name when it is a bare word that is not a value (greet, get-name); otherwise, or
with no word at all, the object is called as a procedure. Arguments and result are written
in the value notation (docs/cli.md): 42  -7  1.5  -0.0  +inf  nan  "text"  'sym  t  f
b"bytes"  :00ff  [a b]  {"k": v}  <void>  <null>  <desc:tagged 'tag v>  <ocapn-sturdyref …>.
Quote them for the shell: ocapn call URI greet '"bob"'.
Exit status: 0 with the result on stdout; 1 if the call failed (one line on stderr); 2 for a
bad command line.

options:
  --method NAME             the method name, when it is not a bare word (then every word after the URI is an argument)
  --tor-socks ADDR          tor SOCKS port for an onion URI: host:port or unix:/path
  --swiss-encoding ENC      how the URI writes the swiss number: base64url (default) or raw
  --wire                    print every message sent (>>) and received (<<) on stderr
${profileHelp(defaultProfile)}
  -h, --help                this help`,
    async run(argv) {
      const { values, positionals } = parseCommandLine(
        argv,
        {
          method: { type: 'string' },
          'swiss-encoding': { type: 'string', default: 'base64url' },
          'tor-socks': { type: 'string' },
          wire: { type: 'boolean', default: false },
          ...PROFILE_OPTIONS,
        },
        true,
      );
      const [uri, ...rest] = positionals;
      if (!uri) throw new UsageError('call needs <sturdyref-uri> [method] [args…]');
      let method = values.method as string | undefined;
      if (method === undefined && rest.length > 0 && isMethodName(rest[0]!)) method = rest.shift();
      const args = rest.map((text, i) => parseArg(text, `argument ${i + 1}`));
      const enc = values['swiss-encoding'];
      if (enc !== 'base64url' && enc !== 'raw') throw new UsageError(`--swiss-encoding must be base64url or raw, got "${String(enc)}"`);
      const profile = profileFromArgs(values, defaultProfile);
      const ref = parseSturdyRefUri(uri, { swissEncoding: enc });
      const netlayer = await dialerFor(ref.peer.transport, parseEndpoint(values['tor-socks'] as string | undefined, '--tor-socks'));
      const node = await makeNode([netlayer], profile, wirePrinter(values.wire === true));
      try {
        const target = E(await node.enliven(ref)) as unknown as Callable;
        const result = method === undefined ? await target(...args) : await target[method]!(...args);
        process.stdout.write(`${printable(formatValue(result))}\n`);
      } finally {
        await node.close('done');
      }
    },
  };
}
