/** The websocket netlayer: Goblins 0.18 vectors, peer-auth, real loopback sockets (127.0.0.1 only). */
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { E } from '../../src/captp/eventual-send.js';
import { generateKeyPair, keyPairFromSeed } from '../../src/crypto/index.js';
import { OcapnNode } from '../../src/node/node.js';
import {
  PeerAuthError,
  WEBSOCKET_TRANSPORT,
  answerPeerAuth,
  base32Decode,
  base32Encode,
  createWebSocketDialer,
  designatorFromPublicKey,
  encodePeerAuth,
  listenWebSocket,
  parsePeerAuth,
  publicKeyFromDesignator,
  verifyPeerAuthAnswer,
  type WebSocketNetlayer,
  type WebSocketOptions,
} from '../../src/netlayers/websocket/index.js';
import { acceptor, bytes, dialPair, numbered, record } from './helpers.js';
import { collect, fakeServer, loadWsDemo, parseServerFrames, portOf, rawAuthedClient, tcpClient } from './websocket-helpers.js';

const open: { close(): Promise<void> }[] = [];
async function listen(options?: WebSocketOptions): Promise<WebSocketNetlayer> {
  const n = await listenWebSocket(options);
  open.push(n);
  return n;
}
function dialer(options?: Parameters<typeof createWebSocketDialer>[0]): WebSocketNetlayer {
  const n = createWebSocketDialer(options);
  open.push(n);
  return n;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((n) => n.close()));
});

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const demo = loadWsDemo();

describe('base32 (RFC 4648 §6, unpadded, lowercase)', () => {
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ];
  it('matches the RFC 4648 test vectors, reading either case', () => {
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(ascii(plain))).toBe(encoded);
      expect(base32Decode(encoded)).toEqual(ascii(plain));
      expect(base32Decode(encoded.toUpperCase())).toEqual(ascii(plain));
    }
    expect(base32Encode(new Uint8Array([0xff, 0x00, 0x10]))).toBe('74aba');
  });

  it('rejects padding, foreign characters, impossible lengths and non-zero tail bits', () => {
    expect(() => base32Decode('my======')).toThrow(RangeError);
    expect(() => base32Decode('mzxw6yq=')).toThrow(/invalid character "="/);
    for (const bad of ['m0', 'm1', 'm8', 'm9', 'm y', 'mé', 'm-']) expect(() => base32Decode(bad)).toThrow(RangeError);
    for (const bad of ['m', 'mzx', 'mzxw6y', 'mzxw6ytbo']) expect(() => base32Decode(bad)).toThrow(/impossible length/);
    expect(() => base32Decode('mz')).toThrow(/non-zero padding bits/); // 'f' is 'my'
    expect(() => base32Decode(5 as unknown as string)).toThrow(TypeError);
    expect(() => base32Encode('f' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('round-trips any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const text = base32Encode(b);
        expect(text).toMatch(/^[a-z2-7]*$/);
        expect(text.length).toBe(Math.ceil((b.length * 8) / 5));
        expect(base32Decode(text)).toEqual(b);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('designators are base32 of exactly 32 bytes', () => {
    const key = keyPairFromSeed(new Uint8Array(32).fill(1)).publicKey;
    const designator = designatorFromPublicKey(key);
    expect(designator).toMatch(/^[a-z2-7]{52}$/);
    expect(publicKeyFromDesignator(designator)).toEqual(key);
    expect(publicKeyFromDesignator(designator.toUpperCase())).toEqual(key);
    expect(() => publicKeyFromDesignator('mzxw6ytboi')).toThrow(/32-byte key, got 6 bytes/);
    expect(() => publicKeyFromDesignator('not base32!')).toThrow(RangeError);
    expect(() => designatorFromPublicKey(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('peer-auth against the recorded Goblins 0.18 session (vectors/goblins ws-demo)', () => {
  const { designator } = demo.capture.peer_auth;
  const key = publicKeyFromDesignator(designator);
  const [clientFirst] = demo.clientFrames;
  const [serverFirst] = demo.serverFrames;

  it('decodes the designator to a 32-byte key that is not the session key', () => {
    expect(key).toHaveLength(32);
    expect(base32Encode(key)).toBe(designator);
    expect(Buffer.from(key).toString('hex')).not.toBe(demo.capture.start_session.server.pubkey_q);
    expect(demo.capture.peer_auth.url_hint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it("the client's first frame is <init:peer-auth 32-byte nonce>, byte for byte what we build", () => {
    const nonce = parsePeerAuth(clientFirst);
    expect(nonce).toHaveLength(demo.capture.peer_auth.client_nonce_length);
    expect(encodePeerAuth(nonce)).toEqual(clientFirst);
    expect(Buffer.from(clientFirst.subarray(0, 20)).toString('latin1')).toBe("<14'init:peer-auth32");
  });

  it("the server's signature verifies over the exact bytes of the client's first frame", () => {
    expect(() => verifyPeerAuthAnswer(clientFirst, serverFirst, key)).not.toThrow();
    // Independently of our code: Ed25519 over the raw frame bytes, signature = r ‖ s at the end.
    const sig = new Uint8Array(64);
    const tail = serverFirst.length;
    sig.set(serverFirst.subarray(tail - 76, tail - 44), 0); // [1'r32:<r>]
    sig.set(serverFirst.subarray(tail - 36, tail - 4), 32); // [1's32:<s>]
    expect(ed25519.verify(sig, clientFirst, key)).toBe(true);
    // …and the envelope echoes the client's frame byte for byte.
    const prefix = ascii("<17'desc:sig-envelope");
    expect(serverFirst.subarray(0, prefix.length)).toEqual(prefix);
    expect(serverFirst.subarray(prefix.length, prefix.length + clientFirst.length)).toEqual(clientFirst);
  });

  it('fails for another key, another nonce, or a tampered signature', () => {
    const other = generateKeyPair().publicKey;
    expect(() => verifyPeerAuthAnswer(clientFirst, serverFirst, other)).toThrow(/does not verify/);
    const otherNonce = encodePeerAuth(new Uint8Array(32).fill(9));
    expect(() => verifyPeerAuthAnswer(otherNonce, serverFirst, key)).toThrow(/different nonce/);
    const tampered = serverFirst.slice();
    tampered[tampered.length - 10] ^= 1;
    expect(() => verifyPeerAuthAnswer(clientFirst, tampered, key)).toThrow(PeerAuthError);
    expect(() => verifyPeerAuthAnswer(clientFirst, clientFirst, key)).toThrow(/sig-envelope/);
    expect(() => verifyPeerAuthAnswer(clientFirst, bytes('garbage'), key)).toThrow(/not one canonical Syrup value/);
  });

  it('our answer has the same shape and length as Goblins, and verifies', () => {
    const pair = keyPairFromSeed(new Uint8Array(32).fill(3));
    const ours = answerPeerAuth(clientFirst, pair.privateKey);
    expect(ours).toHaveLength(serverFirst.length);
    expect(ours.subarray(0, 21 + 54)).toEqual(serverFirst.subarray(0, 21 + 54));
    expect(() => verifyPeerAuthAnswer(clientFirst, ours, pair.publicKey)).not.toThrow();
    expect(() => answerPeerAuth(bytes("<14'init:peer-auth3:abc>"), pair.privateKey)).toThrow(/32 bytes, got 3/);
    expect(() => answerPeerAuth(bytes("<3'foo>"), pair.privateKey)).toThrow(PeerAuthError);
  });
});

describe('websocket netlayer: options and locator', () => {
  it('advertises a base32 designator of its key and a ws:// url with the actual port', async () => {
    const pair = keyPairFromSeed(new Uint8Array(32).fill(5));
    const n = await listen({ keyPair: pair });
    expect(n.transport).toBe(WEBSOCKET_TRANSPORT);
    expect(n.listening).toBe(true);
    expect(n.publicKey).toEqual(pair.publicKey);
    expect(n.location).toEqual({ transport: 'websocket', designator: base32Encode(pair.publicKey), hints: { url: `ws://127.0.0.1:${portOf(n)}` } });
    expect(portOf(n)).toBeGreaterThan(0);
    expect(Object.isFrozen(n.location)).toBe(true);
    const other = await listen({ url: 'wss://example.org:443/ocapn' });
    expect(other.location.hints).toEqual({ url: 'wss://example.org:443/ocapn' });
    expect(other.location.designator).not.toBe(n.location.designator);
  });

  it('validates options', async () => {
    await expect(listenWebSocket({ port: 70000 })).rejects.toThrow(RangeError);
    await expect(listenWebSocket({ maxMessageBytes: 0 })).rejects.toThrow(RangeError);
    await expect(listenWebSocket({ handshakeTimeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(listenWebSocket({ closeLingerMs: -1 })).rejects.toThrow(RangeError);
    await expect(listenWebSocket({ host: '' })).rejects.toThrow(TypeError);
    await expect(listenWebSocket({ url: 'http://x:1' })).rejects.toThrow(/ws:\/\/ or wss:\/\//);
    await expect(listenWebSocket({ keyPair: { privateKey: new Uint8Array(32), publicKey: new Uint8Array(32) } })).rejects.toThrow(/does not belong/);
    await expect(listenWebSocket({ keyPair: {} as never })).rejects.toThrow(TypeError);
    expect(() => createWebSocketDialer({ port: 1 } as never)).toThrow(TypeError);
    expect(() => createWebSocketDialer({ host: 'x' } as never)).toThrow(TypeError);
  });

  it('rejects a port already in use with a clear error', async () => {
    const n = await listen();
    await expect(listenWebSocket({ port: portOf(n) })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });

  it('connect() validates the locator', async () => {
    const n = dialer();
    const designator = designatorFromPublicKey(generateKeyPair().publicKey);
    await expect(n.connect({ transport: 'tcp-testing-only', designator, hints: { url: 'ws://127.0.0.1:1' } })).rejects.toThrow(TypeError);
    await expect(n.connect({ transport: 'websocket', designator: 'abc', hints: { url: 'ws://127.0.0.1:1' } })).rejects.toThrow(RangeError);
    await expect(n.connect({ transport: 'websocket', designator, hints: { host: '127.0.0.1' } })).rejects.toThrow(TypeError);
    await expect(n.connect({ transport: 'websocket', designator, hints: { url: 'http://127.0.0.1:1' } })).rejects.toThrow(RangeError);
    await expect(n.connect({ transport: 'websocket', designator, hints: false })).rejects.toThrow(/does not listen/);
  });

  it('connect() to a port nobody listens on rejects naming the target', async () => {
    const probe = await listen();
    const port = portOf(probe);
    await probe.close();
    const designator = designatorFromPublicKey(generateKeyPair().publicKey);
    await expect(dialer().connect({ transport: 'websocket', designator, hints: { url: `ws://127.0.0.1:${port}` } })).rejects.toThrow(
      new RegExp(`cannot connect to ws://127\\.0\\.0\\.1:${port} \\(designator "${designator}"\\): .*ECONNREFUSED`),
    );
  });

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    const n = await listen();
    const res = await fetch(`http://127.0.0.1:${portOf(n)}/`);
    expect(res.status).toBe(426);
    await res.text();
  });
});

describe('websocket netlayer: transport', () => {
  it('exchanges 1,000 messages in order both ways', async () => {
    const server = await listen();
    const client = dialer();
    const [c, s] = await dialPair(client, server);
    const rc = record(c);
    const rs = record(s);
    const count = 1000;
    for (let i = 0; i < count; i++) {
      c.send(numbered(i));
      s.send(numbered(count + i, i % 300));
    }
    await rs.until(() => rs.messages.length === count);
    await rc.until(() => rc.messages.length === count);
    rs.messages.forEach((m, i) => expect(m).toEqual(numbered(i)));
    rc.messages.forEach((m, i) => expect(m).toEqual(numbered(count + i, i % 300)));
    expect(rs.errors).toEqual([]);
    expect(rc.errors).toEqual([]);
    expect(client.connectionCount).toBe(1);
    expect(server.connectionCount).toBe(1);
  });

  it('copies what it sends and delivers plain Uint8Arrays', async () => {
    const server = await listen();
    const next = acceptor(server);
    const c = await dialer().connect(server.location);
    const rs = record(await next());
    const msg = numbered(1, 10);
    c.send(msg);
    msg.fill(0);
    await rs.until(() => rs.messages.length === 1);
    expect(rs.messages[0]).toEqual(numbered(1, 10));
    expect(Buffer.isBuffer(rs.messages[0])).toBe(false);
    expect(() => c.send('x' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('hands over connections that arrived before accept()', async () => {
    const server = await listen();
    const c = await dialer().connect(server.location);
    c.send(numbered(7));
    await new Promise((r) => setTimeout(r, 30));
    const s = await acceptor(server)();
    const rs = record(s);
    await rs.until(() => rs.messages.length === 1);
    expect(rs.messages[0]).toEqual(numbered(7));
  });

  it('close() on either side reaches the other as close() without error', async () => {
    const server = await listen();
    const next = acceptor(server);
    const client = dialer();
    const c1 = await client.connect(server.location);
    const s1 = await next();
    const [rc1, rs1] = [record(c1), record(s1)];
    c1.send(numbered(1));
    c1.close();
    await rs1.until(() => rs1.closes.length === 1);
    expect(rs1.messages).toEqual([numbered(1)]); // sent before close: still delivered
    expect(rs1.closes).toEqual([undefined]);
    expect(rc1.closes).toEqual([undefined]);
    c1.send(numbered(2)); // ignored after close
    c1.close(); // idempotent

    const c2 = await client.connect(server.location);
    const s2 = await next();
    const [rc2, rs2] = [record(c2), record(s2)];
    s2.close();
    await rc2.until(() => rc2.closes.length === 1);
    expect(rc2.closes).toEqual([undefined]);
    expect(rs2.order).toEqual(['close']);
    await new Promise((r) => setTimeout(r, 20));
    expect(server.connectionCount).toBe(0);
    expect(client.connectionCount).toBe(0);
  });

  it('a peer that drops the TCP stream without a close frame (as Goblins does) gives close() without error', async () => {
    const server = await listen();
    const next = acceptor(server);
    const raw = await rawAuthedClient(server);
    const rs = record(await next());
    raw.ws.terminate();
    await rs.until(() => rs.closes.length === 1);
    expect(rs.closes).toEqual([undefined]);
  });

  it('a throwing message handler drops the connection and reports close(thatError)', async () => {
    const server = await listen();
    const [c, s] = await dialPair(dialer(), server);
    const boom = new Error('handler bug');
    const closes: (Error | undefined)[] = [];
    s.setHandlers({
      message: () => {
        throw boom;
      },
      error: () => undefined,
      close: (e) => closes.push(e),
    });
    const rc = record(c);
    c.send(numbered(1));
    await rc.until(() => rc.closes.length === 1);
    expect(closes).toEqual([boom]);
    expect(() => s.setHandlers({ message() {}, error() {}, close() {} })).toThrow(TypeError);
  });

  it('netlayer.close() closes every connection on both sides and refuses new dials', async () => {
    const server = await listen();
    const next = acceptor(server);
    const client = dialer();
    const rc = record(await client.connect(server.location));
    const rs = record(await next());
    await server.close();
    await rc.until(() => rc.closes.length === 1);
    expect(rs.closes).toEqual([undefined]);
    expect(server.connectionCount).toBe(0);
    await expect(server.connect(server.location)).rejects.toThrow(/closed/);
    await client.close();
    await client.close(); // idempotent
  });
});

describe('websocket netlayer: malformed incoming messages', () => {
  async function afterAuth(options: WebSocketOptions = {}) {
    const server = await listen(options);
    const next = acceptor(server);
    const raw = await rawAuthedClient(server);
    const s = await next();
    return { raw, s, rs: record(s) };
  }

  it('a text message → error(); later messages are dropped; the connection stays writable', async () => {
    const { raw, s, rs } = await afterAuth();
    raw.ws.send("<3'foo>"); // text, not binary
    raw.ws.send(numbered(1));
    await rs.until(() => rs.errors.length === 1);
    expect(rs.errors[0].message).toMatch(/text message/);
    s.send(numbered(2)); // e.g. op:abort
    await new Promise((r) => setTimeout(r, 30));
    expect(raw.received).toEqual([numbered(2)]);
    expect(rs.messages).toEqual([]);
    s.close();
    expect(await raw.closed).toBe(1000);
    expect(rs.order).toEqual(['error', 'close']);
  });

  it('an oversized message → error(), then close(error); the peer sees close code 1009', async () => {
    const { raw, rs } = await afterAuth({ maxMessageBytes: 1000 });
    const fits = numbered(1, 980);
    expect(fits.length).toBeLessThanOrEqual(1000);
    raw.ws.send(fits);
    raw.ws.send(numbered(2, 2000));
    await rs.until(() => rs.closes.length === 1);
    expect(rs.messages).toEqual([fits]);
    expect(rs.errors).toHaveLength(1);
    expect(rs.errors[0].message).toMatch(/exceeds maxMessageBytes \(1000\)/);
    expect(rs.closes[0]).toBe(rs.errors[0]);
    expect(await raw.closed).toBe(1009);
  });

  const garbage: [string, Uint8Array, RegExp][] = [
    ['not a record', bytes('hello'), /not a Syrup record/],
    ['empty', new Uint8Array(0), /not a Syrup record \(empty\)/],
    ['incomplete', bytes("<3'foo3:ab"), /incomplete Syrup record/],
    ['trailing bytes', bytes("<3'foo>x"), /1 bytes after its Syrup record/],
    ['two records', bytes("<3'foo><3'bar>"), /after its Syrup record/],
    ['malformed Syrup', bytes("<3'foo 1+>"), /malformed Syrup/],
  ];
  for (const [name, frame, pattern] of garbage) {
    it(`${name} → error()`, async () => {
      const { raw, rs } = await afterAuth();
      raw.ws.send(numbered(1));
      raw.ws.send(frame);
      raw.ws.send(numbered(2));
      await rs.until(() => rs.errors.length === 1);
      await new Promise((r) => setTimeout(r, 20));
      expect(rs.messages).toEqual([numbered(1)]);
      expect(rs.errors[0].name).toBe('WebSocketMessageError');
      expect(rs.errors[0].message).toMatch(pattern);
    });
  }
});

describe('websocket netlayer: peer authentication', () => {
  it('connect() rejects a server whose signature is made with another key', async () => {
    const real = generateKeyPair();
    const impostor = generateKeyPair();
    const fake = await fakeServer((first) => answerPeerAuth(first, impostor.privateKey));
    open.push(fake);
    const locator = { transport: 'websocket', designator: designatorFromPublicKey(real.publicKey), hints: { url: fake.url } };
    const err = await dialer().connect(locator).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/peer authentication with ws:\/\/127\.0\.0\.1:\d+ \(designator "[a-z2-7]{52}"\) failed: .*does not verify/);
    expect((err as Error).cause).toBeInstanceOf(PeerAuthError);
    // what the fake server got first: our <init:peer-auth 32-byte nonce>
    expect(parsePeerAuth(fake.firstFrames[0])).toHaveLength(32);
  });

  it('connect() rejects a server that replays the recorded Goblins answer (stale nonce)', async () => {
    const fake = await fakeServer(() => demo.serverFrames[0]);
    open.push(fake);
    const locator = { transport: 'websocket', designator: demo.capture.peer_auth.designator, hints: { url: fake.url } };
    await expect(dialer().connect(locator)).rejects.toThrow(/different nonce/);
  });

  it('connect() rejects when the designator does not match the real server key', async () => {
    const server = await listen();
    let accepted = 0;
    server.accept(() => accepted++);
    const wrong = designatorFromPublicKey(generateKeyPair().publicKey);
    await expect(dialer().connect({ ...server.location, designator: wrong })).rejects.toThrow(/does not verify with the key of the designator/);
    const ok = await dialer().connect(server.location);
    expect(ok.outgoing).toBe(true);
  });

  it('connect() rejects a server that answers with text, or never answers', async () => {
    const designator = designatorFromPublicKey(generateKeyPair().publicKey);
    const text = await fakeServer(() => 'hello' as unknown as Uint8Array);
    const silent = await fakeServer(() => undefined);
    open.push(text, silent);
    await expect(dialer().connect({ transport: 'websocket', designator, hints: { url: text.url } })).rejects.toThrow(/text message/);
    await expect(dialer({ handshakeTimeoutMs: 150 }).connect({ transport: 'websocket', designator, hints: { url: silent.url } })).rejects.toThrow(
      /failed: timed out after 150 ms/,
    );
  });

  it('the server refuses a client whose first message is not init:peer-auth (close 1008), or that stays silent', async () => {
    const server = await listen({ handshakeTimeoutMs: 150 });
    let accepted = 0;
    server.accept(() => accepted++);
    const { WebSocket } = await import('ws');
    const bad = new WebSocket(`ws://127.0.0.1:${portOf(server)}`);
    const badClosed = new Promise<number>((resolve) => bad.once('close', resolve));
    bad.once('open', () => bad.send(numbered(1)));
    expect(await badClosed).toBe(1008);
    const silent = new WebSocket(`ws://127.0.0.1:${portOf(server)}`);
    const silentClosed = new Promise<number>((resolve) => silent.once('close', resolve));
    expect(await silentClosed).toBe(1006);
    expect(accepted).toBe(0);
  });

  it('accepts the Goblins HTTP upgrade (Host without port, Sec-Websocket-*) and the recorded client stream', async () => {
    const server = await listen();
    const next = acceptor(server);
    const sock = await tcpClient(portOf(server));
    const got = collect(sock);
    const tcp = demo.clientTcp;
    const request = demo.capture.http_upgrade.client_to_server;
    expect(Buffer.from(tcp.subarray(0, request.length)).toString('latin1')).toBe(request);
    expect(request).toMatch(/\r\nHost: 127\.0\.0\.1\r\n/);
    expect(request).toMatch(/\r\nSec-Websocket-Key: /);
    sock.write(tcp); // the upgrade request and all 41 masked frames, as Goblins sent them
    const s = await next();
    const rs = record(s);
    const expected = demo.clientFrames.slice(1);
    await rs.until(() => rs.messages.length === expected.length);
    expect(rs.messages).toEqual(expected);
    sock.end(); // Goblins ends with a FIN, no close frame
    await rs.until(() => rs.closes.length === 1);
    expect(rs.closes).toEqual([undefined]);
    expect(rs.errors).toEqual([]);
    await got.ended;
    const reply = got.data();
    const headEnd = reply.indexOf('\r\n\r\n') + 4;
    const head = reply.subarray(0, headEnd).toString('latin1');
    expect(head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(head).toMatch(/\r\nSec-WebSocket-Accept: inQ6Gx2tWN\+8xAZsxx2hkRfuGbQ=\r\n/i); // what Goblins' server answered
    const frames = parseServerFrames(new Uint8Array(reply.subarray(headEnd)));
    expect(frames[0].opcode).toBe(2); // binary
    expect(() => verifyPeerAuthAnswer(demo.clientFrames[0], frames[0].payload, server.publicKey)).not.toThrow();
  });
});

describe('websocket netlayer: dial-only', () => {
  it('has hints false (or the url it is given), connects, and cannot be dialled', async () => {
    const d = dialer();
    expect(d.listening).toBe(false);
    expect(d.location.hints).toBe(false);
    expect(d.location.designator).toBe(designatorFromPublicKey(d.publicKey));
    d.accept(() => {
      throw new Error('a dialer never accepts');
    });
    const server = await listen();
    const next = acceptor(server);
    const c = await d.connect(server.location);
    const rs = record(await next());
    c.send(numbered(3));
    await rs.until(() => rs.messages.length === 1);
    expect(rs.messages[0]).toEqual(numbered(3));
    await expect(server.connect(d.location)).rejects.toThrow(/does not listen/);
    expect(dialer({ url: 'wss://relay.example/x' }).location.hints).toEqual({ url: 'wss://relay.example/x' });
  });
});

describe('two OcapnNodes over websocket', () => {
  async function roundTrip(clientNetlayer: WebSocketNetlayer): Promise<void> {
    const serverNetlayer = await listen();
    const sent: string[] = [];
    const a = new OcapnNode({ netlayers: [serverNetlayer] });
    const b = new OcapnNode({ netlayers: [clientNetlayer], tap: (e) => e.direction === 'out' && sent.push(Buffer.from(e.bytes).toString('latin1')) });
    let count = 0n;
    const counter = {
      increment: (n: bigint) => (count += n),
      child: (label: string) => ({ describe: () => `child ${label}`, add: (x: bigint, y: bigint) => x + y }),
    };
    const uri = a.sturdyRefUri(counter);
    expect(uri).toMatch(new RegExp(`^ocapn://${serverNetlayer.location.designator}\\.websocket`));
    const ref = await b.enliven(uri);
    expect(await E(ref as any).increment(5n)).toBe(5n);
    const child = E(ref as any).child('x'); // pipelined: not awaited
    const [sum, text] = await Promise.all([E(child).add(2n, 3n), E(child).describe()]);
    expect(sum).toBe(5n);
    expect(text).toBe('child x');
    expect(sent.some((m) => m.includes("<10'op:deliver<11'desc:answer"))).toBe(true);
    expect(a.sessions).toHaveLength(1);
    await b.close();
    await a.close();
  }

  it('enliven a sturdyref, call, pipeline (both nodes listening)', async () => {
    await roundTrip(await listen());
  });

  it('enliven a sturdyref, call, pipeline (client dial-only)', async () => {
    await roundTrip(dialer());
  });
});
