/**
 * Node identity files (issue 11.4): one versioned JSON format for every netlayer's keys.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateNodeIdentity,
  keyPairFromSeed,
  generateKeyPair,
  loadNodeIdentity,
  loadOrCreateNodeIdentity,
  onionIdentityFromSeed,
  parseNodeIdentity,
  saveNodeIdentity,
  serializeNodeIdentity,
  createNodeIdentity,
  listenWebSocket,
} from '../../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
/** RFC 8032 test 1. */
const SK1 = Uint8Array.from(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
const PK1 = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
/** A seed whose onion service ID tor 0.4.9.11 itself reported (ADD_ONION with the derived ED25519-V3 key). */
const ONION_SEED = new Uint8Array(32).map((_, i) => i * 7 + 1);
const ONION_ID = '4qbqtggp2wwroi6bnh4vnkqlt24gdg2zsk6wclbk6quoxr47rxydxrid';
const PEM = { key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' };
const tmp = () => mkdtempSync(join(tmpdir(), 'ocapn-identity-'));

describe('identity format (platform-neutral)', () => {
  it('round-trips every netlayer key, and writes the documented fields', () => {
    const id = generateNodeIdentity({ netlayers: ['websocket', 'onion', 'tcp-tls'], tcpTls: PEM });
    const text = serializeNodeIdentity(id);
    const json = JSON.parse(text);
    expect(Object.keys(json)).toEqual(['format', 'version', 'websocket', 'onion', 'tcp-tls']);
    expect(json.format).toBe('ocapn-ts-identity');
    expect(json.version).toBe(1);
    expect(Buffer.from(json.websocket.seed, 'base64url')).toHaveLength(32);
    expect(json.onion.serviceId).toMatch(/^[a-z2-7]{55}d$/); // version byte 3 → last char "d"
    const back = parseNodeIdentity(text);
    expect(hex(back.websocket!.privateKey)).toBe(hex(id.websocket!.privateKey));
    expect(hex(back.websocket!.publicKey)).toBe(hex(id.websocket!.publicKey));
    expect(back.onion).toEqual(id.onion);
    expect(back.tcpTls).toEqual(PEM);
    expect(serializeNodeIdentity(back)).toBe(text);
  });

  it('derives known keys: RFC 8032 for websocket, tor\'s own service ID for onion', () => {
    const id = parseNodeIdentity(JSON.stringify({ format: 'ocapn-ts-identity', version: 1, websocket: { seed: b64u(SK1) }, onion: { seed: b64u(ONION_SEED) } }));
    expect(hex(id.websocket!.publicKey)).toBe(PK1);
    expect(id.onion!.serviceId).toBe(ONION_ID);
    expect(id.onion!.privateKey).toMatch(/^ED25519-V3:[A-Za-z0-9+/]{86}==$/);
    expect(hex(keyPairFromSeed(SK1).publicKey)).toBe(PK1);
    expect(generateKeyPair().privateKey).toHaveLength(32);
  });

  it('reads the unversioned layout that ocapn test-peer --key-file wrote before', () => {
    const kp = keyPairFromSeed(SK1);
    const legacy = { websocket: { seed: b64u(kp.privateKey), publicKey: b64u(kp.publicKey) }, 'tcp-tls': PEM, onion: { privateKey: `ED25519-V3:${'A'.repeat(86)}==` } };
    const id = parseNodeIdentity(JSON.stringify(legacy));
    expect(hex(id.websocket!.publicKey)).toBe(PK1);
    expect(id.onion).toEqual({ privateKey: legacy.onion.privateKey });
    expect(id.tcpTls).toEqual(PEM);
    expect(JSON.parse(serializeNodeIdentity(id)).onion).toEqual({ privateKey: legacy.onion.privateKey });
  });

  it('refuses malformed files with TypeError / RangeError naming what is wrong', () => {
    const v1 = (rest: object) => JSON.stringify({ format: 'ocapn-ts-identity', version: 1, ...rest });
    const seed = b64u(SK1);
    const cases: [string, ErrorConstructor, RegExp][] = [
      ['{', TypeError, /identity file: not valid JSON/],
      ['[]', TypeError, /expected a JSON object, got an array/],
      [v1({ version: 2 }), RangeError, /unsupported "version" 2 \(this ocapn-ts reads version 1\)/],
      [JSON.stringify({ format: 'other', version: 1 }), TypeError, /"format" must be "ocapn-ts-identity"/],
      [v1({ websockets: {} }), TypeError, /unknown key "websockets"/],
      [v1({ websocket: { seed: 7 } }), TypeError, /websocket\.seed must be a base64url string, got number/],
      [v1({ websocket: { seed: 'AAAA' } }), RangeError, /websocket\.seed must be 32 bytes in base64url without padding \(43 characters\), got 4/],
      [v1({ websocket: { seed: `${seed.slice(0, 42)}B` } }), RangeError, /websocket\.seed must be 32 bytes/], // non-canonical last character
      [v1({ websocket: { seed, publicKey: b64u(new Uint8Array(32)) } }), RangeError, /websocket\.publicKey does not belong to websocket\.seed/],
      [v1({ onion: {} }), TypeError, /onion needs exactly one of "seed" and "privateKey"/],
      [v1({ onion: { seed, privateKey: 'x' } }), TypeError, /exactly one of/],
      [v1({ onion: { seed, serviceId: 'a'.repeat(56) } }), RangeError, /onion\.serviceId does not belong to onion\.seed/],
      [v1({ onion: { privateKey: 'RSA1024:abc' } }), RangeError, /onion\.privateKey must be "ED25519-V3:" followed by 88 base64/],
      [v1({ 'tcp-tls': { key: PEM.key } }), TypeError, /tcp-tls\.cert must be a PEM certificate/],
      [v1({ 'tcp-tls': { key: 'nope', cert: PEM.cert } }), TypeError, /tcp-tls\.key must be a PEM private key/],
      [' '.repeat(70_000), RangeError, /more than the 65536 allowed/],
    ];
    for (const [text, type, message] of cases) {
      expect(() => parseNodeIdentity(text), text.slice(0, 80)).toThrow(type);
      expect(() => parseNodeIdentity(text), text.slice(0, 80)).toThrow(message);
    }
    expect(() => parseNodeIdentity(42 as never)).toThrow(TypeError);
    expect(() => generateNodeIdentity({ netlayers: ['tcp-testing-only' as never] })).toThrow(/no keys for netlayer "tcp-testing-only"/);
    expect(() => generateNodeIdentity({ netlayers: ['tcp-tls'] })).toThrow(/needs options\.tcpTls/);
    expect(() => onionIdentityFromSeed(new Uint8Array(31))).toThrow(RangeError);
  });
});

describe('identity files (Node)', () => {
  it('save writes mode 0600 and load reads it back; malformed files name the path', async () => {
    const dir = tmp();
    const file = join(dir, 'id.json');
    const id = await createNodeIdentity();
    expect(id.tcpTls!.cert).toContain('BEGIN CERTIFICATE');
    saveNodeIdentity(file, id);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(serializeNodeIdentity(loadNodeIdentity(file))).toBe(readFileSync(file, 'utf8'));
    writeFileSync(file, '{"websocket": {"seed": "AAAA"}}');
    expect(() => loadNodeIdentity(file)).toThrow(RangeError);
    expect(() => loadNodeIdentity(file)).toThrow(`identity file ${file}: websocket.seed must be 32 bytes`);
    expect(() => loadNodeIdentity(join(dir, 'missing.json'))).toThrow(/ENOENT/);
    rmSync(dir, { recursive: true });
  });

  it('loadOrCreate makes what is missing, writes only then, and keeps the WebSocket designator', async () => {
    const dir = tmp();
    const file = join(dir, 'id.json');
    const first = await loadOrCreateNodeIdentity(file, { netlayers: ['websocket'] });
    expect(first.written).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual(['format', 'version', 'websocket']);
    const again = await loadOrCreateNodeIdentity(file, { netlayers: ['websocket'] });
    expect(again.written).toBe(false);
    expect(hex(again.identity.websocket!.privateKey)).toBe(hex(first.identity.websocket!.privateKey));
    const more = await loadOrCreateNodeIdentity(file, { netlayers: ['websocket', 'onion'] });
    expect(more.written).toBe(true);
    expect(hex(more.identity.websocket!.privateKey)).toBe(hex(first.identity.websocket!.privateKey));
    expect(more.identity.onion!.serviceId).toMatch(/^[a-z2-7]{56}$/);
    // The same file gives the same WebSocket designator on every start.
    const locs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const ws = await listenWebSocket({ host: '127.0.0.1', port: 0, keyPair: loadNodeIdentity(file).websocket });
      locs.push(ws.location.designator);
      await ws.close();
    }
    expect(locs[0]).toBe(locs[1]);
    expect(existsSync(file)).toBe(true);
    rmSync(dir, { recursive: true });
  });
});

const torAvailable = spawnSync('tor', ['--version']).status === 0;

describe.skipIf(!torAvailable)('onion key from a seed, checked by tor', () => {
  it('tor derives the service ID we computed from the ED25519-V3 key (tor with its network disabled)', async () => {
    const dir = tmp();
    const portFile = join(dir, 'control-port');
    const tor = spawn('tor', ['-f', join(dir, 'no-torrc'), '--ignore-missing-torrc', '--DisableNetwork', '1', '--SocksPort', '0', '--ControlPort', 'auto', '--ControlPortWriteToFile', portFile, '--DataDirectory', join(dir, 'data'), '--Log', 'err stderr'], { stdio: 'ignore' });
    try {
      let port = 0;
      for (let i = 0; i < 100 && !port; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const m = existsSync(portFile) ? /:(\d+)/.exec(readFileSync(portFile, 'utf8')) : null;
        if (m) port = Number(m[1]);
      }
      expect(port).toBeGreaterThan(0);
      const id = generateNodeIdentity({ netlayers: ['onion'] }).onion!;
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1');
        let buf = '';
        s.on('error', reject);
        s.on('data', (d) => {
          buf += d;
          if (/250 OK\r\n$/.test(buf) && buf.includes('ServiceID')) s.end(() => resolve(buf));
          if (/^5\d\d /m.test(buf)) s.end(() => reject(new Error(buf)));
        });
        s.write(`AUTHENTICATE\r\nADD_ONION ${id.privateKey} Flags=DiscardPK Port=9045,127.0.0.1:9\r\n`);
      });
      expect(/ServiceID=(\w+)/.exec(reply)?.[1]).toBe(id.serviceId);
    } finally {
      tor.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
