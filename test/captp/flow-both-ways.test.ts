// Output flow control between two ocapn-ts nodes (src/captp/flow.ts): when both sides' output
// passes the high-water mark at once, neither may stop reading the answers it waits for, or
// the two sessions wait on each other until the liveness probe kills them (found by the
// benchmark's unbounded run: 100,000 calls issued at once).
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, E, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';

let nodes: OcapnNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

describe('both sides above the high-water mark', () => {
  it('a burst of calls whose arguments and answers overflow both directions completes', async () => {
    // Liveness far beyond the test's own bound: a deadlock shows as calls that never finish.
    const options = { liveness: { timeoutMs: 120_000 } } as const;
    const server = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ host: '127.0.0.1' })], ...options });
    const client = new OcapnNode({ netlayers: [createTcpTestingOnlyDialer()], ...options });
    nodes.push(server, client);
    const ref = await client.enliven<{ echo(x: Uint8Array): Uint8Array }>(server.sturdyRefUri({ echo: (x: Uint8Array) => x }));
    // 2,000 × 8 KiB = 16 MiB each way: far above the 1 MiB high-water mark and the kernel's buffers.
    const arg = new Uint8Array(8 * 1024).fill(7);
    const calls = Array.from({ length: 2000 }, () => E(ref).echo(arg));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 15_000)));
    const outcome = await Promise.race([Promise.all(calls), bound]);
    clearTimeout(timer);
    expect(outcome).not.toBe('stuck');
    const answers = outcome as Uint8Array[];
    expect(answers.length).toBe(2000);
    expect(answers.every((a) => a.length === 8 * 1024 && a[0] === 7)).toBe(true);
    expect(client.sessions[0].isActive).toBe(true);
  }, 30_000);
});
