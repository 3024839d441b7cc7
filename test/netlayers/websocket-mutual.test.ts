/**
 * Mutual proof between ocapn-ts nodes over the websocket netlayer (issue 7; ocapn/ocapn
 * #255, #278): the `init:peer-auth-client` frame, and its negotiation in the HTTP upgrade,
 * both ways, against ocapn-ts peers and against Goblins-like peers that know nothing of it.
 * Real sockets on 127.0.0.1 only.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, sign, signatureFromSyrup, signatureToSyrup, verify } from '../../src/crypto/index.js';
import { decode, encode, SyrupRecord, SyrupSymbol } from '../../src/syrup/index.js';
import {
  answerPeerAuth,
  createWebSocketDialer,
  designatorFromPublicKey,
  encodePeerAuth,
  listenWebSocket,
  parsePeerAuth,
  verifyPeerAuthAnswer,
  type WebSocketNetlayer,
  type WebSocketOptions,
} from '../../src/netlayers/websocket/index.js';
import { PeerAuthError, encodeClientProof, verifyClientProof, type ClientProofBinding } from '../../src/netlayers/websocket/peer-auth.js';
import type { Connection } from '../../src/netlayers/interface.js';
import { acceptor, numbered, record } from './helpers.js';
import { fakeServer, rawAuthedClient, rawClient } from './websocket-helpers.js';

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

const LABEL = 'init:peer-auth-client';
const fill = (b: number): Uint8Array => new Uint8Array(32).fill(b);
const client = generateKeyPair();
const server = generateKeyPair();
const binding: ClientProofBinding = { serverKey: server.publicKey, serverNonce: fill(1), clientNonce: fill(2) };
const proof = encodeClientProof(binding, client);

/** The documented signed record, built here by hand (not from the module's shape table). */
function signedRecord(b: ClientProofBinding, clientKey: Uint8Array): SyrupRecord {
  return new SyrupRecord(new SyrupSymbol(LABEL), [b.serverKey, b.serverNonce, b.clientNonce, clientKey]);
}

describe('mutual proof: the <init:peer-auth-client CKEY SIG> frame', () => {
  it('is CKEY and a signature over <init:peer-auth-client SKEY SNONCE CNONCE CKEY>, 161 bytes', () => {
    expect(proof).toHaveLength(161);
    const value = decode(proof) as SyrupRecord;
    expect(value.labelName).toBe(LABEL);
    expect(value.fields).toHaveLength(2);
    expect(value.fields[0]).toEqual(client.publicKey);
    const signature = signatureFromSyrup(value.fields[1]);
    expect(verify(signedRecord(binding, client.publicKey), signature, client.publicKey)).toBe(true);
    expect(verifyClientProof(proof, binding)).toEqual(client.publicKey);
  });

  it('is refused when signed by another key than CKEY, or for another server key, server nonce or client nonce', () => {
    const other = generateKeyPair();
    const forged = encode(
      new SyrupRecord(new SyrupSymbol(LABEL), [client.publicKey, signatureToSyrup(sign(signedRecord(binding, client.publicKey), other.privateKey))]),
    );
    expect(() => verifyClientProof(forged, binding)).toThrow(/does not verify/);
    // A malicious server relays the proof it got to the server it wants to fool.
    expect(() => verifyClientProof(proof, { ...binding, serverKey: other.publicKey })).toThrow(PeerAuthError);
    expect(() => verifyClientProof(proof, { ...binding, clientNonce: fill(9) })).toThrow(PeerAuthError);
  });

  it('replayed on a second connection (another server nonce) it does not verify', () => {
    expect(() => verifyClientProof(proof, { ...binding, serverNonce: fill(3) })).toThrow(/does not verify/);
  });

  it('every truncation and every single-byte change is refused (property, fixed seed)', () => {
    for (let n = 0; n < proof.length; n++) expect(() => verifyClientProof(proof.subarray(0, n), binding)).toThrow(PeerAuthError);
    fc.assert(
      fc.property(fc.nat(proof.length - 1), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const changed = proof.slice();
        changed[at] ^= mask;
        expect(() => verifyClientProof(changed, binding)).toThrow(PeerAuthError);
      }),
      { seed: 0x7e57, numRuns: 500 },
    );
  });

  it('an oversized frame is refused before it is decoded', () => {
    const big = encode(new SyrupRecord(new SyrupSymbol(LABEL), [client.publicKey, new Uint8Array(1000)]));
    expect(big.length).toBeGreaterThan(1024);
    expect(() => verifyClientProof(big, binding)).toThrow(/more than a handshake frame may be/);
    const padded = new Uint8Array(proof.length + 1000);
    padded.set(proof);
    expect(() => verifyClientProof(padded, binding)).toThrow(PeerAuthError);
  });

  it('other frames and shapes are refused with a reason', () => {
    expect(() => verifyClientProof(encodePeerAuth(fill(2)), binding)).toThrow(/must be a <init:peer-auth-client clientKey signature> record/);
    const shortKey = encode(new SyrupRecord(new SyrupSymbol(LABEL), [new Uint8Array(31), (decode(proof) as SyrupRecord).fields[1]]));
    expect(() => verifyClientProof(shortKey, binding)).toThrow(/clientKey must be 32 bytes, got 31/);
    const noSig = encode(new SyrupRecord(new SyrupSymbol(LABEL), [client.publicKey, new Uint8Array(64)]));
    expect(() => verifyClientProof(noSig, binding)).toThrow(/signature is not a well-formed signature/);
    const extra = encode(new SyrupRecord(new SyrupSymbol(LABEL), [...(decode(proof) as SyrupRecord).fields, 1n]));
    expect(() => verifyClientProof(extra, binding)).toThrow(/exactly 2 field/);
  });

  it('bad arguments from our own code throw TypeError / RangeError', () => {
    expect(() => encodeClientProof({ ...binding, serverNonce: new Uint8Array(31) }, client)).toThrow(RangeError);
    expect(() => encodeClientProof({ ...binding, serverKey: 'k' as unknown as Uint8Array }, client)).toThrow(TypeError);
    expect(() => encodeClientProof(binding, null as never)).toThrow(TypeError);
    expect(() => verifyClientProof(proof, { ...binding, clientNonce: new Uint8Array(33) })).toThrow(RangeError);
    expect(() => verifyClientProof('x' as unknown as Uint8Array, binding)).toThrow(TypeError);
  });
});

/** Resolves with the accepted end of the next connection, or `undefined` if none comes within `ms`. */
function acceptedWithin(next: () => Promise<Connection>, ms: number): Promise<Connection | undefined> {
  return Promise.race([next(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}

describe('mutual proof over real sockets: ocapn-ts with ocapn-ts', () => {
  it('a dial-only or a listening dialler proves its designator; CapTP frames follow the proof', async () => {
    const s = await listen();
    const next = acceptor(s);
    for (const d of [dialer(), await listen()]) {
      const c = await d.connect(s.location);
      expect(c.provenDesignator).toBe(s.location.designator);
      const accepted = await next();
      expect(accepted.provenDesignator).toBe(d.location.designator);
      const rs = record(accepted);
      const rc = record(c);
      c.send(numbered(1));
      accepted.send(numbered(2));
      await rs.until(() => rs.messages.length === 1);
      await rc.until(() => rc.messages.length === 1);
      expect(rs.messages).toEqual([numbered(1)]);
      expect(rc.messages).toEqual([numbered(2)]);
      expect(rs.errors).toEqual([]);
    }
  });

  it('the whole exchange fits in the smallest maxPeerAuthBytes (256) on both sides', async () => {
    const s = await listen({ maxPeerAuthBytes: 256 });
    const next = acceptor(s);
    const d = dialer({ maxPeerAuthBytes: 256 });
    const dialled = await d.connect(s.location);
    const accepted = await next();
    expect(accepted.provenDesignator).toBe(d.location.designator);
    // Negotiated: both ends report the extension (Connection.peerExtensions).
    expect(dialled.peerExtensions).toEqual(['x-ocapn-peer-auth/v1']);
    expect(accepted.peerExtensions).toEqual(['x-ocapn-peer-auth/v1']);
  });

  it('with mutualPeerAuth: false on either side, the dialler stays unproven (as with Goblins 0.18)', async () => {
    const s = await listen();
    const off = await listen({ mutualPeerAuth: false });
    const nextS = acceptor(s);
    const nextOff = acceptor(off);
    const unasked = await dialer({ mutualPeerAuth: false }).connect(s.location);
    const unaskedServerSide = await nextS();
    expect(unaskedServerSide.provenDesignator).toBeUndefined();
    const c = await dialer().connect(off.location);
    expect(c.provenDesignator).toBe(off.location.designator);
    const offServerSide = await nextOff();
    expect(offServerSide.provenDesignator).toBeUndefined();
    // Not negotiated: no extension reported on either end.
    for (const conn of [unasked, unaskedServerSide, c, offServerSide]) expect(conn.peerExtensions).toBeUndefined();
    expect(() => createWebSocketDialer({ mutualPeerAuth: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});

describe('mutual proof over real sockets: the listener', () => {
  it('offers a fresh 32-byte nonce (base64url) only to a client that asks', async () => {
    const s = await listen();
    const off = await listen({ mutualPeerAuth: false });
    const asked = [await rawClient(s, true), await rawClient(s, true)];
    const nonces = asked.map(({ headers }) => headers['x-ocapn-peer-auth-nonce'] as string);
    for (const n of nonces) {
      expect(n).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(n, 'base64url')).toHaveLength(32);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
    expect((await rawClient(s, false)).headers['x-ocapn-peer-auth-nonce']).toBeUndefined();
    expect((await rawClient(off, true)).headers['x-ocapn-peer-auth-nonce']).toBeUndefined();
    for (const { ws } of asked) ws.terminate();
  });

  it('a Goblins-like client (no header) runs the plain exchange and is accepted unproven', async () => {
    const s = await listen();
    const next = acceptor(s);
    const raw = await rawAuthedClient(s);
    expect(raw.offered).toBeUndefined();
    expect(() => verifyPeerAuthAnswer(raw.sent, raw.answer, s.publicKey)).not.toThrow();
    raw.ws.send(numbered(4)); // its first CapTP message comes right after the answer
    const accepted = await next();
    expect(accepted.provenDesignator).toBeUndefined();
    const rs = record(accepted);
    await rs.until(() => rs.messages.length === 1);
    expect(rs.messages).toEqual([numbered(4)]);
  });

  it('a client that asked, then sends CapTP instead of its proof, is refused (1008); one that stays silent is dropped', async () => {
    const s = await listen({ handshakeTimeoutMs: 200 });
    const next = acceptor(s);
    const eager = await rawAuthedClient(s, { ask: true });
    expect(eager.offered).toHaveLength(32);
    eager.ws.send(numbered(1));
    expect(await eager.closed).toBe(1008);
    const silent = await rawAuthedClient(s, { ask: true });
    expect(await silent.closed).toBe(1006);
    const text = await rawAuthedClient(s, { ask: true });
    text.ws.send('hello');
    expect(await text.closed).toBe(1008);
    expect(await acceptedWithin(next, 50)).toBeUndefined();
  });

  it('a proof signed by another key, or replayed from another connection, is refused (1008)', async () => {
    const keyPair = generateKeyPair();
    const s = await listen({ keyPair });
    const next = acceptor(s);
    const forger = await rawAuthedClient(s, { ask: true });
    const stolen = generateKeyPair();
    const b = { serverKey: keyPair.publicKey, serverNonce: forger.offered!, clientNonce: parsePeerAuth(forger.sent) };
    const forged = decode(encodeClientProof(b, client)) as SyrupRecord;
    forger.ws.send(encode(new SyrupRecord(forged.label, [stolen.publicKey, forged.fields[1]])));
    expect(await forger.closed).toBe(1008);

    // Capture a real dialler's proof on one connection (a fake server holding the same key)…
    const fake = await fakeServer((first) => answerPeerAuth(first, keyPair.privateKey), [`x-ocapn-peer-auth-nonce: ${Buffer.from(fill(5)).toString('base64url')}`]);
    open.push(fake);
    const d = dialer();
    await d.connect({ ...s.location, hints: { url: fake.url } });
    await expect.poll(() => fake.frames.length).toBe(2);
    const [capturedAuth, capturedProof] = fake.frames;
    expect(verifyClientProof(capturedProof, { serverKey: keyPair.publicKey, serverNonce: fill(5), clientNonce: parsePeerAuth(capturedAuth) })).toEqual(d.publicKey);
    // …and replay both frames to the real listener, which offers another nonce.
    const replayer = await rawAuthedClient(s, { ask: true, nonce: parsePeerAuth(capturedAuth) });
    replayer.ws.send(capturedProof);
    expect(await replayer.closed).toBe(1008);
    expect(await acceptedWithin(next, 50)).toBeUndefined();
  });

  it('maxPeerAuthBytes bounds the proof too: a never-ending second message is dropped', async () => {
    const s = await listen({ handshakeTimeoutMs: 60_000, maxPeerAuthBytes: 4096 });
    const raw = await rawAuthedClient(s, { ask: true });
    for (let i = 0; i < 4; i++) raw.ws.send(new Uint8Array(4096).fill(0x41), { binary: true, fin: false });
    expect(await raw.closed).toBe(1006); // dropped, long before handshakeTimeoutMs
  });
});

describe('mutual proof over real sockets: the dialler', () => {
  it('asks, and facing a Goblins-like server that ignores the header, runs the plain exchange only', async () => {
    const keyPair = generateKeyPair();
    const fake = await fakeServer((first) => answerPeerAuth(first, keyPair.privateKey));
    open.push(fake);
    const designator = designatorFromPublicKey(keyPair.publicKey);
    const c = await dialer().connect({ transport: 'websocket', designator, hints: { url: fake.url } });
    expect(fake.requests[0]['x-ocapn-peer-auth']).toBe('v1');
    expect(c.provenDesignator).toBe(designator);
    c.send(numbered(6));
    await expect.poll(() => fake.frames.length).toBe(2);
    expect(parsePeerAuth(fake.frames[0])).toHaveLength(32);
    expect(fake.frames[1]).toEqual(numbered(6)); // no init:peer-auth-client in between
  });

  it('refuses a server whose nonce header is malformed; ignores an offer it did not ask for', async () => {
    const keyPair = generateKeyPair();
    const designator = designatorFromPublicKey(keyPair.publicKey);
    const answer = (first: Uint8Array): Uint8Array => answerPeerAuth(first, keyPair.privateKey);
    for (const bad of ['abc', `${Buffer.from(fill(1)).toString('base64url')}=`, Buffer.from(new Uint8Array(33)).toString('base64url')]) {
      const fake = await fakeServer(answer, [`x-ocapn-peer-auth-nonce: ${bad}`]);
      open.push(fake);
      const err = await dialer()
        .connect({ transport: 'websocket', designator, hints: { url: fake.url } })
        .catch((e: Error) => e);
      expect((err as Error).message).toMatch(/x-ocapn-peer-auth-nonce header is not the unpadded base64url of 32 bytes/);
      expect((err as Error).cause).toBeInstanceOf(PeerAuthError);
      expect(fake.frames).toEqual([]);
    }
    const unasked = await fakeServer(answer, [`x-ocapn-peer-auth-nonce: ${Buffer.from(fill(1)).toString('base64url')}`]);
    open.push(unasked);
    const c = await dialer({ mutualPeerAuth: false }).connect({ transport: 'websocket', designator, hints: { url: unasked.url } });
    expect(unasked.requests[0]['x-ocapn-peer-auth']).toBeUndefined();
    c.send(numbered(7));
    await expect.poll(() => unasked.frames.length).toBe(2);
    expect(unasked.frames[1]).toEqual(numbered(7));
  });
});
