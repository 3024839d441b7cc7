/**
 * Mixed netlayers (issue 9): one node serving on several netlayers, and a three-party handoff
 * whose sessions cross them: A–B over WebSocket, A–C and B–C over tcp-tls. Real sockets on
 * loopback; the wire taps show which session carried what.
 */
import { describe, it, expect } from 'vitest';
import { OcapnNode, E, listenWebSocket, createWebSocketDialer, listenTcpTls, createTcpTlsDialer, type WireEvent } from '../../src/index.js';
import { toNotation } from '../../src/syrup/index.js';

describe('a three-party handoff across netlayers', () => {
  it('A gives B a reference to Carol: A–B over websocket, B reaches Carol over its own tcp-tls session to C', async () => {
    const wire: string[] = [];
    const tap = (name: string) => (e: WireEvent) => {
      if (e.direction === 'out') wire.push(`${name}>${e.session.peerLocation?.transport} ${toNotation(e.message).slice(0, 120)}`);
    };
    const A = new OcapnNode({ netlayers: [createWebSocketDialer(), await createTcpTlsDialer()], tap: tap('A') });
    const B = new OcapnNode({ netlayers: [await listenWebSocket(), await createTcpTlsDialer()], tap: tap('B') });
    const C = new OcapnNode({ netlayers: [await listenTcpTls(), await listenWebSocket()], tap: tap('C') });
    try {
      const carol = { hello: (who: string) => `hello ${who}, I am Carol` };
      const bob = { callIt: (target: unknown) => E(target as any).hello('node B') };
      // C serves on two netlayers: its first (tcp-tls) names the sturdyref.
      expect(C.location.transport).toBe('tcp-tls');
      const carolRef = await A.enliven(C.sturdyRefUri(carol));
      const bobRef = await A.enliven(B.sturdyRefUri(bob));
      expect(await E(bobRef as any).callIt(carolRef)).toBe('hello node B, I am Carol');
      expect(wire.some((l) => l.startsWith('A>websocket') && l.includes("'callIt"))).toBe(true);
      expect(wire.some((l) => l.startsWith('A>tcp-tls') && l.includes("'deposit-gift"))).toBe(true);
      expect(wire.some((l) => l.startsWith('B>tcp-tls') && l.includes("'withdraw-gift"))).toBe(true);
      expect(wire.some((l) => l.startsWith('B>tcp-tls') && l.includes('"node B"'))).toBe(true);
      // Every session that was dialled is proven by its netlayer.
      for (const s of [...A.sessions, ...B.sessions.filter((x) => x.connection.outgoing)]) expect(s.identity).toBe('proven');
    } finally {
      await Promise.all([A.close(), B.close(), C.close()]);
    }
  });
});
