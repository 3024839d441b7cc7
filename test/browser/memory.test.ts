import { describe, it, expect } from 'vitest';
import { MemoryNetwork } from '../../src/netlayers/memory.js';

/* The in-memory netlayer is exported from ocapn-ts/browser: its 'macrotask' delivery must not
 * need Node's setImmediate (browsers have none). */
describe("MemoryNetwork({ deliver: 'macrotask' }) without setImmediate", () => {
  it('delivers through a 0 ms timer', async () => {
    const saved = globalThis.setImmediate;
    (globalThis as { setImmediate?: unknown }).setImmediate = undefined;
    try {
      const network = new MemoryNetwork({ deliver: 'macrotask' });
      const a = network.netlayer('a');
      const b = network.netlayer('b');
      const accepted = new Promise<Uint8Array>((resolve) =>
        b.accept((conn) => conn.setHandlers({ message: resolve, error: () => undefined, close: () => undefined })),
      );
      const conn = await a.connect(b.location);
      conn.setHandlers({ message: () => undefined, error: () => undefined, close: () => undefined });
      conn.send(new Uint8Array([0x3c, 0x3e]));
      expect(await accepted).toEqual(new Uint8Array([0x3c, 0x3e]));
      await Promise.all([a.close(), b.close()]);
    } finally {
      globalThis.setImmediate = saved;
    }
  });
});
