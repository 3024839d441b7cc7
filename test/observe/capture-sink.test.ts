// A capture sink whose close throws must not leave an unhandled rejection behind.
import { describe, it, expect } from 'vitest';
import { OcapnNode, E, MemoryNetwork, captureTap } from '../../src/index.js';

describe('captureTap', () => {
  it('a sink that throws on close: the session still ends cleanly, no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const lines: string[] = [];
      let closes = 0;
      const tap = captureTap(() => ({
        write: (line) => void lines.push(line),
        close: () => {
          closes++;
          throw new Error('disk gone');
        },
      }));
      const net = new MemoryNetwork();
      const host = new OcapnNode({ netlayers: [net.netlayer('host')] });
      const caller = new OcapnNode({ netlayers: [net.netlayer('caller')], tap });
      const ref = await caller.enliven<{ ping(): string }>(host.sturdyRefUri({ ping: () => 'pong' }));
      expect(await E(ref).ping()).toBe('pong');
      await Promise.all([caller.close(), host.close()]);
      await new Promise((r) => setTimeout(r, 50));
      expect(closes).toBe(1);
      expect(lines.length).toBeGreaterThan(2);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
