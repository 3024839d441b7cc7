/**
 * The onion netlayer's dialling side against a fake SOCKS5 port (test/netlayers/
 * onion-fakes.ts): the CONNECT it sends (domain `<id>.onion`, port 9045), messages both
 * ways through a fake tor, tor's reply codes (plain and ExtendedErrors) as readable errors,
 * a SOCKS port that is missing, silent, hangs up or sends garbage; and the connection
 * contract (backpressure, limits, proof) over the fake tor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TorSocksError, createOnionDialer, listenOnion, type Connection, type OnionNetlayer, type OnionOptions } from '../../src/netlayers/index.js';
import { describeConnectionContract, type ContractPair } from './contract.js';
import { acceptor, record } from './helpers.js';
import { FAKE_ID, fakeControl, fakeSocks, type FakeControl, type SocksBehaviour } from './onion-fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const LOCATOR = { transport: 'onion', designator: FAKE_ID, hints: false as const };

async function socks(behaviour: SocksBehaviour, path?: string) {
  const s = await fakeSocks(behaviour, path);
  cleanup.push(() => s.close());
  return s;
}

function dialer(port: number, options: OnionOptions = {}): OnionNetlayer {
  const d = createOnionDialer({ socks: { host: '127.0.0.1', port }, ...options });
  cleanup.push(() => d.close());
  return d;
}

/** A listening onion netlayer behind a fake control port, and a dialer behind a fake SOCKS port forwarding to it. */
async function fakeTorPair(options: OnionOptions = {}): Promise<{ server: OnionNetlayer; client: OnionNetlayer; control: FakeControl }> {
  const control = await fakeControl();
  cleanup.push(() => control.close());
  const server = await listenOnion({ control: { host: '127.0.0.1', port: control.port }, socks: { host: '127.0.0.1', port: 9 }, ...options });
  cleanup.push(() => server.close());
  const s = await socks({ kind: 'forward', control });
  return { server, client: dialer(s.port, options), control };
}

function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('onion dial through SOCKS5', () => {
  it('sends CONNECT with the domain <id>.onion (ATYP 3) and port 9045, then carries messages both ways', async () => {
    const control = await fakeControl();
    cleanup.push(() => control.close());
    const server = await listenOnion({ control: { host: '127.0.0.1', port: control.port }, socks: { host: '127.0.0.1', port: 9 } });
    cleanup.push(() => server.close());
    const s = await socks({ kind: 'forward', control });
    const client = dialer(s.port);
    const next = acceptor(server);
    const out = await client.connect(LOCATOR);
    const incoming = await next();
    const host = Buffer.from(`${FAKE_ID}.onion`);
    expect(Buffer.from(s.requests[0]!).toString('hex')).toBe(Buffer.concat([Buffer.from([5, 1, 0, 3, host.length]), host, Buffer.from([0x23, 0x55])]).toString('hex'));
    expect([out.outgoing, out.provenDesignator, out.remoteAddress]).toEqual([true, FAKE_ID, `${FAKE_ID}.onion`]);
    expect([incoming.outgoing, incoming.provenDesignator, incoming.remoteAddress]).toEqual([false, undefined, undefined]);
    const got = record(incoming);
    const back = record(out);
    out.send(new TextEncoder().encode("<2'op1+>"));
    incoming.send(new TextEncoder().encode('<5"hello>'));
    await got.until(() => got.messages.length === 1);
    await back.until(() => back.messages.length === 1);
    expect(new TextDecoder().decode(got.messages[0])).toBe("<2'op1+>");
    expect(new TextDecoder().decode(back.messages[0])).toBe('<5"hello>');
  });

  it('bytes the service sends in the same chunk as the SOCKS reply are delivered, not lost', async () => {
    const control = await fakeControl();
    cleanup.push(() => control.close());
    const server = await listenOnion({ control: { host: '127.0.0.1', port: control.port }, socks: { host: '127.0.0.1', port: 9 } });
    cleanup.push(() => server.close());
    const s = await socks({ kind: 'forward', control, extra: new TextEncoder().encode('<5:early>') });
    const out = await dialer(s.port).connect(LOCATOR);
    const got = record(out);
    await got.until(() => got.messages.length === 1);
    expect(new TextDecoder().decode(got.messages[0])).toBe('<5:early>');
  });

  it('works with a SOCKS port on a Unix socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'onion-socks-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'tor-socks-sock');
    const s = await socks({ kind: 'refuse', code: 0xf0 }, path);
    const d = createOnionDialer({ socks: { path } });
    cleanup.push(() => d.close());
    const err = (await failure(d.connect(LOCATOR))) as TorSocksError;
    expect(err.replyCode).toBe(0xf0);
    expect(s.requests).toHaveLength(1);
  });

  it.each([
    [0xf0, 'tor replied 0xF0, onion service descriptor not found'],
    [0x04, 'tor replied 0x04, host unreachable (without ExtendedErrors: the onion service is unknown'],
    [0xf6, 'tor replied 0xF6, malformed onion address'],
    [0x01, 'tor replied 0x01, general failure (without ExtendedErrors tor also says this for a malformed onion address)'],
    [0x05, 'tor replied 0x05, connection refused'],
    [0x06, 'tor replied 0x06, TTL expired'],
    [0xf2, 'tor replied 0xF2, onion service introduction failed'],
    [0x42, 'tor replied 0x42, an unknown reply code'],
  ])('reply code %i becomes a TorSocksError with that code and its meaning', async (code, message) => {
    const s = await socks({ kind: 'refuse', code });
    const err = (await failure(dialer(s.port).connect(LOCATOR))) as TorSocksError;
    expect(err).toBeInstanceOf(TorSocksError);
    expect(err.replyCode).toBe(code);
    expect(err.message).toContain(`cannot reach ${FAKE_ID}.onion:9045 through Tor's SOCKS port at 127.0.0.1:${s.port}`);
    expect(err.message).toContain(message);
  });

  it('a SOCKS port that never answers the CONNECT times out (connectTimeoutMs)', async () => {
    const s = await socks({ kind: 'silent' });
    const err = (await failure(dialer(s.port, { connectTimeoutMs: 150 }).connect(LOCATOR))) as TorSocksError;
    expect(err).toBeInstanceOf(TorSocksError);
    expect(err.message).toContain('no answer within 150 ms (connectTimeoutMs)');
    expect(err.replyCode).toBeUndefined();
  });

  it('a SOCKS port that hangs up, or answers in another protocol, is a readable error', async () => {
    const hangUp = await socks({ kind: 'hang-up' });
    const e1 = await failure(dialer(hangUp.port, { connectTimeoutMs: 2_000 }).connect(LOCATOR));
    expect(e1).toBeInstanceOf(TorSocksError);
    expect(e1.message).toContain(`cannot reach ${FAKE_ID}.onion:9045`);
    const http = await socks({ kind: 'raw', bytes: new TextEncoder().encode('HTTP/1.0 501 Tor is not an HTTP Proxy\r\n\r\n') });
    const e2 = (await failure(dialer(http.port, { connectTimeoutMs: 2_000 }).connect(LOCATOR))) as TorSocksError;
    expect(e2).toBeInstanceOf(TorSocksError);
    expect(e2.replyCode).toBeUndefined();
  });

  it('nothing on the SOCKS port: says what to start', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const err = await failure(dialer(port).connect(LOCATOR));
    expect(err.message).toContain(`cannot reach Tor's SOCKS port at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(err.message).toContain(`\`SocksPort ${port}\``);
    expect(err.message).toContain('docs/netlayers.md#onion');
  });

  it('refuses locators that are not v3 onion service IDs before touching the network', async () => {
    const d = dialer(9);
    await expect(d.connect({ transport: 'tcp-testing-only', designator: FAKE_ID, hints: false })).rejects.toThrow(TypeError);
    for (const designator of [`${FAKE_ID}.onion`, FAKE_ID.toUpperCase(), 'a'.repeat(56), 'a'.repeat(16), `${'a'.repeat(54)}1d`]) {
      await expect(d.connect({ transport: 'onion', designator, hints: false })).rejects.toThrow(RangeError);
    }
  });
});

describeConnectionContract({
  name: 'onion (fake tor)',
  exact: false,
  hasCeiling: true,
  async pair(options = {}): Promise<ContractPair> {
    const { server, client } = await fakeTorPair(options);
    const next = acceptor(server);
    const dialled: Connection = await client.connect(LOCATOR);
    const accepted = await next();
    return {
      dialled,
      accepted,
      proven: { dialled: FAKE_ID, accepted: undefined },
      address: { dialled: `${FAKE_ID}.onion`, accepted: undefined as unknown as string },
    };
  },
});
