/**
 * Receiver-side guards: a give naming this node as its exporter breaks without dialling, and a
 * gifter cannot have more than maxGivesInFlight gives being handed off at once (dial budgets:
 * dial-limits.test.ts).
 */
import { describe, it, expect } from 'vitest';
import { OcapnNode, MemoryNetwork, SigEnvelope } from '../../src/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { publicKeyToSyrup, signatureToSyrup, sign } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { makeGive } from '../../src/handoff/index.js';
import { toNotation } from '../../src/syrup/index.js';
import type { PeerLocator } from '../../src/locator/types.js';

const ascii = (s: string) => new TextEncoder().encode(s);

async function receiverScene(handoff?: { maxGivesInFlight: number }) {
  const net = new MemoryNetwork();
  const R = new OcapnNode({ netlayers: [net.netlayer('R')], handoff });
  const seen: string[] = [];
  R.register({ take: async (...gifts: unknown[]) => Promise.allSettled(gifts).then((rs) => rs.map((x) => (x.status === 'rejected' ? (x.reason as Error).message : 'ok'))) }, 'svc');
  const G = await RawPeer.dial(net.netlayer('G'), R.location);
  await G.handshake();
  G.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), ascii('svc')], 0n, rec('desc:import-object', 1n)));
  await G.nextNonGc();
  /** A give signed by G, addressed to R's G–R key, naming `exporter`. */
  const give = (exporter: PeerLocator, id: number) => {
    const g = makeGive({
      receiverKey: publicKeyToSyrup(G.peerKey!),
      exporterLocation: peerLocatorToSyrup(exporter),
      session: new Uint8Array(32).fill(7),
      gifterSide: new Uint8Array(32).fill(8),
      giftId: new Uint8Array(32).fill(id),
    });
    return new SigEnvelope(g, signatureToSyrup(sign(g, G.keyPair.privateKey))).toSyrup();
  };
  return { net, R, G, give, seen };
}

describe('receiver guards', () => {
  it('a give naming this node as exporter breaks, and nothing is dialled', async () => {
    const s = await receiverScene();
    s.G.send(rec('op:deliver', rec('desc:answer', 0n), [sym('take'), s.give(s.R.location, 1)], 1n, rec('desc:import-object', 2n)));
    const reply = await s.G.nextNonGc();
    expect(toNotation(reply)).toBe(`<op:deliver <desc:export 2> ['fulfill ["a give naming this node as its exporter"]] f f>`);
    expect(s.R.sessions).toHaveLength(1);
    await s.R.close();
  });

  it('gives beyond maxGivesInFlight break at once; the session lives', async () => {
    const s = await receiverScene({ maxGivesInFlight: 2 });
    const nowhere: PeerLocator = { transport: 'memory', designator: 'E-unreachable', hints: false };
    s.G.send(rec('op:deliver', rec('desc:answer', 0n), [sym('take'), s.give(nowhere, 1), s.give(nowhere, 2), s.give(nowhere, 3)], 1n, rec('desc:import-object', 2n)));
    const reply = toNotation(await s.G.nextNonGc(5000));
    expect(reply).toContain('too many handoffs in progress from this gifter (limit 2)');
    expect(reply.match(/too many handoffs/g)).toHaveLength(1);
    expect(s.R.sessions[0].isActive).toBe(true);
    await s.R.close();
  });
});
