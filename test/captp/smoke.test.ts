import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork, selector } from '../../src/index.js';

describe('two nodes over the memory netlayer', () => {
  it('enlivens a sturdyref, calls, pipelines', async () => {
    const net = new MemoryNetwork();
    const log: string[] = [];
    const a = new OcapnNode({ netlayers: [net.netlayer('alice')], tap: (e) => log.push(`${e.direction} ${e.bytes.length}`) });
    const b = new OcapnNode({ netlayers: [net.netlayer('bob')] });
    let count = 0n;
    const counter = {
      increment: (n: bigint) => (count += n),
      child: (name: string) => ({ describe: () => `child ${name}`, add: (x: bigint, y: bigint) => x + y }),
    };
    const uri = a.sturdyRefUri(counter);
    const ref = await b.enliven(uri);
    expect(await E(ref as any).increment(5n)).toBe(5n);
    const child = E(ref as any).child('x');
    expect(await E(child).add(2n, 3n)).toBe(5n);
    expect(await E(child).describe()).toBe('child x');
    await a.close();
    await b.close();
    expect(log.length).toBeGreaterThan(4);
  });
});
