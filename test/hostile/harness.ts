/**
 * Shared bench for the hostile-peer tests: one node under attack, one healthy client node
 * with a live session to it, byte-level attackers (RawPeer), and a process-level watch for
 * unhandled rejections and uncaught exceptions.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { composeProfile, OcapnNode, E, MemoryNetwork, type NodeOptions } from '../../src/index.js';
import { SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import type { Netlayer } from '../../src/netlayers/interface.js';
import { randomBytes } from '../../src/crypto/index.js';

export { RawPeer, rec, sym };

/** Bytes of an ASCII string. */
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Bytes from hex. */
export const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

/** The swiss number of the served object on every bench. */
export const SWISS = 'hostile-echo';

/** The object every bench node serves: echo, a throwing method, and a counter. */
export function servedObject() {
  let calls = 0n;
  return {
    echo: (...args: unknown[]) => args,
    boom: () => {
      throw new Error('kaboom');
    },
    rejectLater: () => Promise.reject(new Error('later kaboom')),
    count: () => ++calls,
    /** A fresh function each call: every answer exports one more reference. */
    makeFn: () => () => 'fresh',
  };
}

/**
 * Record every `unhandledRejection` / `uncaughtException` in this test file, and assert after
 * each test (once pending macrotasks have run) that none happened. Call at the top of a file.
 */
export function watchProcessFaults(): { faults: unknown[] } {
  const faults: unknown[] = [];
  const onRejection = (reason: unknown) => faults.push(['unhandledRejection', reason]);
  const onException = (err: unknown) => faults.push(['uncaughtException', err]);
  beforeAll(() => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterEach(async () => {
    await settle();
    expect(faults).toEqual([]);
  });
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  });
  return { faults };
}

/** Let microtasks, immediates and short timers run (unhandled rejections surface then). */
export async function settle(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
  }
}

let designatorCounter = 0;
/** A fresh designator (sessions are one per peer, so every attacker needs its own). */
export const freshName = (prefix = 'attacker'): string => `${prefix}-${++designatorCounter}`;

/** The start of an op:deliver: `<op:deliver to args answer-pos resolve-me>`. */
export function deliver(to: SyrupValue, args: SyrupValue[], answerPos: bigint | false, resolver: bigint | false): SyrupRecord {
  return rec('op:deliver', to, args, answerPos, resolver === false ? false : rec('desc:import-object', resolver));
}
export const exportDesc = (n: bigint | number): SyrupRecord => rec('desc:export', BigInt(n));
export const answerDesc = (n: bigint | number): SyrupRecord => rec('desc:answer', BigInt(n));

/** A node under attack plus a healthy client node with a live session and a fetched reference. */
export class Bench {
  private constructor(
    readonly net: MemoryNetwork,
    readonly node: OcapnNode,
    readonly client: OcapnNode,
    readonly healthyRef: unknown,
  ) {}

  /** Start a bench; `options` go to the attacked node (limits, profile…). */
  static async start(options: Partial<NodeOptions> = {}): Promise<Bench> {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ profile: composeProfile('goblins', { errorForm: 'mystery' }), ...options, netlayers: [net.netlayer(freshName('node'))] });
    const uri = node.sturdyRefUri(servedObject(), SWISS);
    const client = new OcapnNode({ netlayers: [net.netlayer(freshName('healthy'))] });
    const healthyRef = await client.enliven(uri);
    // One call before any abuse, so the session is demonstrably live.
    expect(await (E(healthyRef as any) as any).echo(1n)).toEqual([1n]);
    return new Bench(net, node, client, healthyRef);
  }

  /** A byte-level attacker dialled into the node, handshake done. */
  async attacker(handshake = true): Promise<RawPeer> {
    const peer = await RawPeer.dial(this.net.netlayer(freshName()), this.node.location, randomBytes(32));
    if (handshake) await peer.handshake();
    return peer;
  }

  /** Dial the attacker's netlayer as `netlayer` (e.g. to reuse a designator). */
  async attackerOn(netlayer: Netlayer, handshake = true): Promise<RawPeer> {
    const peer = await RawPeer.dial(netlayer, this.node.location, randomBytes(32));
    if (handshake) await peer.handshake();
    return peer;
  }

  /**
   * Fetch the served object as `peer` (answer position `answerPos`, resolver import
   * `answerPos + 1000`): returns the export position the node gave it.
   */
  static async fetchServed(peer: RawPeer, answerPos = 0n): Promise<bigint> {
    peer.send(deliver(exportDesc(0), [sym('fetch'), ascii(SWISS)], answerPos, answerPos + 1000n));
    const m = await peer.nextNonGc();
    expect(m.labelName).toBe('op:deliver');
    const [, args] = m.fields as [SyrupValue, SyrupValue[]];
    expect((args[0] as { name: string }).name).toBe('fulfill');
    return (args[1] as SyrupRecord).fields[0] as bigint;
  }

  /** The healthy session still serves: a round-trip call on it returns the right answer. */
  async assertHealthy(): Promise<void> {
    const token = `still alive ${Math.random()}`;
    expect(await (E(this.healthyRef as any) as any).echo(token, 7n)).toEqual([token, 7n]);
    expect(this.client.sessions.length).toBe(1);
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.node.close();
  }
}

/**
 * Read messages until `<op:abort reason>` (skipping anything else the node sent first) and
 * return the reason. Fails if the connection closes without one.
 */
export async function expectAbort(peer: RawPeer, ms = 2000): Promise<string> {
  for (;;) {
    const m = await peer.next(ms);
    if (m.labelName === 'op:abort') {
      expect(m.fields.length).toBe(1);
      expect(typeof m.fields[0]).toBe('string');
      return m.fields[0] as string;
    }
  }
}

/**
 * The whole check for one piece of abuse on a fresh attacker: (a) op:abort whose reason
 * matches `reason`, (b) the connection closes, (c) the healthy session keeps working.
 * (d), no unhandled rejection, is checked by {@link watchProcessFaults} after each test.
 */
export async function assertAborts(bench: Bench, peer: RawPeer, reason: RegExp): Promise<string> {
  const got = await expectAbort(peer);
  expect(got).toMatch(reason);
  expect(await peer.waitClosed()).toBe(true);
  await bench.assertHealthy();
  return got;
}
