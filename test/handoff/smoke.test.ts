import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork, type WireEvent } from '../../src/index.js';
import { toNotation } from '../../src/syrup/index.js';

describe('three-party handoff over the memory netlayer', () => {
  it('B reaches Carol over B–C', async () => {
    const net = new MemoryNetwork();
    const wire: string[] = [];
    const tap = (name: string) => (e: WireEvent) => {
      if (e.direction === 'out') wire.push(`${name}>${e.session.peerLocation?.designator} ${toNotation(e.message).slice(0, 120)}`);
    };
    const A = new OcapnNode({ netlayers: [net.netlayer('A')], tap: tap('A') });
    const B = new OcapnNode({ netlayers: [net.netlayer('B')], tap: tap('B') });
    const C = new OcapnNode({ netlayers: [net.netlayer('C')], tap: tap('C') });
    const carol = { hello: (who: string) => `hello ${who}, I am Carol` };
    const bob = { callIt: (target: unknown) => E(target as any).hello('node B') };
    const carolRef = await A.enliven(C.sturdyRefUri(carol));
    expect(await E(carolRef as any).hello('A')).toBe('hello A, I am Carol');
    const bobRef = await A.enliven(B.sturdyRefUri(bob));
    expect(await E(bobRef as any).callIt(carolRef)).toBe('hello node B, I am Carol');
    expect(await E(bobRef as any).callIt(carolRef)).toBe('hello node B, I am Carol');
    expect(wire.some((l) => l.startsWith('B>C') && l.includes("'withdraw-gift"))).toBe(true);
    expect(wire.some((l) => l.startsWith('A>C') && l.includes("'deposit-gift"))).toBe(true);
    expect(wire.some((l) => l.startsWith('B>C') && l.includes('"node B"'))).toBe(true);
    await Promise.all([A.close(), B.close(), C.close()]);
  });
});
