/**
 * Both nodes dial each other at the same moment (notes §5.4), in both delivery modes of the
 * memory netlayer, many times: each side must end with exactly one live session, the same one
 * on both sides, and every connect()/enliven() must succeed.
 */
import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork } from '../../src/index.js';

const toHex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');

describe('crossed hellos under racing dials', () => {
  for (const deliver of ['microtask', 'macrotask'] as const) {
    it(`ends with one shared session (${deliver} delivery, 40 runs)`, async () => {
      for (let run = 0; run < 40; run++) {
        const net = new MemoryNetwork({ deliver });
        const a = new OcapnNode({ netlayers: [net.netlayer(`a${run}`)] });
        const b = new OcapnNode({ netlayers: [net.netlayer(`b${run}`)] });
        const uriA = a.sturdyRefUri({ who: () => 'a' });
        const uriB = b.sturdyRefUri({ who: () => 'b' });
        const [ra, rb] = await Promise.all([b.enliven(uriA), a.enliven(uriB)]);
        expect(await E(ra as any).who()).toBe('a');
        expect(await E(rb as any).who()).toBe('b');
        await new Promise((r) => setTimeout(r, 5));
        expect(a.sessions, `run ${run}`).toHaveLength(1);
        expect(b.sessions, `run ${run}`).toHaveLength(1);
        expect(toHex(a.sessions[0].id)).toBe(toHex(b.sessions[0].id));
        await a.close();
        await b.close();
      }
    }, 30_000);
  }
});
