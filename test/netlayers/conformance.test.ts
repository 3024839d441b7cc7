/**
 * The netlayer author's kit (checkNetlayerConformance) run against every shipped netlayer
 * but onion, and shown to fail on netlayers that break the contract.
 * CI uses 2,000 messages for the socket netlayers (the default, 10,000, is for authors).
 */
import { describe, expect, it } from 'vitest';
import {
  MemoryNetwork,
  checkNetlayerConformance,
  createTcpTestingOnlyDialer,
  createTcpTlsDialer,
  createWebSocketDialer,
  listenTcpTestingOnly,
  listenTcpTls,
  listenWebSocket,
  type ConformancePair,
  type ConformanceReport,
  type Connection,
  type Netlayer,
} from '../../src/index.js';

/** The report, printed on failure. */
function expectOk(report: ConformanceReport): void {
  expect(report.checks.map((c) => c.name)).toEqual(['ordered delivery both ways', 'clean close', 'refused connection', 'half-open connection', 'backpressure']);
  expect(report.checks.filter((c) => !c.ok), JSON.stringify(report.checks, null, 2)).toEqual([]);
  expect(report.ok).toBe(true);
}

let seq = 0;
const memoryPair = async (): Promise<ConformancePair> => {
  const network = new MemoryNetwork();
  seq++;
  return { listener: network.netlayer(`b${seq}`), dialer: network.netlayer(`a${seq}`) };
};

describe('checkNetlayerConformance on the shipped netlayers', () => {
  it('memory passes every check, 10,000 messages (the default)', async () => {
    const report = await checkNetlayerConformance(memoryPair);
    expectOk(report);
    expect(report.checks.every((c) => !c.skipped)).toBe(true);
    expect(report.checks[0].detail).toMatch(/^10000 messages each way/);
  }, 120_000);

  it('tcp-testing-only passes every check', async () => {
    expectOk(await checkNetlayerConformance(async () => ({ listener: await listenTcpTestingOnly(), dialer: createTcpTestingOnlyDialer() }), { messages: 2000 }));
  }, 120_000);

  it('websocket passes every check', async () => {
    expectOk(await checkNetlayerConformance(async () => ({ listener: await listenWebSocket(), dialer: createWebSocketDialer() }), { messages: 2000 }));
  }, 120_000);

  it('tcp-tls passes every check', async () => {
    expectOk(await checkNetlayerConformance(async () => ({ listener: await listenTcpTls(), dialer: await createTcpTlsDialer() }), { messages: 2000 }));
  }, 120_000);
});

/** Wraps a memory netlayer, changing what its connections do. */
function broken(net: Netlayer, wrap: (c: Connection) => Connection, connect?: Netlayer['connect']): Netlayer {
  return {
    transport: net.transport,
    get location() {
      return net.location;
    },
    accept: (cb) => net.accept((c) => cb(wrap(c))),
    connect: connect ?? (async (l) => wrap(await net.connect(l))),
    close: () => net.close(),
  };
}

describe('checkNetlayerConformance reports what breaks the contract', () => {
  const small = { messages: 200, timeoutMs: 3000, refusalMs: 500 };

  it('checks its arguments', async () => {
    await expect(checkNetlayerConformance(undefined as never)).rejects.toThrow(TypeError);
    await expect(checkNetlayerConformance(memoryPair, { messages: 0 })).rejects.toThrow(RangeError);
    await expect(checkNetlayerConformance(memoryPair, { timeoutMs: '1' as never })).rejects.toThrow(TypeError);
  });

  it('a netlayer that drops one message in 100 and never closes the peer fails delivery and close', async () => {
    const lossy = (c: Connection): Connection => {
      let n = 0;
      return {
        outgoing: c.outgoing,
        setHandlers: (h) => c.setHandlers({ ...h, close: (e) => (c.outgoing ? h.close(e) : undefined) }),
        send: (b) => (++n % 100 === 0 ? undefined : c.send(b)),
        close: () => c.close(),
      };
    };
    const report = await checkNetlayerConformance(async () => {
      const { listener, dialer } = await memoryPair();
      return { listener: broken(listener, lossy), dialer: broken(dialer, lossy) };
    }, small);
    expect(report.ok).toBe(false);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['ordered delivery both ways'].ok).toBe(false);
    expect(byName['ordered delivery both ways'].detail).toMatch(/message 99 .* arrived changed/);
    expect(byName['clean close'].ok).toBe(false);
    expect(byName['clean close'].detail).toMatch(/timed out .* close on the other end/);
    expect(byName.backpressure).toMatchObject({ ok: true, skipped: true });
    for (const c of report.checks) expect(c.ms).toBeGreaterThanOrEqual(0);
  });

  it('a connect that hangs fails the refused-connection check within refusalMs', async () => {
    const report = await checkNetlayerConformance(async () => {
      const { listener, dialer } = await memoryPair();
      let closed = false;
      const l = broken(listener, (c) => c);
      l.close = () => ((closed = true), listener.close());
      return { listener: l, dialer: broken(dialer, (c) => c, (loc) => (closed ? new Promise(() => undefined) : dialer.connect(loc))) };
    }, small);
    const refused = report.checks.find((c) => c.name === 'refused connection')!;
    expect(refused.ok).toBe(false);
    expect(refused.detail).toMatch(/neither resolved nor rejected within 500 ms/);
    expect(report.ok).toBe(false);
  });
});
