/**
 * Issue 7: mutual proof between ocapn-ts nodes over WebSocket, seen from the node. When an
 * ocapn-ts node dials us, its netlayer proves its designator, so the session it opened is
 * `proven` on our side too: it serves our own calls (no dial back), and a dialler whose proven
 * key contradicts the location it claims is refused. Real WebSocket sockets on loopback.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OcapnNode, E, listenWebSocket, createWebSocketDialer, type WebSocketNetlayer } from '../../src/index.js';
import type { Connection, Netlayer } from '../../src/netlayers/interface.js';
import { watchProcessFaults } from '../hostile/harness.js';

watchProcessFaults();

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function wsNode(): Promise<{ node: OcapnNode; net: WebSocketNetlayer; accepted: Connection[] }> {
  const net = await listenWebSocket();
  const accepted: Connection[] = [];
  // Count what the netlayer hands to the node: every connection dialled to us.
  const counting: Netlayer = {
    transport: net.transport,
    authenticates: net.authenticates,
    get location() {
      return net.location;
    },
    accept: (cb) => net.accept((c) => (accepted.push(c), cb(c))),
    connect: (loc) => net.connect(loc),
    close: () => net.close(),
  };
  const node = new OcapnNode({ netlayers: [counting] });
  cleanup.push(() => node.close());
  return { node, net, accepted };
}

describe('mutual proof between ocapn-ts nodes over WebSocket', () => {
  it('A dials B; B then uses that proven session for its own calls and never dials A', async () => {
    const A = await wsNode();
    const B = await wsNode();
    const dials = vi.spyOn(B.net, 'connect');
    const uriOfB = B.node.sturdyRefUri({ hello: () => 'hi from B' });
    const uriOfA = A.node.sturdyRefUri({ hello: () => 'hi from A' });
    expect(await E(await A.node.enliven<{ hello(): string }>(uriOfB)).hello()).toBe('hi from B');

    const inbound = B.node.sessions.find((s) => s.peerLocation?.designator === A.net.location.designator)!;
    expect(inbound.connection.provenDesignator).toBe(A.net.location.designator);
    expect(inbound.identity).toBe('proven');
    expect(B.node.sessionWith(A.net.location)).toBe(inbound);

    expect(await E(await B.node.enliven<{ hello(): string }>(uriOfA)).hello()).toBe('hi from A');
    expect(dials).not.toHaveBeenCalled();
    expect(A.accepted).toHaveLength(0); // nobody dialled A
    expect(B.accepted).toHaveLength(1);
    expect(A.node.sessions).toHaveLength(1);
    expect(B.node.sessions).toEqual([inbound]);
    expect(A.net.connectionCount).toBe(1);
  });

  it("a dialler that proves its own key but claims another node's location is refused (designator mismatch)", async () => {
    const A = await wsNode();
    const B = await wsNode();
    const uriOfB = B.node.sturdyRefUri({ secret: () => 'for A only' });
    // C's netlayer proves C's key but advertises A's location, which op:start-session then claims.
    const real = createWebSocketDialer();
    cleanup.push(() => real.close());
    const lying: Netlayer = {
      transport: real.transport,
      authenticates: real.authenticates,
      location: A.net.location,
      accept: (cb) => real.accept(cb),
      connect: (loc) => real.connect(loc),
      close: () => real.close(),
    };
    const C = new OcapnNode({ netlayers: [lying] });
    cleanup.push(() => C.close());
    const result = await C.enliven<{ secret(): string }>(uriOfB).then(
      (ref) => E(ref).secret(),
      (e: Error) => e,
    );
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/peer location does not match the designator the netlayer proved/);
    expect(B.accepted).toHaveLength(1);
    expect(B.accepted[0].provenDesignator).toBe(real.location.designator);
    expect(B.node.sessions).toEqual([]);
    expect(B.node.sessionWith(A.net.location)).toBeUndefined();
  });
});
