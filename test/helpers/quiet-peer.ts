/**
 * A node on the in-memory netlayer with one byte-level peer dialled into it, for the
 * liveness and deadline tests (test/failures): the node's view of the session (from its
 * `session-open` event), a presence for the peer's bootstrap object to ask questions of, the
 * node's wire (its `tap`), and ways for the raw peer to stay silent, answer probes, or answer
 * one call.
 */
import { composeProfile, OcapnNode, MemoryNetwork, type NodeOptions, type NodeEventMap, type WireEvent } from '../../src/index.js';
import { SyrupRecord, SyrupSymbol, type SyrupValue } from '../../src/syrup/index.js';
import { randomBytes } from '../../src/crypto/index.js';
import { RawPeer, rec, sym } from './raw-peer.js';

export { RawPeer, rec, sym };

let counter = 0;

/** What {@link quietPeerBench} returns. */
export interface QuietBench {
  readonly node: OcapnNode;
  readonly peer: RawPeer;
  /** The node's `session-open` event for the raw peer's session. */
  readonly open: NodeEventMap['session-open'];
  /** The node's presence for the raw peer's bootstrap object (`E(boot).m()` asks the peer). */
  readonly boot: object;
  /** Every message the node sent or received, in order. */
  readonly wire: WireEvent[];
  /** Every `session-close` event of the node. */
  readonly closes: Array<NodeEventMap['session-close']>;
  close(): Promise<void>;
}

/** Start a node with `options` and dial a raw peer into it (handshake done). */
export async function quietPeerBench(options: Partial<NodeOptions> = {}): Promise<QuietBench> {
  const net = new MemoryNetwork();
  const n = ++counter;
  const wire: WireEvent[] = [];
  const closes: Array<NodeEventMap['session-close']> = [];
  const node = new OcapnNode({ profile: composeProfile('goblins', { errorForm: 'mystery' }), ...options, netlayers: [net.netlayer(`quiet-node-${n}`)], tap: (e) => wire.push(e) });
  node.on('session-close', (e) => closes.push(e));
  const opened = new Promise<NodeEventMap['session-open']>((res) => node.on('session-open', res));
  const peer = await RawPeer.dial(net.netlayer(`quiet-peer-${n}`), node.location, randomBytes(32));
  await peer.handshake();
  const open = await opened;
  const boot = open.session.peerBootstrap();
  return { node, peer, open, boot, wire, closes, close: () => node.close() };
}

/** An op:deliver from the node, taken apart. */
export interface Delivery {
  readonly method: string | undefined;
  readonly args: SyrupValue[];
  readonly answerPos: bigint | false;
  /** The node's export position of the resolver (`resolve-me`), or undefined. */
  readonly resolver: bigint | undefined;
}

/** `m` as an op:deliver, or undefined for any other message. */
export function delivery(m: SyrupRecord): Delivery | undefined {
  if (m.labelName !== 'op:deliver') return undefined;
  const [, args, answerPos, resolveMe] = m.fields as [SyrupValue, SyrupValue[], bigint | false, SyrupValue];
  const method = args[0] instanceof SyrupSymbol ? args[0].name : undefined;
  const resolver = resolveMe instanceof SyrupRecord ? (resolveMe.fields[0] as bigint) : undefined;
  return { method, args, answerPos, resolver };
}

/** Whether `m` is a liveness probe: `fetch` on our bootstrap with 16 random bytes. */
export function isProbe(m: SyrupRecord): boolean {
  const d = delivery(m);
  return d !== undefined && d.method === 'fetch' && d.args[1] instanceof Uint8Array && d.args[1].length === 16 && d.resolver !== undefined;
}

/** Send the node's resolver at export `resolver` a fulfill or a break. */
export function settleResolver(peer: RawPeer, resolver: bigint, outcome: 'fulfill' | 'break', value: SyrupValue): void {
  peer.send(rec('op:deliver', rec('desc:export', resolver), [sym(outcome), value], false, false));
}

/**
 * Read everything the node sends to `peer` in the background: break every liveness probe at
 * once (as every implementation breaks a fetch of an unknown swiss number) and keep the rest.
 * `stop()` ends the loop.
 */
export function answerProbes(peer: RawPeer): { readonly probes: number; readonly others: SyrupRecord[]; stop(): void } {
  const state = { probes: 0, others: [] as SyrupRecord[], stopped: false, stop: () => void (state.stopped = true) };
  void (async () => {
    while (!state.stopped && !peer.closed) {
      let m: SyrupRecord;
      try {
        m = await peer.next(50);
      } catch {
        continue;
      }
      if (isProbe(m)) {
        state.probes++;
        settleResolver(peer, delivery(m)!.resolver!, 'break', 'no such object');
      } else state.others.push(m);
    }
  })();
  return state;
}

/** Resolve after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Milliseconds from now until `p` settles, and how it settled. */
export async function timed<T>(p: Promise<T>): Promise<{ ms: number; ok: boolean; value: unknown }> {
  const t0 = performance.now();
  try {
    const value = await p;
    return { ms: performance.now() - t0, ok: true, value };
  } catch (e) {
    return { ms: performance.now() - t0, ok: false, value: e };
  }
}
