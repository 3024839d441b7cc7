/**
 * Dials caused by gives are budgeted (issue 7, item 5): per gifter session
 * (`maxPendingHandoffs`, default 16) and over the whole node (`maxHandoffDials`, default 256),
 * counted per exporter location. Gives naming an exporter already being dialled, or one with
 * an active session, take no further slot. A give refused by a budget breaks at once; the
 * gifter's session goes on.
 */
import { describe, it, expect } from 'vitest';
import { OcapnNode, MemoryNetwork, SigEnvelope, DEFAULT_HANDOFF_OPTIONS, type NodeOptions } from '../../src/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { publicKeyToSyrup, randomBytes, signatureToSyrup, sign } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { makeGive } from '../../src/handoff/index.js';
import { toNotation, type SyrupValue } from '../../src/syrup/index.js';
import type { PeerLocator } from '../../src/locator/types.js';

/** Memory peers that accept connections and never answer (a dial to one hangs until the handshake timeout). */
function silentPeers(net: MemoryNetwork, names: string[]): { loc: (name: string) => PeerLocator; accepted: Map<string, number> } {
  const accepted = new Map<string, number>();
  for (const name of names) {
    const n = net.netlayer(name);
    n.accept((conn) => {
      accepted.set(name, (accepted.get(name) ?? 0) + 1);
      conn.setHandlers({ message() {}, error() {}, close() {} });
    });
  }
  return { loc: (name) => ({ transport: 'memory', designator: name, hints: false }), accepted };
}

/** A raw gifter on `net` holding R's `take` object; `take(...)` returns what take saw per give. */
async function gifter(net: MemoryNetwork, R: OcapnNode, name: string) {
  const G = await RawPeer.dial(net.netlayer(name), R.location, randomBytes(32));
  await G.handshake();
  G.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), new TextEncoder().encode('svc')], 0n, rec('desc:import-object', 1n)));
  await G.nextNonGc();
  let nextAnswer = 1n;
  const give = (exporter: PeerLocator): SyrupValue => {
    const g = makeGive({
      receiverKey: publicKeyToSyrup(G.peerKey!),
      exporterLocation: peerLocatorToSyrup(exporter),
      session: new Uint8Array(32).fill(7),
      gifterSide: new Uint8Array(32).fill(8),
      giftId: new Uint8Array(32).fill(9),
    });
    return new SigEnvelope(g, signatureToSyrup(sign(g, G.keyPair.privateKey))).toSyrup();
  };
  /** Send take(gives…); resolves with R's reply (after every give settled). */
  const take = (...exporters: PeerLocator[]): Promise<string> => {
    const answer = nextAnswer++;
    G.send(rec('op:deliver', rec('desc:answer', 0n), [sym('take'), ...exporters.map(give)], answer, rec('desc:import-object', 100n + answer)));
    return G.nextNonGc(10_000).then(toNotation);
  };
  return { G, take };
}

function receiverNode(net: MemoryNetwork, options: Partial<NodeOptions>): OcapnNode {
  const R = new OcapnNode({ ...options, netlayers: [net.netlayer('R')], limits: { handshakeTimeoutMs: 300 } });
  R.register({ take: async (...gifts: unknown[]) => Promise.allSettled(gifts).then((rs) => rs.map((x) => (x.status === 'rejected' ? (x.reason as Error).message : 'ok'))) }, 'svc');
  return R;
}

const PER_GIFTER = 'too many handoff dials in progress for this gifter';
const PER_NODE = 'too many handoff dials in progress on this node';

describe('handoff dial budgets', () => {
  it('defaults: 16 dials per gifter session, 256 per node', () => {
    expect(DEFAULT_HANDOFF_OPTIONS.maxPendingHandoffs).toBe(16);
    expect(DEFAULT_HANDOFF_OPTIONS.maxHandoffDials).toBe(256);
  });

  it('per gifter: a third exporter breaks at once; a give to an exporter already being dialled joins that dial', async () => {
    const net = new MemoryNetwork();
    const { loc, accepted } = silentPeers(net, ['X1', 'X2', 'X3']);
    const R = receiverNode(net, { handoff: { maxPendingHandoffs: 2 } });
    try {
      const { G, take } = await gifter(net, R, 'G');
      const reply = await take(loc('X1'), loc('X2'), loc('X3'), loc('X1'));
      const parts = reply.match(/"[^"]*"/g)!;
      expect(parts).toHaveLength(4);
      expect(parts[2]).toContain(`${PER_GIFTER} (limit 2)`);
      for (const i of [0, 1, 3]) expect(parts[i]).not.toContain('too many');
      expect([...accepted]).toEqual([
        ['X1', 1],
        ['X2', 1],
      ]);
      expect(G.closed).toBe(false);
      expect(R.sessionWith(G.location)?.isActive).toBe(true);
      // The slots come back when those dials end: now X3 is dialled.
      await take(loc('X3'));
      expect(accepted.get('X3')).toBe(1);
    } finally {
      await R.close();
    }
  });

  it('per node: a gifter whose own budget has room is refused when the node budget is spent', async () => {
    const net = new MemoryNetwork();
    const { loc, accepted } = silentPeers(net, ['X1', 'X2', 'X3']);
    const R = receiverNode(net, { handoff: { maxHandoffDials: 2 } });
    try {
      const g1 = await gifter(net, R, 'G1');
      const g2 = await gifter(net, R, 'G2');
      const first = g1.take(loc('X1'), loc('X2'));
      const second = await g2.take(loc('X3'), loc('X1'));
      const parts = second.match(/"[^"]*"/g)!;
      expect(parts[0]).toContain(`${PER_NODE} (limit 2)`);
      // G2's give naming X1 joins the dial already running for G1.
      expect(parts[1]).not.toContain('too many');
      expect((await first).match(/too many/g)).toBeNull();
      expect(accepted.has('X3')).toBe(false);
    } finally {
      await R.close();
    }
  });

  it('reusing an active session is not a dial', async () => {
    const net = new MemoryNetwork();
    const { loc } = silentPeers(net, ['X1']);
    const Ex = new OcapnNode({ netlayers: [net.netlayer('Ex')], profile: 'endo' });
    const R = receiverNode(net, { handoff: { maxPendingHandoffs: 1 } });
    try {
      await R.connect(Ex.location);
      const { take } = await gifter(net, R, 'G');
      const parts = (await take(loc('X1'), Ex.location)).match(/"[^"]*"/g)!;
      // The withdraw reached Ex (which refuses it: the give names no session of its own).
      expect(parts[1]).not.toContain('too many');
      expect(parts[1]).toContain('no live session with the gifter');
    } finally {
      await Promise.all([R.close(), Ex.close()]);
    }
  });
});
