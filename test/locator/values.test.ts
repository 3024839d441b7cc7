/**
 * Parsed URIs are passable values (issue 11.3): what parseSturdyRefUri / parsePeerUri return
 * travels as `<ocapn-sturdyref …>` / `<ocapn-peer …>` on the wire, not as a Struct.
 */
import { describe, expect, it } from 'vitest';
import { E, Far, MemoryNetwork, OcapnNode, OcapnPeer, OcapnSturdyRef, parsePeerUri, parseSturdyRefUri, LocatorError } from '../../src/index.js';
import type { WireEvent } from '../../src/index.js';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** notes §14, "Sturdyref example". */
const STURDY_BYTES = `<15'ocapn-sturdyref<10'ocapn-peer16'tcp-testing-only6"peer-a{4"host9"127.0.0.14"port5"22045}>32:JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ>`;
const STURDY_URI = 'ocapn://peer-a.tcp-testing-only/s/JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ?host=127.0.0.1&port=22045';
const PEER_BYTES = `<10'ocapn-peer16'tcp-testing-only6"peer-a{4"host9"127.0.0.14"port5"22045}>`;

/** Two nodes on a memory network; `b` passes `arg` to an object on `a` and returns what went out and what arrived. */
async function pass(arg: unknown): Promise<{ sent: string; received: unknown }> {
  const net = new MemoryNetwork();
  const out: WireEvent[] = [];
  const a = new OcapnNode({ netlayers: [net.netlayer('a')] });
  const b = new OcapnNode({ netlayers: [net.netlayer('b')], tap: (e) => e.direction === 'out' && out.push(e) });
  try {
    let received: unknown;
    const uri = a.sturdyRefUri(Far('taker', { take: (v: unknown) => void (received = v) }));
    const taker = await b.enliven<{ take(v: unknown): void }>(uri);
    await E(taker).take(arg);
    const sent = out.map((e) => latin1(e.bytes)).find((s) => s.includes("4'take")) ?? '';
    return { sent, received };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

describe('parsed URIs are passable locator values', () => {
  it('a parsed sturdyref URI passed as an argument goes out as <ocapn-sturdyref …> (notes §14 bytes)', async () => {
    const parsed = parseSturdyRefUri(STURDY_URI, { swissEncoding: 'raw' });
    const { sent, received } = await pass(parsed);
    expect(sent).toContain(STURDY_BYTES);
    expect(sent).not.toContain(`4"peer`); // not a Struct with a "peer" key
    expect(received).toBeInstanceOf(OcapnSturdyRef);
    expect((received as OcapnSturdyRef).peer).toBeInstanceOf(OcapnPeer);
    expect(latin1((received as OcapnSturdyRef).swiss)).toBe('JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ');
  });

  it('a parsed peer URI passed as an argument goes out as <ocapn-peer …>', async () => {
    const { sent, received } = await pass(parsePeerUri('ocapn://peer-a.tcp-testing-only?port=22045&host=127.0.0.1'));
    expect(sent).toContain(PEER_BYTES);
    expect(received).toBeInstanceOf(OcapnPeer);
    expect(received).toEqual({ transport: 'tcp-testing-only', designator: 'peer-a', hints: { host: '127.0.0.1', port: '22045' } });
  });

  it('a hand-built { peer, swiss } object stays a Struct (only the value classes are locators)', async () => {
    const plain = { peer: { transport: 'tcp-testing-only', designator: 'peer-a', hints: false }, swiss: new Uint8Array([1]) };
    const { sent } = await pass(plain);
    expect(sent).not.toContain('ocapn-sturdyref');
    expect(sent).toContain(`4"peer`);
  });

  it('keeps the old constructors working, copies their inputs and checks them', () => {
    const hints = { host: 'h' };
    const swiss = new Uint8Array([1, 2, 3]);
    const ref = new OcapnSturdyRef({ transport: 'websocket', designator: 'd', hints }, swiss);
    swiss[0] = 9;
    hints.host = 'changed';
    expect(ref.swiss).toEqual(new Uint8Array([1, 2, 3]));
    expect(ref.peer).toBeInstanceOf(OcapnPeer);
    expect(ref.peer.hints).toEqual({ host: 'h' });
    expect(Object.isFrozen(ref) && Object.isFrozen(ref.peer) && Object.isFrozen(ref.peer.hints)).toBe(true);
    expect(new OcapnPeer('onion', 'x', false).hints).toBe(false);
    expect(() => new OcapnPeer('a.b', 'x', false)).toThrow(LocatorError);
    expect(() => new OcapnPeer('tcp', '', false)).toThrow(/designator must not be empty/);
    expect(() => new OcapnSturdyRef({ transport: 't', designator: 'd', hints: false }, 'abc' as unknown as Uint8Array)).toThrow(/swiss must be a Uint8Array/);
    expect(() => new OcapnSturdyRef(undefined as never, new Uint8Array(1))).toThrow(TypeError);
    expect(OcapnSturdyRef.from(ref)).toBe(ref);
  });
});
