#!/usr/bin/env node
/**
 * The `ocapn` command line:
 *   ocapn test-peer [--host 127.0.0.1] [--port N] [--designator D] [--profile suite|goblins|endo] [--framing raw|netstring|syrup-frame] [--wire]
 *   ocapn call <sturdyref-uri> <method> [args…] [--profile P] [--wire]
 * A failure prints one line on stderr and exits non-zero.
 * @module
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OcapnNode } from '../node/node.js';
import { E } from '../captp/eventual-send.js';
import { listenTcpTestingOnly, createTcpTestingOnlyDialer, type Framing } from '../netlayers/tcp-testing-only/index.js';
import { formatPeerUri, parseSturdyRefUri } from '../locator/index.js';
import { toNotation } from '../syrup/index.js';
import type { WireEvent } from '../captp/session.js';
import { registerTestObjects } from './test-objects.js';
import { formatValue, parseArg } from './format.js';

const USAGE = `usage:
  ocapn test-peer [--host 127.0.0.1] [--port N] [--designator D] [--profile suite|goblins|endo] [--framing raw|netstring|syrup-frame] [--gc-interval ms] [--wire]
  ocapn call <sturdyref-uri> <method> [args…] [--profile goblins|endo|suite] [--swiss-encoding base64url|raw] [--wire]`;

class UsageError extends Error {}

/** A function that runs a full V8 garbage collection (so FinalizationRegistry callbacks follow). */
function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function wirePrinter(enabled: boolean) {
  if (!enabled) return undefined;
  return (e: WireEvent) => {
    const who = e.session.peerLocation ? e.session.peerLocation.designator.slice(0, 12) : '?';
    process.stderr.write(`${e.direction === 'out' ? '>>' : '<<'} ${who} ${toNotation(e.message)}\n`);
  };
}

function profileOf(v: string | undefined, fallback: 'suite' | 'goblins'): 'suite' | 'goblins' | 'endo' {
  const p = v ?? fallback;
  if (p !== 'suite' && p !== 'goblins' && p !== 'endo') throw new UsageError(`--profile must be suite, goblins or endo, got "${p}"`);
  return p;
}

async function testPeer(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      designator: { type: 'string' },
      profile: { type: 'string' },
      framing: { type: 'string', default: 'raw' },
      wire: { type: 'boolean', default: false },
      'gc-interval': { type: 'string', default: '250' },
    },
  });
  const gcInterval = Number(values['gc-interval']);
  if (!Number.isInteger(gcInterval) || gcInterval < 0) throw new UsageError(`--gc-interval must be an integer ≥ 0 (ms), got "${values['gc-interval']}"`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got "${values.port}"`);
  const netlayer = await listenTcpTestingOnly({
    host: values.host,
    port,
    designator: values.designator,
    framing: values.framing as Framing,
  });
  // The suite's main branch speaks op:deliver-only and singular GC labels (notes §15).
  const node = new OcapnNode({ netlayers: [netlayer], profile: profileOf(values.profile, 'suite'), tap: wirePrinter(values.wire!) });
  registerTestObjects(node);
  // Imports are released when V8 collects their presences; an idle process may not collect for
  // a long time, and the suite's GC tests wait only seconds. Collect periodically (0 = never).
  if (gcInterval > 0) setInterval(forceGc(), gcInterval).unref();
  process.stdout.write(`${formatPeerUri(netlayer.location)}\n`);
  const stop = () => {
    node.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function call(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      profile: { type: 'string' },
      'swiss-encoding': { type: 'string', default: 'base64url' },
      wire: { type: 'boolean', default: false },
    },
  });
  const [uri, method, ...args] = positionals;
  if (!uri || !method) throw new UsageError('call needs <sturdyref-uri> <method> [args…]');
  const enc = values['swiss-encoding'];
  if (enc !== 'base64url' && enc !== 'raw') throw new UsageError('--swiss-encoding must be base64url or raw');
  const ref = parseSturdyRefUri(uri, { swissEncoding: enc });
  const netlayer = createTcpTestingOnlyDialer();
  const node = new OcapnNode({ netlayers: [netlayer], profile: profileOf(values.profile, 'goblins'), tap: wirePrinter(values.wire!) });
  try {
    const target = await node.enliven(ref);
    const result = await (E(target as Record<string, (...a: unknown[]) => unknown>) as Record<string, (...a: unknown[]) => Promise<unknown>>)[method](...args.map(parseArg));
    process.stdout.write(`${formatValue(result)}\n`);
  } finally {
    await node.close('done');
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'test-peer') return testPeer(rest);
  if (command === 'call') return call(rest);
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`ocapn: ${msg.split('\n')[0]}\n`);
  if (e instanceof UsageError) process.stderr.write(`${USAGE}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
