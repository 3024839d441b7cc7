/**
 * The spec 2026-09 profile (ocapn/ocapn PR #288): ByteArray key and signature forms, the
 * 5-field op:start-session as an op-table variant, the crypto-version check, and ocapn-ts nodes
 * on the profile (alone and mixed with legacy nodes) handshaking, calling and handing off.
 * Byte-exact vectors are in test/vectors/spec-2026-09.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OcapnNode, E, MemoryNetwork, PROFILES, resolveProfile, type WireEvent } from '../../src/index.js';
import { SyrupRecord } from '../../src/syrup/index.js';
import { rec } from '../../src/syrup/types.js';
import {
  CRYPTO_FORMS,
  OcapnCryptoError,
  cryptoFormOf,
  keyPairFromSeed,
  publicKeyFromAnyForm,
  publicKeyFromBytesForm,
  publicKeyToSyrup,
  sign,
  signatureFromAnyForm,
  signatureFromBytesForm,
} from '../../src/crypto/index.js';
import { OPS, OP_VARIANTS, decodeOp, encodeOp, WireShapeError } from '../../src/captp/ops.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import type { CaptpSession } from '../../src/captp/session.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { PK1, SK1 } from '../helpers/rfc8032.js';

const NEW = CRYPTO_FORMS['spec-2026-09'];
const OLD = CRYPTO_FORMS['legacy-2025'];
const SIG = sign(rec('x'), SK1);

describe('ByteArray forms (src/crypto/forms.ts)', () => {
  it('a key is its 32 bytes and a signature its 64 bytes, copied both ways', () => {
    const k = NEW.publicKeyToWire(PK1) as Uint8Array;
    expect(k).toEqual(PK1);
    expect(k).not.toBe(PK1);
    expect(NEW.publicKeyFromWire(k)).toEqual(PK1);
    expect(NEW.signatureFromWire(NEW.signatureToWire(SIG))).toEqual(SIG);
  });

  it('reading is strict: wrong lengths and non-ByteArrays are OcapnCryptoErrors naming the part', () => {
    expect(() => publicKeyFromBytesForm(PK1.slice(0, 31))).toThrow(/public key: expected exactly 32 bytes, got 31/);
    expect(() => publicKeyFromBytesForm(publicKeyToSyrup(PK1))).toThrow(OcapnCryptoError);
    expect(() => signatureFromBytesForm(SIG.slice(0, 63))).toThrow(/signature: expected exactly 64 bytes, got 63/);
    expect(() => signatureFromBytesForm('x'.repeat(64))).toThrow(/expected a bytestring/);
  });

  it('bad arguments from our own caller are TypeError/RangeError', () => {
    expect(() => NEW.publicKeyToWire('k' as never)).toThrow(TypeError);
    expect(() => NEW.signatureToWire(new Uint8Array(10))).toThrow(RangeError);
  });

  it('the generations cannot be confused: ByteArray is 2026-09, a list is legacy', () => {
    expect(cryptoFormOf(PK1)).toBe('spec-2026-09');
    expect(cryptoFormOf(publicKeyToSyrup(PK1))).toBe('legacy-2025');
    expect(publicKeyFromAnyForm(publicKeyToSyrup(PK1))).toEqual(PK1);
    expect(publicKeyFromAnyForm(PK1)).toEqual(PK1);
    expect(signatureFromAnyForm(OLD.signatureToWire(SIG))).toEqual(SIG);
    expect(() => publicKeyFromAnyForm(new Uint8Array(33))).toThrow(OcapnCryptoError);
  });
});

describe('op:start-session as an op-table variant (src/captp/ops.ts)', () => {
  it('no label has two shapes whose field counts overlap (so reading is unambiguous)', () => {
    const range = (s: { fields: readonly unknown[]; optionalTail?: number }): [number, number] => [s.fields.length - (s.optionalTail ?? 0), s.fields.length];
    for (const shapes of Object.values(OP_VARIANTS)) {
      for (const [label, shape] of Object.entries(shapes)) {
        const others = [OPS[label], ...Object.values(OP_VARIANTS).filter((v) => v !== shapes).map((v) => v[label])].filter(Boolean);
        const [lo, hi] = range(shape);
        for (const o of others) {
          const [olo, ohi] = range(o!);
          expect(hi < olo || lo > ohi, `${label} overlaps`).toBe(true);
        }
      }
    }
  });

  it('writes crypto-version second under the variant, and the 4-field shape without it', () => {
    const f = { captpVersion: '1.0', cryptoVersion: 'Ed25519_SHA256', sessionPubkey: PK1, acceptableLocation: 'L', acceptableLocationSig: SIG };
    expect(encodeOp('op:start-session', f, undefined, 'spec-2026-09').fields.slice(0, 2)).toEqual(['1.0', 'Ed25519_SHA256']);
    expect(encodeOp('op:start-session', f).fields.length).toBe(4);
    expect(() => encodeOp('op:start-session', { ...f, cryptoVersion: undefined as never }, undefined, 'spec-2026-09')).toThrow(/missing field cryptoVersion/);
  });

  it('reads 4 or 5 fields, marks the variant, and refuses 3 or 6', () => {
    expect(decodeOp(rec('op:start-session', '1.0', 'k', 'l', 's')).variant).toBeUndefined();
    expect(decodeOp(rec('op:start-session', '1.0', 'v', 'k', 'l', 's')).variant).toBe('spec-2026-09');
    expect(() => decodeOp(rec('op:start-session', '1.0', 5n, 'k', 'l', 's'))).toThrow(/cryptoVersion must be a String/);
    expect(() => decodeOp(rec('op:start-session', '1.0', 'k', 'l'))).toThrow(WireShapeError);
    expect(() => decodeOp(rec('op:start-session', '1.0', 'v', 'k', 'l', 's', 'x'))).toThrow(/takes 4 fields, got 6/);
  });
});

describe('profile spec-2026-09', () => {
  it('is a named preset; a profile object with a bad crypto is a TypeError', () => {
    expect(resolveProfile('spec-2026-09').crypto).toBe('spec-2026-09');
    expect((PROFILES as Record<string, { crypto?: string }>)['spec-2026-09'].crypto).toBe('spec-2026-09');
    expect(resolveProfile('goblins').crypto).toBeUndefined();
    expect(() => resolveProfile({ ...PROFILES.goblins, crypto: 'rot13' } as never)).toThrow(TypeError);
  });
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A node on `profile`, recording what it sends and its sessions. */
function nodeOn(net: MemoryNetwork, name: string, profile?: 'spec-2026-09') {
  const out: SyrupRecord[] = [];
  const sessions = new Set<CaptpSession>();
  const tap = (e: WireEvent) => {
    sessions.add(e.session);
    if (e.direction === 'out') out.push(e.message as SyrupRecord);
  };
  const node = new OcapnNode({ netlayers: [net.netlayer(name)], profile, tap });
  cleanups.push(() => node.close());
  return { node, out, sessions };
}

describe('nodes on spec-2026-09 (memory netlayer)', () => {
  it('handshake with crypto-version and ByteArrays, then call', async () => {
    const net = new MemoryNetwork();
    const a = nodeOn(net, 'a', 'spec-2026-09');
    const b = nodeOn(net, 'b', 'spec-2026-09');
    const ref = await a.node.enliven(b.node.sturdyRefUri({ hi: (n: string) => `hi ${n}` }));
    expect(await E(ref as any).hi('a')).toBe('hi a');
    const hello = a.out.find((m) => m.labelName === 'op:start-session')!;
    expect(hello.fields.length).toBe(5);
    expect(hello.fields[1]).toBe('Ed25519_SHA256');
    expect(hello.fields[2]).toBeInstanceOf(Uint8Array);
    expect((hello.fields[4] as Uint8Array).length).toBe(64);
    const [sa] = a.sessions;
    const [sb] = b.sessions;
    expect(sa.id).toEqual(sb.id);
    expect(sa.peerCryptoForm).toBe('spec-2026-09');
  });

  it('three-party handoff: the give carries a ByteArray receiver-key and ByteArray signatures', async () => {
    const net = new MemoryNetwork();
    const A = nodeOn(net, 'A', 'spec-2026-09');
    const B = nodeOn(net, 'B', 'spec-2026-09');
    const C = nodeOn(net, 'C', 'spec-2026-09');
    const carolRef = await A.node.enliven(C.node.sturdyRefUri({ hello: (who: string) => `hello ${who}, I am Carol` }));
    const bobRef = await A.node.enliven(B.node.sturdyRefUri({ callIt: (t: unknown) => E(t as any).hello('node B') }));
    expect(await E(bobRef as any).callIt(carolRef)).toBe('hello node B, I am Carol');
    const envelopes = (msgs: SyrupRecord[]) => msgs.flatMap(findEnvelopes);
    const gives = envelopes(A.out);
    expect(gives.length).toBeGreaterThan(0);
    for (const env of gives) {
      const give = env.fields[0] as SyrupRecord;
      expect(give.labelName).toBe('desc:handoff-give');
      expect(give.fields[0]).toBeInstanceOf(Uint8Array);
      expect((env.fields[1] as Uint8Array).length).toBe(64);
    }
    const receives = envelopes(B.out).filter((e) => (e.fields[0] as SyrupRecord).labelName === 'desc:handoff-receive');
    expect(receives.length).toBeGreaterThan(0);
    expect(receives[0].fields[1]).toBeInstanceOf(Uint8Array);
  });

  it('a legacy node and a spec-2026-09 node accept each other and agree on the Session ID', async () => {
    const net = new MemoryNetwork();
    const legacy = nodeOn(net, 'old');
    const modern = nodeOn(net, 'new', 'spec-2026-09');
    const ref = await legacy.node.enliven(modern.node.sturdyRefUri({ twice: (x: number) => 2 * x }));
    expect(await E(ref as any).twice(21)).toBe(42);
    expect(legacy.out.find((m) => m.labelName === 'op:start-session')!.fields.length).toBe(4);
    const [so] = legacy.sessions;
    const [sn] = modern.sessions;
    expect(so.peerCryptoForm).toBe('spec-2026-09');
    expect(sn.peerCryptoForm).toBe('legacy-2025');
    expect(so.id).toEqual(sn.id);
  });

  it('an unsupported crypto-version aborts the session with a reason naming it', async () => {
    const net = new MemoryNetwork();
    const server = nodeOn(net, 'server', 'spec-2026-09');
    const peer = await RawPeer.dial(net.netlayer('raw'), server.node.location);
    const kp = keyPairFromSeed(SK1);
    const loc = peerLocatorToSyrup(peer.location);
    const sig = sign(rec('my-location', loc), kp.privateKey);
    peer.send(rec('op:start-session', '1.0', 'Ed448', kp.publicKey, loc, sig));
    await peer.expect('op:start-session');
    const abort = await peer.expect('op:abort');
    expect(abort.fields[0]).toBe('unsupported crypto-version "Ed448" (we speak "Ed25519_SHA256")');
    expect(await peer.waitClosed()).toBe(true);
  });

  it('a long crypto-version is quoted cut short and well-formed', async () => {
    const net = new MemoryNetwork();
    const server = nodeOn(net, 'server');
    const peer = await RawPeer.dial(net.netlayer('raw'), server.node.location);
    const hello = peer.startSession();
    const version = `x${'\u{1F600}'.repeat(150)}`; // the cut at 100 code units splits a pair
    peer.send(new SyrupRecord(hello.label, [hello.fields[0], version, PK1, hello.fields[2], new Uint8Array(64)]));
    await peer.expect('op:start-session');
    const reason = (await peer.expect('op:abort')).fields[0] as string;
    expect(reason).toMatch(/^unsupported crypto-version "x(\u{1F600}){49}\uFFFD…" \(we speak "Ed25519_SHA256"\)$/u);
  });

  it('a long CapTP version is quoted cut short too (the reason does not echo 64 KiB back)', async () => {
    const net = new MemoryNetwork();
    const server = nodeOn(net, 'server');
    const peer = await RawPeer.dial(net.netlayer('raw'), server.node.location);
    const hello = peer.startSession();
    const fields = [...hello.fields];
    fields[0] = 'v'.repeat(50_000);
    peer.send(new SyrupRecord(hello.label, fields));
    await peer.expect('op:start-session');
    const reason = (await peer.expect('op:abort')).fields[0] as string;
    expect(reason).toBe(`unsupported CapTP version "${'v'.repeat(100)}…" (we speak "1.0")`);
  });

  it('a 5-field start-session with list-shaped key is refused, not misread', async () => {
    const net = new MemoryNetwork();
    const server = nodeOn(net, 'server');
    const peer = await RawPeer.dial(net.netlayer('raw'), server.node.location);
    const legacyHello = peer.startSession();
    peer.send(new SyrupRecord(legacyHello.label, [legacyHello.fields[0], 'Ed25519_SHA256', ...legacyHello.fields.slice(1)]));
    await peer.expect('op:start-session');
    expect((await peer.expect('op:abort')).fields[0]).toMatch(/^bad op:start-session: public key: expected a bytestring/);
  });
});

/** Every `<desc:sig-envelope …>` inside `v`. */
function findEnvelopes(v: unknown): SyrupRecord[] {
  if (v instanceof SyrupRecord) {
    const here = v.labelName === 'desc:sig-envelope' ? [v] : [];
    return [...here, ...v.fields.flatMap(findEnvelopes)];
  }
  if (Array.isArray(v)) return v.flatMap(findEnvelopes);
  return [];
}
