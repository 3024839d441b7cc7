/**
 * Three Linux network namespaces joined by veth links, for tests of real network failures
 * (test/failures/netns.test.ts). Needs root and iproute2; {@link netnsUnavailable} says why
 * not otherwise.
 *
 * Topology (one /30 per link, names inside each namespace):
 *
 *     a ──ab═ba── b        a–b  10.200.1.0/30  (a .1, b .2)
 *     │          │         b–c  10.200.2.0/30  (b .1, c .2)
 *     ac        bc         a–c  10.200.3.0/30  (a .1, c .2)
 *     ║          ║
 *     ca ══ c ══ cb
 *
 * Each namespace also has a home address on its loopback (a 10.200.0.1, b .2, c .3), where
 * its node listens, and a host route to each other home address over the direct link. So
 * traffic between two nodes always takes their own link, and `linkDown` on one veth end cuts
 * exactly that pair: the sockets stay open (no FIN, no RST), packets are dropped.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export type Side = 'a' | 'b' | 'c';

/** Home address of each namespace's node. */
export const HOME: Readonly<Record<Side, string>> = { a: '10.200.0.1', b: '10.200.0.2', c: '10.200.0.3' };

/** The links: [side, device, address, peer side, peer device, peer address]. */
const LINKS: ReadonlyArray<readonly [Side, string, string, Side, string, string]> = [
  ['a', 'ab', '10.200.1.1', 'b', 'ba', '10.200.1.2'],
  ['b', 'bc', '10.200.2.1', 'c', 'cb', '10.200.2.2'],
  ['a', 'ac', '10.200.3.1', 'c', 'ca', '10.200.3.2'],
];

/** Why these tests cannot run here, or undefined if they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (CI runs as root)';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error) return `iproute2's "ip" is not available (${probe.error.message}); .ci/run installs it`;
  if (probe.status !== 0) return `"ip netns list" failed: ${probe.stderr.trim()}`;
  return undefined;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The three namespaces of one test run (names unique per process). */
export class Triangle {
  readonly names: Readonly<Record<Side, string>>;
  private created: string[] = [];

  constructor(tag = `${process.pid}`) {
    this.names = { a: `ocapn-${tag}-a`, b: `ocapn-${tag}-b`, c: `ocapn-${tag}-c` };
  }

  /** Create the namespaces, links, addresses and routes. Cleans up what it made if it fails. */
  setup(): void {
    try {
      for (const side of ['a', 'b', 'c'] as const) {
        ip(['netns', 'add', this.names[side]]);
        this.created.push(this.names[side]);
        ip(['-n', this.names[side], 'link', 'set', 'lo', 'up']);
        ip(['-n', this.names[side], 'addr', 'add', `${HOME[side]}/32`, 'dev', 'lo']);
      }
      for (const [s1, d1, a1, s2, d2, a2] of LINKS) {
        ip(['link', 'add', d1, 'netns', this.names[s1], 'type', 'veth', 'peer', 'name', d2, 'netns', this.names[s2]]);
        ip(['-n', this.names[s1], 'addr', 'add', `${a1}/30`, 'dev', d1]);
        ip(['-n', this.names[s2], 'addr', 'add', `${a2}/30`, 'dev', d2]);
        ip(['-n', this.names[s1], 'link', 'set', d1, 'up']);
        ip(['-n', this.names[s2], 'link', 'set', d2, 'up']);
      }
      this.routes();
    } catch (e) {
      this.cleanup();
      throw e;
    }
  }

  /** (Re)install the host routes to the other home addresses (a device going down drops its routes). */
  private routes(): void {
    for (const [s1, d1, a1, s2, d2, a2] of LINKS) {
      ip(['-n', this.names[s1], 'route', 'replace', `${HOME[s2]}/32`, 'via', a2, 'dev', d1]);
      ip(['-n', this.names[s2], 'route', 'replace', `${HOME[s1]}/32`, 'via', a1, 'dev', d2]);
    }
  }

  /** The command line that runs `argv` inside `side`'s namespace. */
  exec(side: Side, argv: string[]): string[] {
    return ['ip', 'netns', 'exec', this.names[side], ...argv];
  }

  /** Take device `dev` of `side` down: its link stops carrying packets both ways. */
  linkDown(side: Side, dev: string): void {
    ip(['-n', this.names[side], 'link', 'set', dev, 'down']);
  }

  /** Bring device `dev` of `side` back up and restore the routes over it. */
  linkUp(side: Side, dev: string): void {
    ip(['-n', this.names[side], 'link', 'set', dev, 'up']);
    this.routes();
  }

  /** Delete the namespaces (and with them their veth links). Never throws; idempotent. */
  cleanup(): void {
    for (const name of this.created.splice(0)) spawnSync('ip', ['netns', 'del', name]);
  }
}
