/**
 * tcp-tls over real loopback sockets (127.0.0.1 only): the designator and preamble as Goblins
 * 0.18 defines them, refusal of a server whose certificate is not the dialled one, the
 * handshake bounds, identity save/restore, OcapnNode sessions, and the contract suite.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket, createSecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { E, OcapnNode } from '../../src/index.js';
import {
  PreambleReader,
  TcpTlsRefusedError,
  createTcpTlsDialer,
  encodeCertificatePreamble,
  generateTcpTlsIdentity,
  listenTcpTls,
  tcpTlsDesignator,
  type Connection,
  type Framing,
  type TcpTlsIdentity,
  type TcpTlsNetlayer,
} from '../../src/netlayers/index.js';
import { describeConnectionContract, type ContractPair } from './contract.js';
import { acceptor, bytes, record } from './helpers.js';

/** A fixed identity made once by generateTcpTlsIdentity() (test key, never used elsewhere). */
const FIXTURE: TcpTlsIdentity = {
  key: [
    '-----BEGIN PRIVATE KEY-----',
    'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwYmMJOSReiR1SlYa',
    '789tRwQvOdCPLctiDUbBR5JegNKhRANCAASn9NgU8K684ALO9kj0HcMf7NjDF1FW',
    'RJJFw/5tb1tj/kUNqTrblC5HDbyrB04pAcWJLghcwdYDuSWjg0jmdn4q',
    '-----END PRIVATE KEY-----',
  ].join('\n') + '\n',
  cert: [
    '-----BEGIN CERTIFICATE-----',
    'MIIBbDCCAROgAwIBAgIQDpxhk3Cu8G7akGmTLJ8U4DAKBggqhkjOPQQDAjAYMRYw',
    'FAYDVQQDEw1vY2FwbiB0Y3AtdGxzMB4XDTI2MTEyOTE4NDYyOFoXDTM4MDExOTAz',
    'MTQwN1owGDEWMBQGA1UEAxMNb2NhcG4gdGNwLXRsczBZMBMGByqGSM49AgEGCCqG',
    'SM49AwEHA0IABKf02BTwrrzgAs72SPQdwx/s2MMXUVZEkkXD/m1vW2P+RQ2pOtuU',
    'LkcNvKsHTikBxYkuCFzB1gO5JaODSOZ2fiqjPzA9MAwGA1UdEwEB/wQCMAAwDgYD',
    'VR0PAQH/BAQDAgeAMB0GA1UdDgQWBBS3vavkny47PTtw55OwuoE/t9d8TTAKBggq',
    'hkjOPQQDAgNHADBEAiBsmqYH4tgKL00NxAfGgkuEEFNHnL3ndjh9fgrKoU7/5AIg',
    'L+v2Tm20+gDt64pvY/GKRv5S3vQSIdlLK4QuHW3NVfI=',
    '-----END CERTIFICATE-----',
  ].join('\n') + '\n',
};
/** SHA-256(SHA-256(FIXTURE.cert)) in hex, computed by hand with `openssl dgst -sha256` twice. */
const FIXTURE_DESIGNATOR = '2cf40e8420d44f45102d50b3de32e9bb6776d31bb4b8550889a7bf1e7ff1cd2f';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});
function keep<T extends { close(): Promise<void> }>(n: T): T {
  open.push(n);
  return n;
}

function portOf(n: TcpTlsNetlayer): number {
  return Number((n.location.hints as Record<string, string>).port);
}

/** A plain TCP server on loopback, closed after the test. */
async function rawServer(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  keep({ close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))) });
  return { server, port: (server.address() as { port: number }).port };
}

function locatorAt(designator: string, port: number) {
  return { transport: 'tcp-tls', designator, hints: { host: '127.0.0.1', port: String(port) } };
}

describe('tcp-tls designator and certificate preamble (Goblins 0.18)', () => {
  it('the designator is lowercase hex of SHA-256 twice over the exact PEM bytes', () => {
    expect(tcpTlsDesignator(FIXTURE.cert)).toBe(FIXTURE_DESIGNATOR);
    expect(tcpTlsDesignator(bytes(FIXTURE.cert))).toBe(FIXTURE_DESIGNATOR);
    // No normalisation: one more byte is another designator.
    expect(tcpTlsDesignator(`${FIXTURE.cert}\n`)).not.toBe(FIXTURE_DESIGNATOR);
    expect(() => tcpTlsDesignator(5 as unknown as string)).toThrow(TypeError);
  });

  it('agrees with the openssl command line, when there is one', () => {
    let openssl = true;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      openssl = false;
    }
    if (!openssl) return; // the hard-coded vector above was made with it
    const dir = mkdtempSync(join(tmpdir(), 'ocapn-tcp-tls-'));
    try {
      const pem = join(dir, 'cert.pem');
      writeFileSync(pem, FIXTURE.cert);
      const once = execFileSync('openssl', ['dgst', '-sha256', '-binary', pem]);
      const twice = execFileSync('openssl', ['dgst', '-sha256', '-hex'], { input: once }).toString();
      expect(twice.trim().split(/\s+/).pop()).toBe(FIXTURE_DESIGNATOR);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the preamble is a 4-byte little-endian length, then the PEM bytes', () => {
    const pre = encodeCertificatePreamble(FIXTURE.cert);
    const pem = bytes(FIXTURE.cert);
    expect(pre.length).toBe(4 + pem.length);
    expect([...pre.slice(0, 4)]).toEqual([pem.length & 0xff, pem.length >> 8, 0, 0]);
    expect(Buffer.from(pre.slice(4)).equals(Buffer.from(pem))).toBe(true);
  });

  it('PreambleReader: any chunking, the bytes after it kept, oversized lengths refused from the prefix', () => {
    const pre = encodeCertificatePreamble(FIXTURE.cert);
    const stream = new Uint8Array([...pre, 0x16, 0x03]);
    for (const step of [1, 3, 4, 100, pre.length, stream.length]) {
      const reader = new PreambleReader(16384);
      let at = 0;
      let result;
      while (result === undefined && at < stream.length) {
        const r = reader.push(stream.slice(at, at + step));
        at += step;
        if (r.state !== 'more') result = r;
      }
      expect(result?.state).toBe('done');
      if (result?.state === 'done') {
        expect(Buffer.from(result.cert).toString()).toBe(FIXTURE.cert);
        // What came with the last chunk, then what was not pushed: the stream after the preamble.
        expect([...result.rest, ...stream.slice(at)]).toEqual([0x16, 0x03]);
      }
    }
    const big = new PreambleReader(1000).push(new Uint8Array([0xe9, 0x03, 0, 0]));
    expect(big).toEqual({ state: 'error', reason: expect.stringMatching(/1001 bytes, over maxCertificateBytes \(1000\)/) });
    expect(new PreambleReader(1000).push(new Uint8Array(4)).state).toBe('error');
  });

  it('a generated identity: a self-signed X.509 certificate valid until 2038, its key a match', async () => {
    const id = await generateTcpTlsIdentity();
    const cert = new X509Certificate(id.cert);
    expect(cert.ca).toBe(false);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new Date(cert.validTo).toISOString()).toBe('2038-01-19T03:14:07.000Z');
    expect(() => createSecureContext(id)).not.toThrow();
    expect(id.cert.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    await expect(generateTcpTlsIdentity({ algorithm: 'dsa' as never })).rejects.toThrow(RangeError);
  });
});

describe('tcp-tls locator and options', () => {
  it('advertises the designator of its certificate, host and the actual port as strings', async () => {
    const n = keep(await listenTcpTls({ ...FIXTURE }));
    expect(n.transport).toBe('tcp-tls');
    expect(n.authenticates).toBe('dialled');
    expect(n.identity).toEqual(FIXTURE);
    expect(n.location).toEqual({ transport: 'tcp-tls', designator: FIXTURE_DESIGNATOR, hints: { host: '127.0.0.1', port: String(portOf(n)) } });
    const dialer = keep(await createTcpTlsDialer());
    expect(dialer.listening).toBe(false);
    expect(dialer.location.designator).toBe(tcpTlsDesignator(dialer.identity.cert));
    expect((dialer.location.hints as Record<string, string>).port).toBe('0');
  });

  it('validates options and the identity', async () => {
    await expect(listenTcpTls({ port: 70000 })).rejects.toThrow(RangeError);
    await expect(listenTcpTls({ framing: 'json' as Framing })).rejects.toThrow(RangeError);
    await expect(listenTcpTls({ handshakeTimeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(listenTcpTls({ maxCertificateBytes: 10 })).rejects.toThrow(RangeError);
    await expect(listenTcpTls({ key: FIXTURE.key })).rejects.toThrow(/key and cert together/);
    await expect(listenTcpTls({ key: FIXTURE.key, cert: 'not a certificate' })).rejects.toThrow(RangeError);
    const other = await generateTcpTlsIdentity();
    await expect(listenTcpTls({ key: other.key, cert: FIXTURE.cert })).rejects.toThrow(/not a usable pair/);
    await expect(createTcpTlsDialer({ port: 1 } as never)).rejects.toThrow(TypeError);
  });

  it('connect() validates the locator', async () => {
    const d = keep(await createTcpTlsDialer({ ...FIXTURE }));
    await expect(d.connect({ transport: 'tcp-testing-only', designator: FIXTURE_DESIGNATOR, hints: { host: 'h', port: '1' } })).rejects.toThrow(TypeError);
    await expect(d.connect({ transport: 'tcp-tls', designator: FIXTURE_DESIGNATOR, hints: false })).rejects.toThrow(TypeError);
    await expect(d.connect(locatorAt('abc', 1))).rejects.toThrow(/64 lowercase hex/);
    await expect(d.connect(locatorAt(FIXTURE_DESIGNATOR.toUpperCase(), 1))).rejects.toThrow(RangeError);
    await expect(d.connect({ transport: 'tcp-tls', designator: FIXTURE_DESIGNATOR, hints: { host: '127.0.0.1', port: '99999' } })).rejects.toThrow(RangeError);
    await expect(d.connect(locatorAt(FIXTURE_DESIGNATOR, 0))).rejects.toThrow(/does not listen/);
  });
});

describe('tcp-tls connections', () => {
  it('carries messages both ways; the dialler proves the designator, the listener proves nothing', async () => {
    const server = keep(await listenTcpTls({ ...FIXTURE }));
    const client = keep(await createTcpTlsDialer());
    const next = acceptor(server);
    const dialled = await client.connect(server.location);
    const accepted = await next();
    expect(dialled.provenDesignator).toBe(FIXTURE_DESIGNATOR);
    expect(accepted.provenDesignator).toBeUndefined();
    expect(dialled.outgoing).toBe(true);
    expect(accepted.outgoing).toBe(false);
    const [rd, ra] = [record(dialled), record(accepted)];
    dialled.send(bytes("<3'foo1+>"));
    accepted.send(bytes("<3'bar2+>"));
    await ra.until(() => ra.messages.length === 1);
    await rd.until(() => rd.messages.length === 1);
    expect(Buffer.from(ra.messages[0]!).toString('latin1')).toBe("<3'foo1+>");
    expect(Buffer.from(rd.messages[0]!).toString('latin1')).toBe("<3'bar2+>");
    expect(server.connectionCount).toBe(1);
  });

  it('refuses, before any message, a server whose certificate is not the one dialled', async () => {
    const impostor = keep(await listenTcpTls()); // a fresh certificate, at the address
    const client = keep(await createTcpTlsDialer());
    let handed = 0;
    impostor.accept(() => handed++);
    const err = await client.connect(locatorAt(FIXTURE_DESIGNATOR, portOf(impostor))).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/tcp-tls: refused 127\.0\.0\.1:\d+ \(designator "2cf4[0-9a-f]+"\): its certificate hashes to designator [0-9a-f]{64}, not the designator dialled/);
    expect(err?.cause).toBeInstanceOf(TcpTlsRefusedError);
    expect(client.connectionCount).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(handed).toBe(0); // the impostor's TLS handshake never finished
  });

  it('refuses a server whose preamble is the dialled certificate but whose TLS presents another', async () => {
    const other = await generateTcpTlsIdentity();
    const context = createSecureContext(other);
    const { port } = await rawServer((s) => {
      s.write(encodeCertificatePreamble(FIXTURE.cert)); // someone else's certificate, copied
      const tls = new TLSSocket(s, { isServer: true, secureContext: context });
      tls.on('error', () => undefined);
    });
    const client = keep(await createTcpTlsDialer());
    await expect(client.connect(locatorAt(FIXTURE_DESIGNATOR, port))).rejects.toThrow(/refused .*presented another certificate than its preamble/);
  });

  it('refuses a certificate preamble over maxCertificateBytes, naming the limit', async () => {
    const { port } = await rawServer((s) => s.write(new Uint8Array([0xff, 0xff, 0xff, 0x7f])));
    const client = keep(await createTcpTlsDialer({ maxCertificateBytes: 4096 }));
    await expect(client.connect(locatorAt(FIXTURE_DESIGNATOR, port))).rejects.toThrow(/2147483647 bytes, over maxCertificateBytes \(4096\)/);
  });

  it('bounds the dialler by handshakeTimeoutMs: a TCP server that never speaks', async () => {
    const { port } = await rawServer(() => undefined);
    const client = keep(await createTcpTlsDialer({ handshakeTimeoutMs: 200 }));
    const t0 = Date.now();
    await expect(client.connect(locatorAt(FIXTURE_DESIGNATOR, port))).rejects.toThrow(/no TLS session after 200 ms/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('bounds the dialler by handshakeTimeoutMs: a preamble, then no TLS', async () => {
    const { port } = await rawServer((s) => s.write(encodeCertificatePreamble(FIXTURE.cert)));
    const client = keep(await createTcpTlsDialer({ handshakeTimeoutMs: 200 }));
    await expect(client.connect(locatorAt(FIXTURE_DESIGNATOR, port))).rejects.toThrow(/no TLS session after 200 ms/);
  });

  it('bounds the listener by handshakeTimeoutMs: a client that never starts TLS is dropped, never accepted', async () => {
    const server = keep(await listenTcpTls({ ...FIXTURE, handshakeTimeoutMs: 200 }));
    let handed = 0;
    server.accept(() => handed++);
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port: portOf(server) }, () => resolve(s));
      s.once('error', reject);
    });
    const received: Buffer[] = [];
    sock.on('data', (d: Buffer) => received.push(d));
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
    expect(Buffer.concat(received).equals(Buffer.from(encodeCertificatePreamble(FIXTURE.cert)))).toBe(true);
    expect(handed).toBe(0);
  });

  it('drops incoming sockets over maxPendingHandshakes, and takes new ones once those end', async () => {
    const server = keep(await listenTcpTls({ ...FIXTURE, maxPendingHandshakes: 2 }));
    const silent: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      silent.push(
        await new Promise<Socket>((resolve, reject) => {
          const s = netConnect({ host: '127.0.0.1', port: portOf(server) }, () => resolve(s));
          s.once('error', reject);
        }),
      );
    }
    // Both got their preamble: both are in their handshake.
    await new Promise((r) => setTimeout(r, 50));
    const client = keep(await createTcpTlsDialer({ handshakeTimeoutMs: 2000 }));
    await expect(client.connect(server.location)).rejects.toThrow(/tcp-tls/);
    for (const s of silent) s.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const conn = await client.connect(server.location);
    expect(conn.provenDesignator).toBe(FIXTURE_DESIGNATOR);
  });

  it('drops a client that sends garbage instead of TLS, and stays usable', async () => {
    const server = keep(await listenTcpTls({ ...FIXTURE }));
    const sock = netConnect({ host: '127.0.0.1', port: portOf(server) });
    sock.on('error', () => undefined);
    sock.resume(); // read, so that the server's end is seen
    sock.write('GET / HTTP/1.1\r\n\r\n');
    await new Promise<void>((resolve) => sock.once('close', () => resolve()));
    const client = keep(await createTcpTlsDialer());
    const conn = await client.connect(server.location);
    expect(conn.provenDesignator).toBe(FIXTURE_DESIGNATOR);
  });

  it('refuses an incoming frame over maxMessageBytes, naming the limit', async () => {
    const server = keep(await listenTcpTls({ ...FIXTURE, maxMessageBytes: 1000 }));
    const client = keep(await createTcpTlsDialer({ framing: 'netstring' }));
    const next = acceptor(server);
    const dialled = await client.connect(server.location);
    const rec = record(await next());
    dialled.send(new Uint8Array(2000).fill(0x41));
    await rec.until(() => rec.errors.length === 1);
    expect(rec.errors[0]!.message).toMatch(/2000.*\b1000\b|maxMessageBytes \(1000\)/);
    expect(rec.messages.length).toBe(0);
  });
});

describe('tcp-tls between two OcapnNodes', () => {
  function served() {
    let n = 0;
    return {
      echo: (...args: unknown[]) => args,
      makeCounter: () => ({ inc: () => ++n }),
    };
  }

  it('connects, calls and pipelines; the session is proven on the dialling side', async () => {
    const server = new OcapnNode({ netlayers: [await listenTcpTls()] });
    const client = new OcapnNode({ netlayers: [await createTcpTlsDialer()] });
    keep(server);
    keep(client);
    const uri = server.sturdyRefUri(served());
    expect(uri).toMatch(/^ocapn:\/\/[0-9a-f]{64}\.tcp-tls\/s\/[^?]+\?host=127\.0\.0\.1&port=\d+$/);
    const ref = await client.enliven(uri);
    expect(await (E(ref as any) as any).echo('hi', 1n)).toEqual(['hi', 1n]);
    // Pipelined: inc() is sent to the answer of makeCounter() before that answer arrives.
    const counter = (E(ref as any) as any).makeCounter();
    const results = await Promise.all([(E(counter) as any).inc(), (E(counter) as any).inc()]);
    expect(results).toEqual([1, 2]);
    const [session] = client.sessions;
    expect(session!.identity).toBe('proven');
  });

  it('refuses, before CapTP, a sturdyref whose designator another certificate answers', async () => {
    const impostorNet = await listenTcpTls();
    const impostor = keep(new OcapnNode({ netlayers: [impostorNet] }));
    const client = keep(new OcapnNode({ netlayers: [await createTcpTlsDialer()] }));
    const uri = `ocapn://${FIXTURE_DESIGNATOR}.tcp-tls/s/AAAA?host=127.0.0.1&port=${portOf(impostorNet)}`;
    await expect(Promise.resolve().then(() => client.enliven(uri)).then((r) => (E(r as any) as any).echo())).rejects.toThrow(/refused|hashes to designator/);
    expect(impostor.sessions.length).toBe(0);
  });

  it('restarted with its saved key and cert, a node keeps its URI, and old sturdyrefs work', async () => {
    const first = await listenTcpTls();
    const saved = { key: first.identity.key, cert: first.identity.cert };
    const port = portOf(first);
    const node1 = new OcapnNode({ netlayers: [first] });
    const uri1 = node1.sturdyRefUri(served(), 'counter-swiss');
    await node1.close();
    const again = await listenTcpTls({ ...saved, port });
    const node2 = keep(new OcapnNode({ netlayers: [again] }));
    const uri2 = node2.sturdyRefUri(served(), 'counter-swiss');
    expect(uri2).toBe(uri1);
    expect(again.location).toEqual(first.location);
    const client = keep(new OcapnNode({ netlayers: [await createTcpTlsDialer()] }));
    const ref = await client.enliven(uri1);
    expect(await (E(ref as any) as any).echo('back')).toEqual(['back']);
  });
});

for (const framing of ['raw', 'netstring'] as Framing[]) {
  describeConnectionContract({
    name: `tcp-tls (${framing})`,
    exact: false,
    hasCeiling: true,
    async pair(options = {}): Promise<ContractPair> {
      const server = keep(await listenTcpTls({ ...FIXTURE, framing, ...options }));
      const client = keep(await createTcpTlsDialer({ ...FIXTURE, framing, ...options }));
      const next = acceptor(server);
      const dialled: Connection = await client.connect(server.location);
      const accepted = await next();
      return { dialled, accepted, proven: { dialled: FIXTURE_DESIGNATOR, accepted: undefined }, address: { dialled: '127.0.0.1', accepted: '127.0.0.1' } };
    },
  });
}
