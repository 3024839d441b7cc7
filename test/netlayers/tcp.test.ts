/** tcp-testing-only over real loopback sockets (127.0.0.1 only). */
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTcpTestingOnlyDialer,
  listenTcpTestingOnly,
  type Framing,
  type TcpTestingOnlyNetlayer,
} from '../../src/netlayers/index.js';
import { acceptor, bytes, concat, dialPair, loadRecordedStreams, numbered, record, settle } from './helpers.js';

const open: TcpTestingOnlyNetlayer[] = [];
async function listen(options?: Parameters<typeof listenTcpTestingOnly>[0]): Promise<TcpTestingOnlyNetlayer> {
  const n = await listenTcpTestingOnly(options);
  open.push(n);
  return n;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

/** A raw TCP client (not a netlayer), for feeding exact bytes. */
function rawClient(port: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: '127.0.0.1', port: Number(port) }, () => resolve(s));
    s.once('error', reject);
  });
}

describe('tcp-testing-only locator and options', () => {
  it('advertises host and the actual port as strings', async () => {
    const n = await listen({ designator: 'abc' });
    expect(n.transport).toBe('tcp-testing-only');
    expect(n.listening).toBe(true);
    expect(n.framing).toBe('raw');
    const hints = n.location.hints as Record<string, string>;
    expect(n.location).toEqual({ transport: 'tcp-testing-only', designator: 'abc', hints: { host: '127.0.0.1', port: hints.port } });
    expect(hints.port).toMatch(/^[1-9][0-9]*$/);
    const other = await listen();
    expect(other.location.designator).toMatch(/^[0-9a-f]{32}$/);
  });

  it('validates options', async () => {
    await expect(listenTcpTestingOnly({ port: 70000 })).rejects.toThrow(RangeError);
    await expect(listenTcpTestingOnly({ port: -1 })).rejects.toThrow(RangeError);
    await expect(listenTcpTestingOnly({ framing: 'json' as Framing })).rejects.toThrow(RangeError);
    await expect(listenTcpTestingOnly({ maxMessageBytes: 0 })).rejects.toThrow(RangeError);
    await expect(listenTcpTestingOnly({ connectTimeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(listenTcpTestingOnly({ host: '' })).rejects.toThrow(TypeError);
    await expect(listenTcpTestingOnly({ designator: 5 as unknown as string })).rejects.toThrow(TypeError);
    expect(() => createTcpTestingOnlyDialer({ port: 1 } as never)).toThrow(TypeError);
  });

  it('rejects a port already in use with a clear error', async () => {
    const n = await listen();
    const port = Number((n.location.hints as Record<string, string>).port);
    await expect(listenTcpTestingOnly({ port })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  it('connect() validates the locator', async () => {
    const n = await listen();
    await expect(n.connect({ transport: 'tcp-testing-only', designator: 'x', hints: false })).rejects.toThrow(TypeError);
    await expect(n.connect({ transport: 'memory', designator: 'x', hints: { host: '127.0.0.1', port: '1' } })).rejects.toThrow(TypeError);
    await expect(n.connect({ transport: 'tcp-testing-only', designator: 'x', hints: { host: '127.0.0.1', port: 'http' } })).rejects.toThrow(RangeError);
    await expect(n.connect({ transport: 'tcp-testing-only', designator: 'x', hints: { host: '127.0.0.1', port: '99999' } })).rejects.toThrow(RangeError);
  });
});

describe('tcp-testing-only connections', () => {
  for (const framing of ['raw', 'netstring', 'syrup-frame'] as const) {
    it(`exchanges 1,000 messages in order both ways (writer framing ${framing})`, async () => {
      const server = await listen({ framing });
      const client = await listen({ framing });
      const [cs, sc] = await dialPair(client, server);
      const rc = record(cs);
      const rs = record(sc);
      // sizes from a few bytes to 200 KB, so messages straddle TCP reads
      const size = (i: number): number => (i % 97 === 0 ? 200_000 : i % 13 === 0 ? 5_000 : i % 50);
      const expectedAtServer: Uint8Array[] = [];
      const expectedAtClient: Uint8Array[] = [];
      for (let i = 0; i < 1000; i++) {
        const up = numbered(i, size(i));
        const down = numbered(100_000 + i, size(i + 1));
        expectedAtServer.push(up);
        expectedAtClient.push(down);
        cs.send(up);
        sc.send(down);
      }
      await rs.until(() => rs.messages.length >= 1000, 15_000);
      await rc.until(() => rc.messages.length >= 1000, 15_000);
      expect(rs.errors).toEqual([]);
      expect(rc.errors).toEqual([]);
      expect(rs.messages.length).toBe(1000);
      expect(rs.messages.every((m, i) => Buffer.compare(m, expectedAtServer[i]) === 0)).toBe(true);
      expect(rc.messages.every((m, i) => Buffer.compare(m, expectedAtClient[i]) === 0)).toBe(true);
    });
  }

  for (const [framing, wire] of [
    ['raw', "<3'foo>"],
    ['netstring', "7:<3'foo>,"],
    ['syrup-frame', "7:<3'foo>"],
  ] as const) {
    it(`writes exactly ${JSON.stringify(wire)} with framing ${framing}`, async () => {
      const chunks: Buffer[] = [];
      const got = new Promise<void>((resolve) => {
        const raw = createServer((s) => {
          s.on('data', (c) => {
            chunks.push(c);
            if (Buffer.concat(chunks).length >= wire.length) resolve();
          });
          s.on('error', () => {});
        });
        raw.listen(0, '127.0.0.1', async () => {
          const port = String((raw.address() as { port: number }).port);
          const dialer = createTcpTestingOnlyDialer({ framing });
          const conn = await dialer.connect({ transport: 'tcp-testing-only', designator: 'raw', hints: { host: '127.0.0.1', port } });
          conn.send(bytes("<3'foo>"));
          await got;
          await dialer.close();
          raw.close();
        });
      });
      await got;
      expect(Buffer.concat(chunks).toString('latin1')).toBe(wire);
    });
  }

  it('reads a recorded Goblins stream sent byte for byte by a raw peer', async () => {
    const stream = loadRecordedStreams().find((s) => s.name.endsWith('tcp-demo.server-to-client.bin'))!;
    const server = await listen();
    const next = acceptor(server);
    const sock = await rawClient((server.location.hints as Record<string, string>).port);
    for (let at = 0; at < stream.bin.length; at += 300) sock.write(stream.bin.subarray(at, at + 300));
    const rs = record(await next());
    await rs.until(() => rs.messages.length === stream.messages.length);
    expect(rs.messages).toEqual(stream.messages);
    sock.end();
    await rs.until(() => rs.closes.length === 1);
    expect(rs.closes).toEqual([undefined]);
    expect(rs.errors).toEqual([]);
  });

  it('buffers messages that arrive before setHandlers and connections before accept', async () => {
    const server = await listen();
    const client = createTcpTestingOnlyDialer();
    open.push(client);
    const cs = await client.connect(server.location);
    cs.send(numbered(1));
    cs.send(numbered(2));
    await new Promise((r) => setTimeout(r, 50));
    const sc = await acceptor(server)();
    await new Promise((r) => setTimeout(r, 20));
    const rs = record(sc);
    await rs.until(() => rs.messages.length === 2);
    expect(rs.messages).toEqual([numbered(1), numbered(2)]);
  });

  it('a refused connection rejects connect() with a clear error', async () => {
    const gone = await listenTcpTestingOnly();
    const port = (gone.location.hints as Record<string, string>).port;
    await gone.close();
    const client = createTcpTestingOnlyDialer();
    const err = await client.connect({ transport: 'tcp-testing-only', designator: 'd', hints: { host: '127.0.0.1', port } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port} \\(designator "d"\\): .*ECONNREFUSED`));
    expect((err!.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await client.close();
  });

  it('a dial-only netlayer advertises port "0", which connect() refuses', async () => {
    const dialer = createTcpTestingOnlyDialer({ designator: 'dialer' });
    expect(dialer.listening).toBe(false);
    expect(dialer.location).toEqual({ transport: 'tcp-testing-only', designator: 'dialer', hints: { host: '127.0.0.1', port: '0' } });
    await expect(dialer.connect(dialer.location)).rejects.toThrow(/does not listen/);
    await dialer.close();
  });

  it('close() on one side fires close() on both', async () => {
    const server = await listen();
    const client = await listen();
    const [cs, sc] = await dialPair(client, server);
    const rc = record(cs);
    const rs = record(sc);
    cs.send(numbered(1));
    cs.close();
    cs.close();
    cs.send(numbered(2)); // ignored
    await rs.until(() => rs.closes.length === 1);
    await rc.until(() => rc.closes.length === 1);
    expect(rs.order).toEqual(['message', 'close']);
    expect(rs.closes).toEqual([undefined]);
    expect(rc.closes).toEqual([undefined]);
    for (let i = 0; i < 100 && server.connectionCount + client.connectionCount > 0; i++) await settle();
    expect(server.connectionCount + client.connectionCount).toBe(0);
  });

  it('netlayer close() closes its connections; the peer sees close()', async () => {
    const server = await listen();
    const client = await listen();
    const next = acceptor(server);
    const cs = await client.connect(server.location);
    const rs = record(await next());
    const rc = record(cs);
    await server.close();
    await rs.until(() => rs.closes.length === 1);
    await rc.until(() => rc.closes.length === 1);
    expect(rc.closes).toEqual([undefined]);
    await expect(server.connect(client.location)).rejects.toThrow(/closed/);
  });

  it('garbage from one peer triggers error() there and leaves another connection alone', async () => {
    const server = await listen();
    const next = acceptor(server);
    const port = (server.location.hints as Record<string, string>).port;
    const client = await listen();
    const good = await client.connect(server.location);
    const goodAtServer = record(await next());
    const rg = record(good);

    const bad = await rawClient(port);
    const badReplies: Buffer[] = [];
    bad.on('data', (c) => badReplies.push(c));
    const badAtServerConn = await next();
    const rb = record(badAtServerConn);
    bad.write(bytes("<3'foo>GET / HTTP/1.1\r\n\r\n"));
    await rb.until(() => rb.errors.length === 1);
    expect(rb.messages).toEqual([bytes("<3'foo>")]);
    expect(rb.errors[0].name).toBe('FramingError');
    expect(rb.errors[0].message).toMatch(/'G'/);

    // still writable after error(): the session layer can send op:abort, then close
    badAtServerConn.send(bytes("<8'op:abort3\"bye>"));
    badAtServerConn.close();
    await new Promise<void>((resolve) => bad.once('close', () => resolve()));
    expect(Buffer.concat(badReplies).toString('latin1')).toBe("<8'op:abort3\"bye>");
    expect(rb.closes).toEqual([undefined]);

    good.send(numbered(7));
    goodAtServer.messages.length === 0 && (await goodAtServer.until(() => goodAtServer.messages.length === 1));
    expect(goodAtServer.messages).toEqual([numbered(7)]);
    expect(goodAtServer.errors).toEqual([]);
    expect(goodAtServer.closes).toEqual([]);
    expect(rg.closes).toEqual([]);
  });

  it('a message over maxMessageBytes triggers error()', async () => {
    const server = await listen({ maxMessageBytes: 1000 });
    const next = acceptor(server);
    const sock = await rawClient((server.location.hints as Record<string, string>).port);
    sock.on('error', () => {});
    sock.write(bytes('999999999:'));
    const rs = record(await next());
    await rs.until(() => rs.errors.length === 1);
    expect(rs.errors[0].message).toMatch(/exceeds maxMessageBytes \(1000\)/);
    sock.destroy();
    await rs.until(() => rs.closes.length === 1);
  });

  for (const [label, partial] of [
    ['raw', bytes(`<3'big5000:${'x'.repeat(200)}`)],
    ['netstring', bytes(`5012:<3'big5000:${'x'.repeat(200)}`)],
  ] as const) {
    it(`setMaxMessageBytes refuses a ${label} message already in progress`, async () => {
      const server = await listen();
      const next = acceptor(server);
      const sock = await rawClient((server.location.hints as Record<string, string>).port);
      const conn = await next();
      const rec = record(conn);
      const small = numbered(1, 20);
      sock.write(concat([small, partial])); // one write: the partial message is read with the small one
      await rec.until(() => rec.messages.length === 1);
      expect(rec.errors).toEqual([]);
      conn.setMaxMessageBytes!(100);
      await rec.until(() => rec.errors.length === 1);
      expect(rec.errors[0].message).toMatch(/exceeds maxMessageBytes \(100\)/);
      sock.destroy();
    });
  }

  it('a stream that ends inside a message closes with an error', async () => {
    const server = await listen();
    const next = acceptor(server);
    const sock = await rawClient((server.location.hints as Record<string, string>).port);
    sock.end(bytes("<3'foo>7:<3'b"));
    const rs = record(await next());
    await rs.until(() => rs.closes.length === 1);
    expect(rs.messages).toEqual([bytes("<3'foo>")]);
    expect(rs.closes[0]?.message).toMatch(/ended inside a message/);
  });

  it('an abrupt reset closes with an error and does not crash', async () => {
    const server = await listen();
    const next = acceptor(server);
    const sock = await rawClient((server.location.hints as Record<string, string>).port);
    const rs = record(await next());
    sock.resetAndDestroy();
    await rs.until(() => rs.closes.length === 1);
    expect(rs.closes[0]?.message).toMatch(/ECONNRESET/);
  });
});

describe('tcp-testing-only handler failures', () => {
  it('a throwing message handler drops that connection only, without crashing', async () => {
    const server = await listen();
    const next = acceptor(server);
    const client = await listen();
    const c1 = await client.connect(server.location);
    const s1 = await next();
    const closes: (Error | undefined)[] = [];
    s1.setHandlers({
      message() {
        throw new Error('session bug');
      },
      error() {},
      close: (e) => closes.push(e),
    });
    const r1 = record(c1);
    c1.send(numbered(1));
    await r1.until(() => r1.closes.length === 1);
    expect(closes.map((e) => e?.message)).toEqual(['session bug']);
    const c2 = await client.connect(server.location);
    const r2 = record(await next());
    c2.send(numbered(2));
    await r2.until(() => r2.messages.length === 1);
    expect(r2.messages).toEqual([numbered(2)]);
  });
});
