/**
 * Issue 7, hole 1: impersonation. A peer's op:start-session locator is self-asserted; over
 * WebSocket only the server we dial is proven. A node must never send a swiss number (a
 * `fetch`) over a session whose peer only claimed the sturdyref's location, and a claimant must
 * neither lock the real peer out nor displace a proven session in crossed hellos. Goblins'
 * case (it dials us without proving anything, then we need it) keeps working: the peer's
 * refusal of our dial confirms its claimed session. Real WebSocket sockets on loopback.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, E, listenWebSocket, createWebSocketDialer, type OcapnSturdyRef, type WebSocketOptions } from '../../src/index.js';
import { keyPairFromSeed, publicId, randomBytes } from '../../src/crypto/index.js';
import { bytesEqual, encode } from '../../src/syrup/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import type { PeerLocator } from '../../src/locator/types.js';
import { watchProcessFaults } from '../hostile/harness.js';

watchProcessFaults();

const SWISS = new TextEncoder().encode('the-secret-swiss-number-of-x-123');
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function wsNode(onTap?: ConstructorParameters<typeof OcapnNode>[0]['tap'], options?: WebSocketOptions): Promise<OcapnNode> {
  const node = new OcapnNode({ netlayers: [await listenWebSocket(options)], tap: onTap });
  cleanup.push(() => node.close());
  return node;
}

/** Whether `needle` occurs in `hay`. */
function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * An attacker: dials `victim` over WebSocket (proving nothing about itself, as Goblins 0.18
 * does; with mutual proof its own key would contradict the claim, see mutual-auth.test.ts)
 * and claims `claimed`.
 */
async function impostor(victim: OcapnNode, claimed: PeerLocator, seed = randomBytes(32)): Promise<RawPeer> {
  const dialer = createWebSocketDialer({ mutualPeerAuth: false });
  cleanup.push(() => dialer.close());
  const conn = await dialer.connect(victim.location);
  return new RawPeer(conn, keyPairFromSeed(seed), claimed);
}

/** A seed whose session Public ID starts with 0xff: it wins almost any crossed-hellos tie-break. */
function highIdSeed(): Uint8Array {
  for (;;) {
    const seed = randomBytes(32);
    if (publicId(keyPairFromSeed(seed).publicKey)[0] === 0xff) return seed;
  }
}

async function hostX(options?: WebSocketOptions): Promise<{ X: OcapnNode; ref: OcapnSturdyRef }> {
  const X = await wsNode(undefined, options);
  const ref = X.register({ whoami: () => 'the real X' }, SWISS);
  return { X, ref };
}

describe('impersonation over WebSocket (issue 7, hole 1)', () => {
  it('a claimant that took X\'s locator first never receives X\'s swiss number; enliven reaches the real X', async () => {
    const { X, ref } = await hostX();
    const V = await wsNode();
    const A = await impostor(V, X.location);
    await A.handshake();
    const remote = await V.enliven<{ whoami(): string }>(ref);
    expect(await E(remote).whoami()).toBe('the real X');
    for (const bytes of A.receivedBytes) expect(contains(bytes, SWISS)).toBe(false);
    expect(V.sessionWith(X.location)?.identity).toBe('proven');
  });

  it('a claimant with a high Public ID racing our dial (crossed hellos) neither gets the swiss nor kills the proven session', async () => {
    for (let run = 0; run < 4; run++) {
      let armed: (() => void) | undefined;
      const X = await wsNode((ev) => {
        if (ev.direction === 'in' && (ev.message as { labelName?: string }).labelName === 'op:start-session') armed?.();
      });
      const ref = X.register({ whoami: () => 'the real X' }, SWISS);
      const V = await wsNode();
      const A = await impostor(V, X.location, highIdSeed());
      await A.expect('op:start-session'); // V's hello; A holds its own back
      // A answers the moment V's dial to X has said hello: V's real session is in its handshake.
      armed = () => A.send(A.startSession());
      const remote = await V.enliven<{ whoami(): string }>(ref);
      expect(await E(remote).whoami()).toBe('the real X');
      for (const bytes of A.receivedBytes) expect(contains(bytes, SWISS)).toBe(false);
      expect(V.sessionWith(X.location)?.identity).toBe('proven');
      await V.close();
      await X.close();
    }
  });

  it('the real X is not locked out: its own session with us still works', async () => {
    const { X } = await hostX();
    const V = await wsNode();
    const uriOfV = V.sturdyRefUri({ hello: () => 'hi from V' });
    const A = await impostor(V, X.location);
    await A.handshake();
    const fromX = await X.enliven<{ hello(): string }>(uriOfV);
    expect(await E(fromX).hello()).toBe('hi from V');
  });

  it("Goblins' case: X dialled us and proves nothing; when we need X, X's refusal of our dial confirms its session", async () => {
    const { X, ref } = await hostX({ mutualPeerAuth: false }); // dials like Goblins 0.18
    const V = await wsNode();
    const uriOfV = V.sturdyRefUri({ hello: () => 'hi' });
    await E(await X.enliven<{ hello(): string }>(uriOfV)).hello();
    const inbound = V.sessions.find((s) => s.peerLocation?.designator === X.location.designator)!;
    expect(inbound.identity).toBe('claimed');
    const remote = await V.enliven<{ whoami(): string }>(ref);
    expect(await E(remote).whoami()).toBe('the real X');
    expect(V.sessionWith(X.location)).toBe(inbound);
    expect(inbound.identity).toBe('confirmed');
    expect(inbound.isActive).toBe(true);
  });

  it('with an impostor and the real X both claiming X, enliven still reaches X and the swiss never reaches the impostor', async () => {
    const { X, ref } = await hostX();
    const V = await wsNode();
    const A = await impostor(V, X.location);
    await A.handshake();
    const uriOfV = V.sturdyRefUri({ hello: () => 'hi' });
    await E(await X.enliven<{ hello(): string }>(uriOfV)).hello();
    const remote = await V.enliven<{ whoami(): string }>(ref);
    expect(await E(remote).whoami()).toBe('the real X');
    for (const bytes of A.receivedBytes) expect(contains(bytes, SWISS)).toBe(false);
  });

  it('a claim of our own designator is refused', async () => {
    const V = await wsNode();
    const A = await impostor(V, V.location);
    await A.expect('op:start-session');
    A.send(A.startSession());
    const abort = await A.expect('op:abort');
    expect(abort.fields[0]).toBe('peer location names this node');
  });
});

// Keep the helpers honest.
it('contains() finds the swiss inside an encoded fetch', () => {
  expect(contains(encode(['fetch', SWISS]), SWISS)).toBe(true);
  expect(bytesEqual(SWISS, SWISS)).toBe(true);
});
