/**
 * `ocapn test-peer`: serves the official suite's test objects (./test-objects.ts) on one or
 * more netlayers and prints, one per line: the peer URI of its first netlayer;
 * `PEER <transport> <uri>` per netlayer; `STURDYREF <transport> <name> <uri>` per netlayer
 * and test object; `READY`. Runs until SIGINT or SIGTERM.
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatPeerUri, formatSturdyRefUri } from '../locator/index.js';
import { FRAMINGS, type Framing } from '../netlayers/stream/index.js';
import type { Command } from './command.js';
import { parseCommandLine } from './command.js';
import { makeNode, wirePrinter } from './node.js';
import { captureToDirectory } from '../capture-node.js';
import { tapAll } from '../captp/capture.js';
import { UsageError, checkPorts, checkTransports, parseEndpoint, serveNetlayers } from './netlayers.js';
import { PROFILE_OPTIONS, profileFromArgs, profileHelp } from './profile-args.js';
import { TEST_OBJECT_NAMES, TEST_SWISS, registerTestObjects } from './test-objects.js';

/** A function that runs a full V8 garbage collection (so FinalizationRegistry callbacks follow). */
function forceGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The `test-peer` command; `defaultProfile` is used when `--profile` is absent. */
export function testPeerCommand(defaultProfile: string): Command {
  return {
    name: 'test-peer',
    summary: "serve the OCapN test suite's objects and print their sturdyrefs",
    usage: `usage: ocapn test-peer [options]
Serves the test objects car-factory-builder, echo, greeter, promise-resolver and
sturdyref-enlivener. Prints the peer URI of the first netlayer, then "PEER <transport> <uri>"
per netlayer, "STURDYREF <transport> <name> <uri>" per netlayer and object, then "READY".
Runs until interrupted.

options:
  --netlayer NAME           tcp-testing-only (default), websocket, onion or tcp-tls; repeat to serve on several
  --host ADDR               address to listen on (default 127.0.0.1)
  --port N                  port, once per --netlayer in the same order (default: 0, any free port)
  --key-file FILE           keys that keep the URIs across restarts (JSON; created if missing, mode 0600)
  --designator D            tcp-testing-only designator (default: random)
  --tor-control ADDR        tor control port for onion: host:port or unix:/path
  --tor-socks ADDR          tor SOCKS port for onion: host:port or unix:/path
  --framing NAME            raw, netstring or syrup-frame (tcp-testing-only, tcp-tls, onion)
  --gc-interval MS          every MS ms, run a full garbage collection if a session holds imports, so they are released (default 250; 0 = never)
  --wire                    print every message sent (>>) and received (<<) on stderr
  --capture DIR             record every session's messages in DIR, one file per session (read them with ocapn trace)
${profileHelp(defaultProfile)}
  -h, --help                this help`,
    async run(argv) {
      const { values } = parseCommandLine(
        argv,
        {
          netlayer: { type: 'string', multiple: true },
          host: { type: 'string', default: '127.0.0.1' },
          port: { type: 'string', multiple: true },
          'key-file': { type: 'string' },
          'tor-control': { type: 'string' },
          'tor-socks': { type: 'string' },
          designator: { type: 'string' },
          framing: { type: 'string' },
          wire: { type: 'boolean', default: false },
          capture: { type: 'string' },
          'gc-interval': { type: 'string', default: '250' },
          ...PROFILE_OPTIONS,
        },
        false,
      );
      const gcInterval = Number(values['gc-interval']);
      if (!Number.isInteger(gcInterval) || gcInterval < 0) throw new UsageError(`--gc-interval must be an integer ≥ 0 (ms), got "${String(values['gc-interval'])}"`);
      const transports = checkTransports(values.netlayer as string[] | undefined);
      const framing = values.framing as string | undefined;
      if (framing !== undefined && !(FRAMINGS as readonly string[]).includes(framing)) throw new UsageError(`--framing must be one of ${FRAMINGS.join(', ')}, got "${framing}"`);
      const profile = profileFromArgs(values, defaultProfile);
      const netlayers = await serveNetlayers({
        transports,
        host: values.host as string,
        ports: checkPorts(values.port as string[] | undefined, transports.length),
        designator: values.designator as string | undefined,
        framing: framing as Framing | undefined,
        torControl: parseEndpoint(values['tor-control'] as string | undefined, '--tor-control'),
        torSocks: parseEndpoint(values['tor-socks'] as string | undefined, '--tor-socks'),
        keyFile: values['key-file'] as string | undefined,
      });
      const capture = values.capture === undefined ? undefined : captureToDirectory(values.capture as string);
      const node = await makeNode(netlayers, profile, tapAll(wirePrinter(values.wire === true), capture));
      registerTestObjects(node);
      // Imports are released when V8 collects their presences; an idle process may not collect for
      // a long time, and the suite's GC tests wait only seconds. Collect periodically (0 = never),
      // when some session holds an import a collection could release (not for resolvers only:
      // a full collection every 250 ms under load is a pause every 250 ms).
      if (gcInterval > 0) {
        const gc = forceGc();
        setInterval(() => {
          if (node.sessions.some((s) => s.imports.holdsObjects())) gc();
        }, gcInterval).unref();
      }
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
    },
  };
}
