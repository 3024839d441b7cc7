/**
 * The dial policy (issue 7, item 5): a give names an exporter that the receiver dials, so a
 * peer could point us at any host and port. `dialPolicy` decides which locations a give may
 * make us dial; `refusePrivateAddresses` is the ready-made policy for internet-facing nodes.
 */
import { describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:net';
import { OcapnNode, MemoryNetwork, SigEnvelope, listenTcpTestingOnly, refusePrivateAddresses, allowAnyPeer, type DialContext } from '../../src/index.js';
import { RawPeer, rec, sym } from '../helpers/raw-peer.js';
import { publicKeyToSyrup, signatureToSyrup, sign } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { makeGive } from '../../src/handoff/index.js';
import { toNotation, type SyrupValue } from '../../src/syrup/index.js';
import type { PeerLocator } from '../../src/locator/types.js';
import type { NodeOptions } from '../../src/node/node.js';

const from: DialContext = { reason: 'handoff', from: { transport: 'memory', designator: 'G', hints: false } };
const tcp = (host: string, port = '9'): PeerLocator => ({ transport: 'tcp-testing-only', designator: 'x', hints: { host, port } });
const ws = (url: string): PeerLocator => ({ transport: 'websocket', designator: 'x', hints: { url } });

describe('refusePrivateAddresses', () => {
  it.each([
    ['127.0.0.1', /127\.0\.0\.1 is a loopback address/],
    ['127.1', /127\.0\.0\.1 is a loopback/],
    ['0x7f.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['2130706433', /127\.0\.0\.1 is a loopback/],
    ['0177.0.0.1', /127\.0\.0\.1 is a loopback/],
    ['localhost', /localhost/],
    ['LOCALHOST.', /localhost/],
    ['api.localhost', /localhost/],
    ['0.0.0.0', /unspecified/],
    ['0', /unspecified/],
    ['10.1.2.3', /private address \(10\.0\.0\.0\/8\)/],
    ['172.16.0.1', /private address \(172\.16\.0\.0\/12\)/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private address \(192\.168\.0\.0\/16\)/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /shared address/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['::1', /loopback address \(::1\)/],
    ['[::1]', /loopback/],
    ['::', /unspecified address \(::\)/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['fe80::1', /link-local address \(fe80::\/10\)/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /loopback address \(127\.0\.0\.0\/8\) in IPv6 form/],
    ['::ffff:10.0.0.1', /private address \(10\.0\.0\.0\/8\) in IPv6 form/],
    ['64:ff9b::192.168.0.1', /private .* in IPv6 form/],
    ['', /does not parse/],
    ['bad host', /does not parse/],
    ['fe80::1%eth0', /does not parse/],
  ])('refuses tcp host %j', (host, reason) => {
    const verdict = refusePrivateAddresses(tcp(host), from);
    expect(typeof verdict).toBe('string');
    expect(verdict).toMatch(reason);
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '100.128.0.1', 'example.org', '2001:db8::1', '::ffff:8.8.8.8', '[2606:4700::1111]'])('allows tcp host %j', (host) => {
    expect(refusePrivateAddresses(tcp(host), from)).toBe(true);
  });

  it.each([
    ['ws://127.0.0.1:8080/ocapn', /loopback/],
    ['wss://[::1]/', /loopback/],
    ['ws://localhost:1', /localhost/],
    ['ws://10.0.0.8/', /private/],
    ['ws://user@192.168.0.1/', /private/],
    ['not a url', /does not parse/],
  ])('refuses websocket url %j', (url, reason) => {
    expect(refusePrivateAddresses(ws(url), from)).toMatch(reason);
  });

  it('allows public websocket urls and transports without hosts', () => {
    expect(refusePrivateAddresses(ws('wss://example.org/ocapn'), from)).toBe(true);
    expect(refusePrivateAddresses(ws('ws://1.1.1.1:443'), from)).toBe(true);
    expect(refusePrivateAddresses({ transport: 'memory', designator: 'x', hints: false }, from)).toBe(true);
    expect(refusePrivateAddresses({ transport: 'onion', designator: 'abc', hints: false }, from)).toBe(true);
  });

  it('refuses locators missing the hint it needs', () => {
    expect(refusePrivateAddresses({ transport: 'tcp-testing-only', designator: 'x', hints: false }, from)).toBe('no host hint');
    expect(refusePrivateAddresses({ transport: 'websocket', designator: 'x', hints: {} }, from)).toBe('no url hint');
  });

  it('allowAnyPeer allows everything', () => {
    expect(allowAnyPeer(tcp('127.0.0.1'), from)).toBe(true);
  });
});

/** A plain TCP server on loopback that counts the connections it gets (and answers nothing). */
async function countingServer(): Promise<{ server: Server; port: string; count: () => number }> {
  let n = 0;
  const server = createServer((sock) => {
    n++;
    sock.on('error', () => {});
    sock.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, port: String(typeof addr === 'object' && addr ? addr.port : 0), count: () => n };
}

/** Receiver R (memory + tcp netlayers) and a raw gifter G on memory, holding R's `take` object. */
async function receiver(options: Partial<NodeOptions>) {
  const net = new MemoryNetwork();
  const tcpNet = await listenTcpTestingOnly({ host: '127.0.0.1' });
  const R = new OcapnNode({ ...options, netlayers: [net.netlayer('R'), tcpNet] });
  R.register({ take: async (...gifts: unknown[]) => Promise.allSettled(gifts).then((rs) => rs.map((x) => (x.status === 'rejected' ? (x.reason as Error).message : 'ok'))) }, 'svc');
  const G = await RawPeer.dial(net.netlayer('G'), R.location);
  await G.handshake();
  G.send(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), new TextEncoder().encode('svc')], 0n, rec('desc:import-object', 1n)));
  await G.nextNonGc();
  const give = (exporter: PeerLocator): SyrupValue => {
    const g = makeGive({
      receiverKey: publicKeyToSyrup(G.peerKey!),
      exporterLocation: peerLocatorToSyrup(exporter),
      session: new Uint8Array(32).fill(7),
      gifterSide: new Uint8Array(32).fill(8),
      giftId: new Uint8Array(32).fill(9),
    });
    return new SigEnvelope(g, signatureToSyrup(sign(g, G.keyPair.privateKey))).toSyrup();
  };
  /** G sends `take(gives…)`; returns what R's take saw for each give. */
  const take = async (...gives: SyrupValue[]): Promise<string> => {
    G.send(rec('op:deliver', rec('desc:answer', 0n), [sym('take'), ...gives], 1n, rec('desc:import-object', 2n)));
    return toNotation(await G.nextNonGc(10_000));
  };
  return { R, G, give, take, close: () => R.close() };
}

describe('dialPolicy on the receiver', () => {
  it('refusePrivateAddresses: a give naming a loopback exporter breaks with the reason, and nothing is dialled', async () => {
    const srv = await countingServer();
    const seen: DialContext[] = [];
    const s = await receiver({
      handoff: {
        dialPolicy: (loc, ctx) => {
          seen.push(ctx);
          return refusePrivateAddresses(loc, ctx);
        },
      },
    });
    try {
      const reply = await s.take(s.give({ transport: 'tcp-testing-only', designator: 'E', hints: { host: '127.0.0.1', port: srv.port } }));
      expect(reply).toContain('the dial policy refuses the exporter: 127.0.0.1 is a loopback address (127.0.0.0/8)');
      expect(srv.count()).toBe(0);
      expect(seen[0]).toEqual({ reason: 'handoff', from: s.G.location });
      expect(s.R.sessions[0].isActive).toBe(true);
    } finally {
      await s.close();
      srv.server.close();
    }
  });

  it('the default policy dials (the port gets a connection); a policy returning false refuses', async () => {
    const srv = await countingServer();
    const s = await receiver({});
    try {
      await s.take(s.give({ transport: 'tcp-testing-only', designator: 'E', hints: { host: '127.0.0.1', port: srv.port } }));
      expect(srv.count()).toBeGreaterThan(0);
    } finally {
      await s.close();
    }
    const t = await receiver({ handoff: { dialPolicy: () => false } });
    try {
      const before = srv.count();
      const reply = await t.take(t.give({ transport: 'tcp-testing-only', designator: 'E2', hints: { host: '127.0.0.1', port: srv.port } }));
      expect(reply).toContain('the dial policy refuses the exporter: not allowed');
      expect(srv.count()).toBe(before);
    } finally {
      await t.close();
      srv.server.close();
    }
  });

  it('a throwing policy refuses with its message; a non-function policy is refused at construction', async () => {
    const s = await receiver({
      handoff: {
        dialPolicy: () => {
          throw new Error('policy exploded');
        },
      },
    });
    try {
      expect(await s.take(s.give({ transport: 'memory', designator: 'nobody', hints: false }))).toContain('the dial policy threw: policy exploded');
    } finally {
      await s.close();
    }
    const net = new MemoryNetwork();
    expect(() => new OcapnNode({ netlayers: [net.netlayer('x')], handoff: { dialPolicy: 'refuse' as never } })).toThrow(TypeError);
  });
});
