/**
 * Graceful shutdown (OcapnNode.close): calls, enliven and connect fail at once while the node
 * closes, and what was already sent (a large answer) reaches the peer before the sessions end,
 * even when the peer reads slowly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OcapnNode, E, Far, listenTcpTestingOnly, DEFAULT_CLOSE_DRAIN_MS, type PeerLocator } from '../../src/index.js';
import { startProxy, type Proxy } from './proxy.js';

const nodes: OcapnNode[] = [];
const proxies: Proxy[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function tcpNode(closeDrainMs?: number): Promise<OcapnNode> {
  const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ host: '127.0.0.1', port: 0 })], closeDrainMs });
  nodes.push(node);
  return node;
}

function portOf(loc: PeerLocator): number {
  return Number((loc.hints as Record<string, string>).port);
}

describe('graceful shutdown', () => {
  it('checks closeDrainMs; default 2,000 ms', async () => {
    const netlayer = await listenTcpTestingOnly({ host: '127.0.0.1', port: 0 });
    expect(() => new OcapnNode({ netlayers: [netlayer], closeDrainMs: -1 })).toThrow(RangeError);
    expect(() => new OcapnNode({ netlayers: [netlayer], closeDrainMs: 1.5 })).toThrow(/closeDrainMs must be an integer from 0 to 2\^31-1, got 1.5/);
    await netlayer.close();
    expect(DEFAULT_CLOSE_DRAIN_MS).toBe(2_000);
  });

  it('while closing: new calls, enliven, connect and register fail at once with "closing"; close is idempotent', async () => {
    const server = await tcpNode();
    const client = await tcpNode();
    let calls = 0;
    const uri = server.sturdyRefUri(Far('svc', { ping: () => ++calls }));
    const ref = await client.enliven<{ ping(): number }>(uri);
    expect(await E(ref).ping()).toBe(1);
    const closing = client.close('going away');
    expect(client.close('again')).toBe(closing);
    await expect(E(ref).ping()).rejects.toThrow(/^this OcapnNode is closing: going away$/);
    E.sendOnly(ref).ping(); // dropped, never sent
    await expect(client.enliven(uri)).rejects.toThrow(/this OcapnNode is closing: going away/);
    await expect(client.connect(server.location)).rejects.toThrow(/this OcapnNode is closing/);
    expect(() => client.register({})).toThrow(/this OcapnNode is closing/);
    await closing;
    await expect(client.enliven(uri)).rejects.toThrow(/this OcapnNode is closed: going away/);
    expect(calls).toBe(1);
  });

  it('an 8 MiB answer sent just before close reaches a peer that reads slowly (drain, then op:abort)', async () => {
    const server = await tcpNode(10_000);
    const client = await tcpNode();
    const proxy = await startProxy(portOf(server.location));
    proxies.push(proxy);
    let closed: Promise<void> | undefined;
    const big = 'y'.repeat(8 * 1024 * 1024);
    const uri = server.sturdyRefUri(
      Far('svc', {
        bigThenClose: () => {
          // The peer stops reading for 3 s (longer than the 2 s a socket lingers after close).
          proxy.holdServerOutput(3_000);
          setTimeout(() => (closed = server.close('served the big answer')), 0);
          return big;
        },
      }),
    );
    const viaProxy = uri.replace(`port=${portOf(server.location)}`, `port=${proxy.port}`);
    const ref = await client.enliven<{ bigThenClose(): string }>(viaProxy);
    const answer = await E(ref).bigThenClose();
    expect(answer.length).toBe(big.length);
    await closed;
  }, 30_000);
});
