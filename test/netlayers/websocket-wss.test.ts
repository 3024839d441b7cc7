/**
 * The websocket netlayer on the user's own https server (issue 9): a `wss://` listener
 * attached with `listenWebSocket({server, path, url})`, and a dialler that trusts a
 * self-signed certificate through the `tls` option. Real sockets on 127.0.0.1 only.
 *
 * The certificate is made here with `@peculiar/x509` (as `generateTcpTlsIdentity` does),
 * because that one names no host: Node's hostname check needs 127.0.0.1 in subjectAltName,
 * and with it the dialler runs with full verification (`ca` only, `rejectUnauthorized` on).
 */
import { webcrypto } from 'node:crypto';
import { createServer, get } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as x509 from '@peculiar/x509';
import { WebSocket, WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E } from '../../src/captp/eventual-send.js';
import { OcapnNode } from '../../src/node/node.js';
import { createWebSocketDialer, listenWebSocket } from '../../src/netlayers/websocket/index.js';
import type { Connection } from '../../src/netlayers/interface.js';

/** A self-signed ECDSA P-256 certificate for IP 127.0.0.1, PEM. */
async function selfSigned(): Promise<{ key: string; cert: string }> {
  const crypto = webcrypto as unknown as Crypto;
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: 'CN=127.0.0.1',
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() + 86_400_000),
      signingAlgorithm: alg,
      keys,
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
    },
    crypto,
  );
  const key = x509.PemConverter.encode(new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).buffer, 'PRIVATE KEY');
  return { key, cert: cert.toString('pem') };
}

let identity: { key: string; cert: string };
let https: Server;
let port: number;
/** The user's own upgrade handler: a WebSocket on `/other` that says hello; other paths are not its business. */
const own = new WebSocketServer({ noServer: true });
const ownUpgrades: string[] = [];
function ownUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  ownUpgrades.push(req.url ?? '');
  if (req.url === '/other') own.handleUpgrade(req, socket, head, (ws) => ws.send('hello from the user'));
}

beforeAll(async () => {
  identity = await selfSigned();
  https = createServer({ key: identity.key, cert: identity.cert }, (_req, res) => res.end('page'));
  https.on('upgrade', ownUpgrade);
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  port = (https.address() as { port: number }).port;
});
afterAll(async () => {
  own.close();
  https.closeAllConnections();
  await new Promise<void>((resolve) => https.close(() => resolve()));
});

function page(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, ca: identity.cert, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function firstMessage(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: identity.cert });
    ws.once('message', (data) => {
      resolve(String(data));
      ws.close();
    });
    ws.once('error', reject);
  });
}

describe('websocket on the user’s own https server (wss://)', () => {
  it('serves OCapN on its path, leaves the page and other upgrades alone, and detaches on close', async () => {
    const url = `wss://127.0.0.1:${port}/ocapn`;
    const listener = await listenWebSocket({ server: https, path: '/ocapn', url });
    expect(listener.location.hints).toEqual({ url });
    expect(https.listenerCount('upgrade')).toBe(2);
    const client = createWebSocketDialer({ tls: { ca: identity.cert, rejectUnauthorized: true } });
    const a = new OcapnNode({ netlayers: [listener] });
    const b = new OcapnNode({ netlayers: [client] });
    const ref = await b.enliven(a.sturdyRefUri({ greet: (name: string) => `hello ${name}` }));
    expect(await E(ref as any).greet('wss')).toBe('hello wss');
    expect(a.sessions).toHaveLength(1);

    expect(await page('/')).toBe('page');
    expect(await firstMessage(`wss://127.0.0.1:${port}/other`)).toBe('hello from the user');
    expect(ownUpgrades).toContain('/other');

    await b.close();
    await a.close(); // closes the listener netlayer
    expect(https.listening).toBe(true);
    expect(https.listenerCount('upgrade')).toBe(1);
    expect(await page('/')).toBe('page');
  });

  it('keeps mutual peer-auth: the incoming connection has the dialler’s designator proven', async () => {
    const url = `wss://127.0.0.1:${port}/ocapn?ignored=1`;
    const listener = await listenWebSocket({ server: https, path: '/ocapn', url });
    const client = createWebSocketDialer({ tls: { ca: [Buffer.from(identity.cert)] } });
    const incoming = new Promise<Connection>((resolve) => listener.accept(resolve));
    const out = await client.connect(listener.location);
    expect(out.provenDesignator).toBe(listener.location.designator);
    expect((await incoming).provenDesignator).toBe(client.location.designator);
    await client.close();
    await listener.close();
    expect(https.listening).toBe(true);
  });

  it('verifies the certificate by default: a dialler without tls.ca refuses the self-signed one', async () => {
    const listener = await listenWebSocket({ server: https, path: '/ocapn', url: `wss://127.0.0.1:${port}/ocapn` });
    const client = createWebSocketDialer();
    const before = ownUpgrades.length;
    await expect(client.connect(listener.location)).rejects.toThrow(/self-signed|certificate/i);
    expect(listener.connectionCount).toBe(0);
    expect(ownUpgrades.length).toBe(before); // the TLS handshake failed before any upgrade
    await client.close();
    await listener.close();
  });

  it('rejects bad server options with TypeError', async () => {
    const url = 'wss://127.0.0.1:1/ocapn';
    await expect(listenWebSocket({ server: https })).rejects.toThrow(TypeError);
    await expect(listenWebSocket({ server: https, url, port: 0 })).rejects.toThrow(/host and port/);
    await expect(listenWebSocket({ server: https, url, host: '127.0.0.1' })).rejects.toThrow(TypeError);
    await expect(listenWebSocket({ server: https, url, path: 'ocapn' })).rejects.toThrow(/path/);
    await expect(listenWebSocket({ path: '/ocapn' })).rejects.toThrow(/only for use with server/);
    await expect(listenWebSocket({ server: {} as any, url })).rejects.toThrow(/http\.Server/);
    expect(() => createWebSocketDialer({ server: https } as any)).toThrow(TypeError);
    expect(() => createWebSocketDialer({ tls: { ca: 5 } as any })).toThrow(/tls\.ca/);
    expect(() => createWebSocketDialer({ tls: { rejectUnauthorized: 'no' } as any })).toThrow(/rejectUnauthorized/);
    expect(https.listenerCount('upgrade')).toBe(1);
  });
});
