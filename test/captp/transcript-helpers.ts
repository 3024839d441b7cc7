/**
 * Shared set-up for the transcript tests: a real OcapnNode on a memory network and a
 * byte-level RawPeer (fixed RFC 8032 key 2) talking to it, plus small builders for the wire
 * messages the peer sends, written in the spec's terms.
 */
import { expect } from 'vitest';
import { OcapnNode, MemoryNetwork, type ProfileChoice } from '../../src/index.js';
import { encode, toNotation, type SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { keyPairFromSeed } from '../../src/crypto/index.js';
import type { CaptpSession } from '../../src/captp/session.js';
import { RawPeer, SEED2, rec, sym } from '../helpers/raw-peer.js';

export { rec, sym };

/** ASCII bytes (swiss numbers, gift ids). */
export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The readable notation of a message (as in the .txt transcripts). */
export const n = (v: SyrupValue): string => toNotation(v);

/** `<desc:export pos>` (something the node exported to us). */
export const exp = (pos: number): SyrupRecord => rec('desc:export', BigInt(pos));
/** `<desc:answer pos>` (an answer position we chose on the node). */
export const ans = (pos: number): SyrupRecord => rec('desc:answer', BigInt(pos));
/** `<desc:import-object pos>` (an object we export to the node, e.g. a resolver). */
export const imp = (pos: number): SyrupRecord => rec('desc:import-object', BigInt(pos));
/** `<desc:import-promise pos>`. */
export const impP = (pos: number): SyrupRecord => rec('desc:import-promise', BigInt(pos));

/** `<op:deliver to args answer-pos resolve-me>`; `false` for absent fields. */
export function deliver(to: SyrupRecord, args: SyrupValue[], answerPos: number | false, resolveMe: SyrupRecord | false): SyrupRecord {
  return rec('op:deliver', to, args, answerPos === false ? false : BigInt(answerPos), resolveMe);
}
/** `<op:deliver-only to args>` (the suite's fire-and-forget form). */
export const deliverOnly = (to: SyrupRecord, args: SyrupValue[]): SyrupRecord => rec('op:deliver-only', to, args);
/** `['fetch swiss]` to the bootstrap object. */
export const fetchArgs = (swiss: string): SyrupValue[] => [sym('fetch'), ascii(swiss)];

/** A node (on netlayer `node`) and a raw peer (on netlayer `raw`) on one memory network. */
export interface Rig {
  net: MemoryNetwork;
  node: OcapnNode;
  peer: RawPeer;
  /** The node's op:start-session. */
  hello: SyrupRecord;
  /** The node's session with the raw peer. */
  session: CaptpSession;
  close(): Promise<void>;
}

export interface RigOptions {
  /** Default `goblins` (the node's default before `auto`): these transcripts pin that profile's forms. */
  profile?: ProfileChoice;
  /** Register objects before the peer dials. */
  setup?: (node: OcapnNode) => void;
  /** Skip the handshake (start-session tests). */
  noHandshake?: boolean;
}

/** The peer dials the node and (by default) exchanges op:start-session. */
export async function rig(options: RigOptions = {}): Promise<Rig> {
  const net = new MemoryNetwork();
  const node = new OcapnNode({ netlayers: [net.netlayer('node')], profile: options.profile ?? 'goblins' });
  options.setup?.(node);
  const peer = await RawPeer.dial(net.netlayer('raw'), node.location);
  const hello = options.noHandshake ? (undefined as unknown as SyrupRecord) : await peer.handshake();
  const session = node.sessions[0];
  return { net, node, peer, hello, session, close: () => node.close() };
}

/** The node dials a raw peer (our node is the questioner). Resolves once both hellos crossed. */
export async function rigOutbound(options: RigOptions = {}): Promise<Rig> {
  const net = new MemoryNetwork();
  const rawLayer = net.netlayer('raw');
  let accepted!: (p: RawPeer) => void;
  const peerP = new Promise<RawPeer>((res) => (accepted = res));
  rawLayer.accept((conn) => accepted(new RawPeer(conn, keyPairFromSeed(SEED2), rawLayer.location)));
  const node = new OcapnNode({ netlayers: [net.netlayer('node')], profile: options.profile ?? 'goblins' });
  options.setup?.(node);
  const sessionP = node.connect(rawLayer.location);
  const peer = await peerP;
  const hello = await peer.handshake();
  const session = await sessionP;
  return { net, node, peer, hello, session, close: () => node.close() };
}

/** Assert the next message (GC included) has exactly this notation. */
export async function expectNext(peer: RawPeer, notation: string): Promise<SyrupRecord> {
  const m = await peer.next();
  expect(n(m)).toBe(notation);
  return m;
}

/** Assert the next non-GC message has exactly this notation. */
export async function expectNextNonGc(peer: RawPeer, notation: string): Promise<SyrupRecord> {
  const m = await peer.nextNonGc();
  expect(n(m)).toBe(notation);
  return m;
}

/** Let queued microtasks and a few macrotasks run (delivery on the memory network is async). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Fetch `swiss` from the node's bootstrap as `answerPos`/`resolverPos`; returns the export position it fulfils with. */
export async function fetchObject(peer: RawPeer, swiss: string, answerPos: number | false, resolverPos: number): Promise<number> {
  peer.send(deliver(exp(0), fetchArgs(swiss), answerPos, imp(resolverPos)));
  const m = await peer.nextNonGc();
  const args = m.fields[1] as SyrupValue[];
  expect(n(args[0])).toBe("'fulfill");
  const d = args[1] as SyrupRecord;
  expect(d.labelName).toBe('desc:import-object');
  return Number(d.fields[0]);
}

/** Bytes as latin1 text, to compare exact wire bytes readably. */
export const latin1 = (v: SyrupValue | Uint8Array): string => Buffer.from(v instanceof Uint8Array ? v : encode(v)).toString('latin1');

/** Sum the wire deltas per export position over op:gc-exports / op:gc-export messages (in notation). */
export function gcDeltas(messages: string[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const m of messages) {
    const g = /^<op:gc-exports? \[([\d ]*)\] \[([\d ]*)\]>$/.exec(m);
    if (!g) continue;
    const ps = g[1].split(' ').map(Number);
    const ds = g[2].split(' ').map(Number);
    ps.forEach((p, i) => (out[p] = (out[p] ?? 0) + ds[i]));
  }
  return out;
}
