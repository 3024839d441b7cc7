#!/usr/bin/env node
/**
 * The `ocapn` command line:
 *   ocapn test-peer [--netlayer T]… [--host 127.0.0.1] [--port N]… [--key-file F] [--tor-control ADDR] [--tor-socks ADDR]
 *                   [--designator D] [--profile suite|goblins|endo] [--framing raw|netstring|syrup-frame] [--wire]
 *   ocapn call <sturdyref-uri> <method> [args…] [--tor-socks ADDR] [--profile P] [--wire]
 * `test-peer` prints, one per line: the peer URI of its first netlayer; `PEER <transport> <uri>`
 * per netlayer; `STURDYREF <transport> <name> <uri>` per netlayer and test object; `READY`.
 * The key file is described in ./netlayers.ts. A failure prints one line on stderr and exits
 * non-zero (2 for a usage error).
 * @module
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OcapnNode } from '../node/node.js';
import { E } from '../captp/eventual-send.js';
import { FRAMINGS, type Framing } from '../netlayers/stream/index.js';
import { formatPeerUri, formatSturdyRefUri, parseSturdyRefUri } from '../locator/index.js';
import { toNotation } from '../syrup/index.js';
import type { WireEvent } from '../captp/session.js';
import { TEST_OBJECT_NAMES, TEST_SWISS, registerTestObjects } from './test-objects.js';
import { formatValue, parseArg } from './format.js';
import { UsageError, checkPorts, checkTransports, dialerFor, parseEndpoint, serveNetlayers } from './netlayers.js';

const USAGE = `usage:
  ocapn test-peer [--netlayer tcp-testing-only|websocket|onion|tcp-tls]… [--host 127.0.0.1] [--port N]…
                  [--key-file F] [--tor-control host:port|unix:/path] [--tor-socks host:port|unix:/path]
                  [--designator D] [--profile suite|goblins|endo] [--framing raw|netstring|syrup-frame] [--gc-interval ms] [--wire]
  ocapn call <sturdyref-uri> <method> [args…] [--tor-socks ADDR] [--profile goblins|endo|suite] [--swiss-encoding base64url|raw] [--wire]`;

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
      netlayer: { type: 'string', multiple: true },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', multiple: true },
      'key-file': { type: 'string' },
      'tor-control': { type: 'string' },
      'tor-socks': { type: 'string' },
      designator: { type: 'string' },
      profile: { type: 'string' },
      framing: { type: 'string' },
      wire: { type: 'boolean', default: false },
      'gc-interval': { type: 'string', default: '250' },
    },
  });
  const gcInterval = Number(values['gc-interval']);
  if (!Number.isInteger(gcInterval) || gcInterval < 0) throw new UsageError(`--gc-interval must be an integer ≥ 0 (ms), got "${values['gc-interval']}"`);
  const transports = checkTransports(values.netlayer);
  const framing = values.framing;
  if (framing !== undefined && !(FRAMINGS as readonly string[]).includes(framing)) throw new UsageError(`--framing must be one of ${FRAMINGS.join(', ')}, got "${framing}"`);
  const netlayers = await serveNetlayers({
    transports,
    host: values.host!,
    ports: checkPorts(values.port, transports.length),
    designator: values.designator,
    framing: framing as Framing | undefined,
    torControl: parseEndpoint(values['tor-control'], '--tor-control'),
    torSocks: parseEndpoint(values['tor-socks'], '--tor-socks'),
    keyFile: values['key-file'],
  });
  // No --profile: 'auto', each peer's forms chosen from what it sends (docs/captp.md).
  const node = new OcapnNode({ netlayers, profile: values.profile === undefined ? 'auto' : profileOf(values.profile, 'suite'), tap: wirePrinter(values.wire!) });
  registerTestObjects(node);
  // Imports are released when V8 collects their presences; an idle process may not collect for
  // a long time, and the suite's GC tests wait only seconds. Collect periodically (0 = never).
  if (gcInterval > 0) setInterval(forceGc(), gcInterval).unref();
  const lines = [formatPeerUri(netlayers[0]!.location)];
  for (const n of netlayers) lines.push(`PEER ${n.transport} ${formatPeerUri(n.location)}`);
  const ascii = new TextEncoder();
  for (const n of netlayers) {
    for (const [key, name] of Object.entries(TEST_OBJECT_NAMES)) {
      const swiss = ascii.encode(TEST_SWISS[key as keyof typeof TEST_SWISS]);
      lines.push(`STURDYREF ${n.transport} ${name} ${formatSturdyRefUri({ peer: n.location, swiss })}`);
    }
  }
  // Every netlayer resolved only once reachable (an onion service once its descriptor is up).
  lines.push('READY');
  process.stdout.write(`${lines.join('\n')}\n`);
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
      'tor-socks': { type: 'string' },
      wire: { type: 'boolean', default: false },
    },
  });
  const [uri, method, ...args] = positionals;
  if (!uri || !method) throw new UsageError('call needs <sturdyref-uri> <method> [args…]');
  const enc = values['swiss-encoding'];
  if (enc !== 'base64url' && enc !== 'raw') throw new UsageError('--swiss-encoding must be base64url or raw');
  const ref = parseSturdyRefUri(uri, { swissEncoding: enc });
  const netlayer = await dialerFor(ref.peer.transport, parseEndpoint(values['tor-socks'], '--tor-socks'));
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
