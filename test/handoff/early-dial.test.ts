/**
 * Decoding a give has no side effect before the message carrying it passes its own checks
 * (issue 7, item 5): the handoff starts a microtask later, and does nothing if the gifter's
 * session has ended by then. A message the session refuses (here: op:deliver reusing a live
 * answer position, which aborts the session) and that carries a give dials nobody.
 */
import { describe, it, expect } from 'vitest';
import { OcapnNode, MemoryNetwork, SigEnvelope } from '../../src/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { publicKeyToSyrup, signatureToSyrup, sign } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { makeGive } from '../../src/handoff/index.js';
import type { SyrupRecord } from '../../src/syrup/index.js';

/** Receiver R serving `take`, a raw gifter G holding it at export `svc`, and a listener X counting connections. */
async function setup() {
  const net = new MemoryNetwork();
  const dialled = { count: 0 };
  const X = net.netlayer('X');
  X.accept((conn) => {
    dialled.count++;
    conn.setHandlers({ message() {}, error() {}, close() {} });
  });
  const R = new OcapnNode({ netlayers: [net.netlayer('R')] });
  R.register({ take: () => 'taken' }, 'svc');
  const G = await RawPeer.dial(net.netlayer('G'), R.location);
  await G.handshake();
  G.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), new TextEncoder().encode('svc')], 0n, rec('desc:import-object', 1n)));
  const fetched = await G.nextNonGc();
  const svc = ((fetched.fields[1] as unknown[])[1] as SyrupRecord).fields[0] as bigint;
  const g = makeGive({
    receiverKey: publicKeyToSyrup(G.peerKey!),
    exporterLocation: peerLocatorToSyrup(X.location),
    session: new Uint8Array(32).fill(7),
    gifterSide: new Uint8Array(32).fill(8),
    giftId: new Uint8Array(32).fill(9),
  });
  const give = new SigEnvelope(g, signatureToSyrup(sign(g, G.keyPair.privateKey))).toSyrup();
  return { R, G, svc, give, dialled };
}

describe('no dial before the message is accepted', () => {
  it('a refused op:deliver carrying a give aborts the session and makes no connection', async () => {
    const { R, G, svc, give, dialled } = await setup();
    try {
      // Answer position 0 is still live (the fetch answer was never released): refused.
      G.send(rec('op:deliver', rec('desc:export', svc), [sym('take'), give], 0n, rec('desc:import-object', 2n)));
      const abort = await G.nextNonGc();
      expect(abort.labelName).toBe('op:abort');
      expect(String(abort.fields[0])).toMatch(/answer position 0 is already in use/);
      await new Promise((r) => setTimeout(r, 50));
      expect(dialled.count).toBe(0);
      expect(R.sessions.some((s) => s.peerLocation?.designator === 'X')).toBe(false);
    } finally {
      await R.close();
    }
  });

  it('control: the same give in an accepted message dials the exporter', async () => {
    const { R, G, svc, give, dialled } = await setup();
    try {
      G.send(rec('op:deliver', rec('desc:export', svc), [sym('take'), give], 1n, rec('desc:import-object', 2n)));
      await new Promise((r) => setTimeout(r, 50));
      expect(dialled.count).toBe(1);
      expect(G.closed).toBe(false);
    } finally {
      await R.close();
    }
  });
});
