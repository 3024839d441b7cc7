/**
 * The `endo` profile's value forms (Struct keys in JS string order, -0 as 0.0), profile
 * validation, Endo detection, and signatures over structs in Endo's order (notes §15.1).
 */
import { describe, expect, it } from 'vitest';
import { OcapnNode, MemoryNetwork, ENDO, GOBLINS, SUITE, resolveProfile, type CompatProfile } from '../../src/index.js';
import { hasEndoKeyOrder } from '../../src/captp/profile.js';
import { toSyrup, OcapnPeer, type RefHooks } from '../../src/model/codec.js';
import { decode, encode, SyrupDict, SyrupRecord, rec, sym, type SyrupValue } from '../../src/syrup/index.js';
import { keyPairFromSeed, publicKeyToSyrup, sign, signatureToSyrup, verify } from '../../src/crypto/index.js';
import { RawPeer, SEED2 } from '../helpers/raw-peer.js';

const LENIENT = { dictOrder: 'canonical-or-js' } as const;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const noRefs: RefHooks = {
  isKnownRef: () => false,
  encodeRef: () => {
    throw new Error('no references here');
  },
  decodeRef: () => undefined,
};

describe('profiles', () => {
  it('endo writes JS key order and -0 as 0.0; goblins and suite write canonical order and keep -0', () => {
    expect([ENDO.structOrder, ENDO.negativeZero]).toEqual(['js', 'zero']);
    for (const p of [GOBLINS, SUITE]) expect([p.structOrder, p.negativeZero]).toEqual(['canonical', 'keep']);
  });
  it('a profile object written before the new fields existed is still accepted as is', () => {
    const old = { name: 'goblins', deliverOnly: false, listenFields: 3, gcLabels: 'plural', gcBatch: false, errorForm: 'mystery' } as CompatProfile;
    expect(resolveProfile(old)).toBe(old);
    expect(resolveProfile({ ...old, structOrder: 'js', negativeZero: 'zero' }).structOrder).toBe('js');
  });
  it('refuses a bad structOrder or negativeZero', () => {
    expect(() => resolveProfile({ ...GOBLINS, structOrder: 'bytes' } as never)).toThrow(TypeError);
    expect(() => resolveProfile({ ...GOBLINS, negativeZero: 'drop' } as never)).toThrow(TypeError);
  });
});

describe('toSyrup under the endo profile', () => {
  const struct = { name: 'ocapn', count: 3n, inner: { b: 1n, aa: 2n }, z: -0 };
  it("writes Struct keys in JS string order, nested too (Endo's bytes from vectors/endo-head a2)", () => {
    const js = toSyrup([{ name: 'ocapn', count: 3n }], noRefs, { structOrder: 'js' });
    expect(latin1(encode(js))).toBe('[{5"count3+4"name5"ocapn}]');
    const canonical = toSyrup([{ name: 'ocapn', count: 3n }], noRefs);
    expect(latin1(encode(canonical))).toBe('[{4"name5"ocapn5"count3+}]');
    const nested = encode(toSyrup(struct, noRefs, { structOrder: 'js', negativeZero: 'zero' }));
    expect(latin1(nested)).toBe(`{5"count3+5"inner{2"aa2+1"b1+}4"name5"ocapn1"z${latin1(encode(0))}}`);
    const d = decode(nested, LENIENT) as SyrupDict;
    expect(d.order).toBe('js');
    expect(d.entries.map(([k]) => k)).toEqual(['count', 'inner', 'name', 'z']);
    expect((d.entries[1][1] as SyrupDict).entries.map(([k]) => k)).toEqual(['aa', 'b']);
  });
  it('writes -0 as 0.0 only when asked', () => {
    expect(Object.is(toSyrup(-0, noRefs, { negativeZero: 'zero' }), 0)).toBe(true);
    expect(Object.is(toSyrup(-0, noRefs), -0)).toBe(true);
    expect(Number.isNaN(toSyrup(NaN, noRefs, { negativeZero: 'zero' }) as number)).toBe(true);
    expect(toSyrup(-1.5, noRefs, { negativeZero: 'zero' })).toBe(-1.5);
  });
  it('writes locator hints in JS order too', () => {
    const peer = new OcapnPeer('tcp-testing-only', 'x', { port: '1', host: 'h', b: '2' });
    expect(latin1(encode(toSyrup(peer, noRefs, { structOrder: 'js' })))).toContain('{1"b1"24"host1"h4"port1"1}');
    const longKeys = new OcapnPeer('tcp-testing-only', 'x', { zz: '1', aaa: '2' });
    expect(latin1(encode(toSyrup(longKeys, noRefs, { structOrder: 'js' })))).toContain('{3"aaa1"22"zz1"1}');
    expect(latin1(encode(toSyrup(longKeys, noRefs)))).toContain('{2"zz1"13"aaa1"2}');
  });
});

describe('telling Endo apart', () => {
  it('hasEndoKeyOrder finds a JS-ordered dictionary anywhere in a message', () => {
    const endoCall = decode(new TextEncoder().encode('<10\'op:deliver<11\'desc:export1+>[{5"count3+4"name5"ocapn}]1+<18\'desc:import-object3+>>'), LENIENT);
    expect(hasEndoKeyOrder(endoCall)).toBe(true);
    const canonicalCall = decode(new TextEncoder().encode('<10\'op:deliver<11\'desc:export1+>[{4"name5"ocapn5"count3+}]1+<18\'desc:import-object3+>>'), LENIENT);
    expect(hasEndoKeyOrder(canonicalCall)).toBe(false);
    // Equal-length keys (every hello's host/port hints) say nothing.
    expect(hasEndoKeyOrder(decode(encode(new SyrupDict([['port', '1'], ['host', 'h']], 'js')), LENIENT))).toBe(false);
  });
});

/** `<op:start-session "1.0" KEY LOC SIG>` with LOC's hints written in `order`, signed over that. */
function startSession(designator: string, hints: [string, string][], order: 'js' | 'canonical', signWith: 'same' | 'js' = 'same') {
  const kp = keyPairFromSeed(SEED2);
  const loc = (o: 'js' | 'canonical') => rec('ocapn-peer', sym('memory'), designator, new SyrupDict(hints, o));
  const sig = sign(rec('my-location', loc(signWith === 'same' ? order : signWith)), kp.privateKey);
  return { kp, bytes: encode(rec('op:start-session', '1.0', publicKeyToSyrup(kp.publicKey), loc(order), signatureToSyrup(sig))) };
}

describe('signatures over structs in Endo order', () => {
  const hints: [string, string][] = [['b', '1'], ['aa', '2']]; // JS: aa b; canonical: b aa
  it('verify re-encodes a decoded struct in the order it arrived', () => {
    const { kp } = startSession('raw', hints, 'js');
    const jsLoc = encode(rec('my-location', rec('ocapn-peer', sym('memory'), 'raw', new SyrupDict(hints, 'js'))));
    const canonicalLoc = encode(rec('my-location', rec('ocapn-peer', sym('memory'), 'raw', new SyrupDict(hints))));
    expect(hex(jsLoc)).not.toBe(hex(canonicalLoc));
    const sig = sign(decode(jsLoc, LENIENT), kp.privateKey);
    expect(verify(decode(jsLoc, LENIENT), sig, kp.publicKey)).toBe(true);
    // The same hints re-sorted (canonical) do not verify against the signature over JS order.
    expect(verify(decode(canonicalLoc, LENIENT), sig, kp.publicKey)).toBe(false);
    // A handoff give naming an exporter whose hints are in JS order (what checks.ts verifies).
    const give = (o: 'js' | 'canonical') =>
      rec('desc:handoff-give', publicKeyToSyrup(kp.publicKey), rec('ocapn-peer', sym('tcp-testing-only'), 'e', new SyrupDict(hints, o)), new Uint8Array(32), new Uint8Array(32), new Uint8Array(32));
    const giveSig = sign(give('js'), kp.privateKey);
    expect(verify(decode(encode(give('js')), LENIENT) as SyrupRecord, giveSig, kp.publicKey)).toBe(true);
    expect(verify(decode(encode(give('canonical')), LENIENT) as SyrupRecord, giveSig, kp.publicKey)).toBe(false);
  });

  async function hello(bytes: Uint8Array): Promise<{ peer: RawPeer; node: OcapnNode; reply: SyrupValue }> {
    const net = new MemoryNetwork();
    const node = new OcapnNode({ netlayers: [net.netlayer('node')] });
    const peer = await RawPeer.dial(net.netlayer('raw'), node.location);
    peer.send(bytes);
    const first = await peer.next();
    const reply = first.labelName === 'op:start-session' ? await peer.next(300).catch(() => first) : first;
    return { peer, node, reply };
  }

  it("a node accepts an op:start-session whose hints are in Endo's order, signed over those bytes", async () => {
    const { bytes } = startSession('raw', hints, 'js');
    expect(latin1(bytes)).toContain('{2"aa1"21"b1"1}');
    const { node, peer, reply } = await hello(bytes);
    try {
      expect((reply as SyrupRecord).labelName).toBe('op:start-session');
      expect(peer.closed).toBe(false);
      expect(node.sessions.length).toBe(1);
      expect(node.sessions[0].isActive).toBe(true);
    } finally {
      await node.close();
    }
  });

  it('and aborts when the hints are re-sorted under that same signature', async () => {
    const { bytes } = startSession('raw', hints, 'canonical', 'js');
    expect(latin1(bytes)).toContain('{1"b1"12"aa1"2}');
    const { node, peer, reply } = await hello(bytes);
    try {
      expect((reply as SyrupRecord).labelName).toBe('op:abort');
      expect((reply as SyrupRecord).fields[0]).toBe('op:start-session location signature does not verify');
      expect(await peer.waitClosed()).toBe(true);
    } finally {
      await node.close();
    }
  });
});
