/**
 * The onion netlayer end to end, over a private Tor network this test starts on 127.0.0.1
 * (test/helpers/tor-network.ts: 3 authorities, 8 relays, a hosting tor and a dialling tor;
 * never the public Tor network). Over onion addresses: a call, promise pipelining, a
 * three-party handoff, a restored onion address, and tor's refusals as readable errors.
 * Skipped, with a message, when `tor` is not installed (`apt-get install tor`).
 */
import { generateKeyPairSync } from 'node:crypto';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E, OcapnNode, TorSocksError, createOnionDialer, listenOnion, type OnionNetlayer, type WireEvent } from '../../src/index.js';
import { base32Encode } from '../../src/netlayers/websocket/base32.js';
import { toNotation } from '../../src/syrup/index.js';
import { startTorNetwork, torInstalled, type TorNetwork } from '../helpers/tor-network.js';

const HAVE_TOR = torInstalled();
if (!HAVE_TOR) console.warn('onion-e2e: skipped, `tor` (with tor-gencert) is not installed; install it with `apt-get install tor` to run these tests');

/** A well-formed v3 onion address (valid key and checksum) that no service uses. */
function unusedOnionId(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const key = new Uint8Array(der.subarray(der.length - 32));
  const version = new Uint8Array([3]);
  const checksum = sha3_256(new Uint8Array([...new TextEncoder().encode('.onion checksum'), ...key, ...version])).subarray(0, 2);
  return base32Encode(new Uint8Array([...key, ...checksum, ...version])).toLowerCase();
}

describe.skipIf(!HAVE_TOR)('onion netlayer over a private Tor network (loopback only)', () => {
  let net: TorNetwork | undefined;
  const nodes: OcapnNode[] = [];
  const netlayers: OnionNetlayer[] = [];
  const timings: string[] = [];

  const listen = async (privateKey?: string): Promise<OnionNetlayer> => {
    const started = Date.now();
    const netlayer = await listenOnion({
      control: { host: '127.0.0.1', port: net!.controlPort },
      socks: { host: '127.0.0.1', port: net!.socksPort },
      connectTimeoutMs: 30_000,
      publishTimeoutMs: 30_000,
      ...(privateKey === undefined ? {} : { privateKey }),
    });
    timings.push(`listenOnion (ADD_ONION → HS_DESC UPLOADED): ${Date.now() - started} ms`);
    netlayers.push(netlayer);
    return netlayer;
  };
  const node = (netlayer: OnionNetlayer, tap?: (e: WireEvent) => void): OcapnNode => {
    const n = new OcapnNode({ netlayers: [netlayer], ...(tap ? { tap } : {}) });
    nodes.push(n);
    return n;
  };

  beforeAll(async () => {
    net = await startTorNetwork(60_000);
    timings.push(`private network: keys ${net.keysMs} ms, full consensus ${net.consensusMs} ms, client tors bootstrapped ${net.readyMs} ms`);
  }, 70_000);

  afterAll(async () => {
    await Promise.allSettled(nodes.map((n) => n.close()));
    await Promise.allSettled(netlayers.map((n) => n.close()));
    await net?.stop();
    console.log(`onion-e2e timings:\n  ${timings.join('\n  ')}`);
  }, 20_000);

  it('a call and a pipelined call over onion addresses; the dialled peer is proven', async () => {
    const server = node(await listen());
    const uri = server.sturdyRefUri({
      increment: (n: bigint) => n + 1n,
      makeAccount: (owner: string) => ({ deposit: (n: bigint) => `${owner}: ${n}` }),
    });
    expect(uri).toMatch(/^ocapn:\/\/[a-z2-7]{55}d\.onion\/s\//);
    const client = node(await listen());
    const started = Date.now();
    interface Counter {
      increment(n: bigint): bigint;
      makeAccount(owner: string): Account;
    }
    interface Account {
      deposit(n: bigint): string;
    }
    const counter = await client.enliven<Counter>(uri);
    expect(await E(counter).increment(5n)).toBe(6n);
    timings.push(`first onion call (enliven + increment): ${Date.now() - started} ms`);
    const account = E(counter).makeAccount('alice');
    expect(await E(account).deposit(42n)).toBe('alice: 42');
  }, 60_000);

  it('a three-party handoff: B reaches Carol over its own onion connection to C', async () => {
    const wire: string[] = [];
    const tap = (name: string) => (e: WireEvent) => {
      if (e.direction === 'out') wire.push(`${name}>${e.session.peerLocation?.designator.slice(0, 4)} ${toNotation(e.message).slice(0, 120)}`);
    };
    const [a, b, c] = await Promise.all([listen(), listen(), listen()]);
    const A = node(a, tap('A'));
    const B = node(b, tap('B'));
    const C = node(c, tap('C'));
    const carol = { hello: (who: string) => `hello ${who}, I am Carol` };
    const bob = { callIt: (target: unknown) => E(target as { hello(w: string): string }).hello('node B') };
    const started = Date.now();
    const carolRef = await A.enliven(C.sturdyRefUri(carol));
    const bobRef = await A.enliven<typeof bob>(B.sturdyRefUri(bob));
    expect(await E(bobRef).callIt(carolRef)).toBe('hello node B, I am Carol');
    timings.push(`three-party handoff (two enlivens + handoff call): ${Date.now() - started} ms`);
    const cId = c.serviceId!.slice(0, 4);
    expect(wire.some((l) => l.startsWith(`B>${cId}`) && l.includes("'withdraw-gift"))).toBe(true);
    expect(wire.some((l) => l.startsWith(`A>${cId}`) && l.includes("'deposit-gift"))).toBe(true);
  }, 60_000);

  it('a saved private key restores the same onion address, and old sturdyrefs work again', async () => {
    const first = await listen();
    const id = first.serviceId!;
    const key = first.privateKey!;
    const swiss = 'restored-swiss-0123456789';
    const before = node(first).sturdyRefUri({ ping: () => 'pong' }, swiss);
    await first.close();
    const again = await listen(key);
    expect(again.serviceId).toBe(id);
    expect(again.location).toEqual({ transport: 'onion', designator: id, hints: false });
    expect(node(again).sturdyRefUri({ ping: () => 'pong again' }, swiss)).toBe(before);
    const client = node(createOnionDialer({ socks: { host: '127.0.0.1', port: net!.socksPort }, connectTimeoutMs: 30_000 }));
    expect(await E(await client.enliven<{ ping(): string }>(before)).ping()).toBe('pong again');
  }, 60_000);

  it("tor's refusals are readable errors: malformed and unknown onion, with and without ExtendedErrors", async () => {
    const dialer = (port: number): OnionNetlayer => {
      const d = createOnionDialer({ socks: { host: '127.0.0.1', port }, connectTimeoutMs: 30_000 });
      netlayers.push(d);
      return d;
    };
    const plain = dialer(net!.socksPort);
    const extended = dialer(net!.socksPortExtended);
    // A checksum error: tor refuses before any lookup.
    const bad = unusedOnionId().replace(/^./, (ch) => (ch === 'a' ? 'b' : 'a'));
    const refused = async (d: OnionNetlayer, id: string): Promise<TorSocksError> => {
      const err = await d.connect({ transport: 'onion', designator: id, hints: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TorSocksError);
      return err as TorSocksError;
    };
    const malformedPlain = await refused(plain, bad);
    const malformedExt = await refused(extended, bad);
    expect([malformedPlain.replyCode, malformedExt.replyCode]).toEqual([0x01, 0xf6]);
    expect(malformedExt.message).toContain('malformed onion address');
    const unknown = unusedOnionId();
    const started = Date.now();
    const [unknownPlain, unknownExt] = await Promise.all([refused(plain, unknown), refused(extended, unknown)]);
    timings.push(`unknown onion refused after ${Date.now() - started} ms`);
    expect([unknownPlain.replyCode, unknownExt.replyCode]).toEqual([0x04, 0xf0]);
    expect(unknownExt.message).toContain(`${unknown}.onion`);
    expect(unknownExt.message).toContain('descriptor not found');
  }, 60_000);

  it('a service that is gone (removed after it was reached) is a TorSocksError with a reply code', async () => {
    const gone = await listen();
    const id = gone.serviceId!;
    node(gone).sturdyRefUri({ ping: () => 'pong' });
    const d = createOnionDialer({ socks: { host: '127.0.0.1', port: net!.socksPortExtended }, connectTimeoutMs: 30_000 });
    netlayers.push(d);
    // Under load a freshly published descriptor may not have reached every directory yet.
    let first: Awaited<ReturnType<typeof d.connect>> | undefined;
    for (let attempt = 0; first === undefined; attempt++) {
      first = await d.connect({ transport: 'onion', designator: id, hints: false }).catch(async (e: unknown) => {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 1000));
        return undefined;
      });
    }
    expect(first.provenDesignator).toBe(id);
    first.close();
    await gone.close();
    const started = Date.now();
    // A circuit tor built before the removal may still carry one more stream on a loaded
    // machine: the refusal must come within a few tries.
    let err: unknown;
    for (let attempt = 0; attempt < 4 && err === undefined; attempt++) {
      err = await d.connect({ transport: 'onion', designator: id, hints: false }).then(
        (conn) => {
          conn.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      if (err === undefined) await new Promise((r) => setTimeout(r, 1000));
    }
    timings.push(`gone service refused after ${Date.now() - started} ms with ${(err as TorSocksError).replyCode}`);
    expect(err).toBeInstanceOf(TorSocksError);
    expect((err as TorSocksError).message).toContain(`cannot reach ${id}.onion:9045`);
    // 0x01 (general failure) too: tor sends it for a service removed a moment ago under load.
    expect([0x01, 0x04, 0x05, 0x06, 0xf0, 0xf2, 0xf3, 0xf7]).toContain((err as TorSocksError).replyCode);
  }, 60_000);
});
