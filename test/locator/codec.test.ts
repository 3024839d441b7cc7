import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { hexToBytes, bytesToHex } from '@noble/hashes/utils.js';
import { encode, decode } from '../../src/syrup/index.js';
import { SyrupDict, SyrupRecord, rec, sym, type SyrupValue } from '../../src/syrup/types.js';
import {
  LocatorError,
  peerLocatorToSyrup,
  peerLocatorFromSyrup,
  sturdyRefToSyrup,
  sturdyRefFromSyrup,
  sameLocator,
  locatorKey,
  type PeerLocator,
} from '../../src/locator/index.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const PEER_A: PeerLocator = { transport: 'tcp-testing-only', designator: 'peer-a', hints: { host: '127.0.0.1', port: '22045' } };
const PEER_A_BYTES = `<10'ocapn-peer16'tcp-testing-only6"peer-a{4"host9"127.0.0.14"port5"22045}>`;
const STURDYREF_BYTES = `<15'ocapn-sturdyref${PEER_A_BYTES}32:JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ>`;

describe('peer locator Syrup codec', () => {
  it('encodes the §3.1 locator byte for byte', () => {
    expect(text(encode(peerLocatorToSyrup(PEER_A)))).toBe(PEER_A_BYTES);
  });

  it('sorts hints canonically whatever the object key order', () => {
    const loc = { ...PEER_A, hints: { port: '22045', host: '127.0.0.1' } };
    expect(text(encode(peerLocatorToSyrup(loc)))).toBe(PEER_A_BYTES);
  });

  it('decodes the §3.1 locator', () => {
    const loc = peerLocatorFromSyrup(decode(ascii(PEER_A_BYTES)));
    expect(loc).toEqual(PEER_A);
    expect(Object.isFrozen(loc)).toBe(true);
    expect(Object.isFrozen(loc.hints)).toBe(true);
  });

  it('writes the transport as a Symbol and hints false as f', () => {
    const v = peerLocatorToSyrup({ transport: 'onion', designator: 'a'.repeat(56), hints: false });
    expect(v.fields[0]).toEqual(sym('onion'));
    expect(text(encode(v))).toBe(`<10'ocapn-peer5'onion56"${'a'.repeat(56)}f>`);
  });

  it('accepts the legacy ocapn-node label, in both field orders', () => {
    const legacy = rec('ocapn-node', sym('tcp-testing-only'), 'peer-a', new SyrupDict([['host', '127.0.0.1'], ['port', '22045']]));
    expect(peerLocatorFromSyrup(legacy)).toEqual(PEER_A);
    const oldOrder = rec('ocapn-node', 'peer-a', sym('tcp-testing-only'), false);
    expect(peerLocatorFromSyrup(oldOrder)).toEqual({ ...PEER_A, hints: false });
    // the swapped order is only a legacy allowance
    expect(() => peerLocatorFromSyrup(rec('ocapn-peer', 'peer-a', sym('tcp-testing-only'), false))).toThrow(/transport must be a Symbol/);
  });

  it('keeps a "__proto__" hint as an ordinary key', () => {
    const v = rec('ocapn-peer', sym('t'), 'd', new SyrupDict([['__proto__', 'x']]));
    const loc = peerLocatorFromSyrup(v);
    expect(loc.hints && Object.getPrototypeOf(loc.hints)).toBe(Object.prototype);
    expect(loc.hints && Object.hasOwn(loc.hints, '__proto__')).toBe(true);
    expect(text(encode(peerLocatorToSyrup(loc)))).toBe(`<10'ocapn-peer1't1"d{9"__proto__1"x}>`);
  });

  const bad: [string, SyrupValue, RegExp][] = [
    ['a list', [sym('ocapn-peer')], /expected a <ocapn-peer …> record, got a list/],
    ['wrong label', rec('ocapn-peers', sym('t'), 'd', false), /expected label 'ocapn-peer/],
    ['string label', new SyrupRecord('ocapn-peer', [sym('t'), 'd', false]), /non-symbol label/],
    ['2 fields', rec('ocapn-peer', sym('t'), 'd'), /exactly 3 fields, got 2/],
    ['4 fields', rec('ocapn-peer', sym('t'), 'd', false, false), /exactly 3 fields, got 4/],
    ['transport as String', rec('ocapn-peer', 't', 'd', false), /transport must be a Symbol, got a String/],
    ['transport containing "."', rec('ocapn-peer', sym('tcp.testing'), 'd', false), /must not contain "."/],
    ['empty transport', rec('ocapn-peer', sym(''), 'd', false), /transport must not be empty/],
    ['designator as bytes', rec('ocapn-peer', sym('t'), ascii('d'), false), /designator must be a String, got a ByteArray/],
    ['empty designator', rec('ocapn-peer', sym('t'), '', false), /designator must not be empty/],
    ['hints true', rec('ocapn-peer', sym('t'), 'd', true), /hints must be a dictionary or false, got true/],
    ['hints as legacy list', rec('ocapn-peer', sym('t'), 'd', [[sym('host'), '1']]), /hints must be a dictionary/],
    ['hint value not a String', rec('ocapn-peer', sym('t'), 'd', new SyrupDict([['port', 22045n]])), /hint "port" must have a String value, got an Integer/],
    ['hint key a Symbol', rec('ocapn-peer', sym('t'), 'd', new SyrupDict([[sym('host'), 'x']])), /hint keys must be Strings/],
    ['duplicate hint', rec('ocapn-peer', sym('t'), 'd', new SyrupDict([['a', '1'], ['a', '2']])), /duplicate hint key "a"/],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => peerLocatorFromSyrup(value)).toThrow(LocatorError);
      expect(() => peerLocatorFromSyrup(value)).toThrow(message);
    });
  }

  it('refuses to encode invalid locators', () => {
    expect(() => peerLocatorToSyrup({ ...PEER_A, transport: 'tcp.x' })).toThrow(LocatorError);
    expect(() => peerLocatorToSyrup({ ...PEER_A, transport: '' })).toThrow(/transport must not be empty/);
    expect(() => peerLocatorToSyrup({ ...PEER_A, designator: '' })).toThrow(/designator must not be empty/);
    expect(() => peerLocatorToSyrup({ ...PEER_A, hints: { port: 1 } as unknown as Record<string, string> })).toThrow(/hint "port" must have a string value/);
    expect(() => peerLocatorToSyrup(null as unknown as PeerLocator)).toThrow(TypeError);
  });

  it('round-trips random locators (property, seed 42)', () => {
    const locator = fc.record({
      transport: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('.')),
      designator: fc.string({ minLength: 1, maxLength: 40 }),
      hints: fc.oneof(fc.constant(false as const), fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 4 })),
    });
    fc.assert(
      fc.property(locator, (loc) => {
        const bytes = encode(peerLocatorToSyrup(loc));
        const back = peerLocatorFromSyrup(decode(bytes));
        expect(back).toEqual(loc);
        expect(encode(peerLocatorToSyrup(back))).toEqual(bytes);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('sturdyref Syrup codec', () => {
  const swiss = ascii('JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ');

  it('encodes the §14 sturdyref byte for byte', () => {
    expect(text(encode(sturdyRefToSyrup({ peer: PEER_A, swiss })))).toBe(STURDYREF_BYTES);
  });

  it('decodes it with the swiss number as bytes', () => {
    const ref = sturdyRefFromSyrup(decode(ascii(STURDYREF_BYTES)));
    expect(ref.peer).toEqual(PEER_A);
    expect(ref.swiss).toEqual(swiss);
  });

  it('accepts a String swiss number (Locators.md) as its UTF-8 bytes', () => {
    const ref = sturdyRefFromSyrup(rec('ocapn-sturdyref', peerLocatorToSyrup(PEER_A), 'björn'));
    expect(bytesToHex(ref.swiss)).toBe('626ac3b6726e');
  });

  it('rejects malformed sturdyrefs', () => {
    const peer = peerLocatorToSyrup(PEER_A);
    expect(() => sturdyRefFromSyrup(rec('ocapn-sturdyrefs', peer, swiss))).toThrow(LocatorError);
    expect(() => sturdyRefFromSyrup(rec('ocapn-sturdyref', peer))).toThrow(/exactly 2 fields, got 1/);
    expect(() => sturdyRefFromSyrup(rec('ocapn-sturdyref', peer, 5n))).toThrow(/swiss number must be a ByteArray or String, got an Integer/);
    expect(() => sturdyRefFromSyrup(rec('ocapn-sturdyref', rec('ocapn-peer', sym('a.b'), 'd', false), swiss))).toThrow(/must not contain "."/);
    expect(() => sturdyRefToSyrup({ peer: PEER_A, swiss: 'abc' as unknown as Uint8Array })).toThrow(LocatorError);
  });
});

describe('recorded locator vectors (shared/vectors/syrup-vectors.json)', () => {
  const cases: { name: string; hex: string }[] = JSON.parse(
    readFileSync(new URL('../../../shared/vectors/syrup-vectors.json', import.meta.url), 'utf8'),
  );
  const pick = (name: string): Uint8Array => hexToBytes(cases.find((c) => c.name === name)!.hex);

  it('re-encodes the recorded peer locators identically', () => {
    for (const name of ['record ocapn-peer locator', 'record ocapn-peer onion hints false']) {
      const bytes = pick(name);
      expect(encode(peerLocatorToSyrup(peerLocatorFromSyrup(decode(bytes))))).toEqual(bytes);
    }
  });

  it('re-encodes the recorded sturdyref identically', () => {
    const bytes = pick('record ocapn-sturdyref');
    expect(encode(sturdyRefToSyrup(sturdyRefFromSyrup(decode(bytes))))).toEqual(bytes);
  });
});

describe('peer identity', () => {
  it('sameLocator ignores hints', () => {
    expect(sameLocator(PEER_A, { ...PEER_A, hints: false })).toBe(true);
    expect(sameLocator(PEER_A, { ...PEER_A, designator: 'peer-b' })).toBe(false);
    expect(sameLocator(PEER_A, { ...PEER_A, transport: 'websocket' })).toBe(false);
  });

  it('locatorKey depends on transport and designator only, and never collides', () => {
    expect(locatorKey(PEER_A)).toBe(locatorKey({ ...PEER_A, hints: { x: 'y' } }));
    expect(locatorKey({ transport: 'b', designator: 'a.x', hints: false })).toBe('a.x.b');
    const pair = fc.tuple(
      fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !s.includes('.')),
      fc.string({ minLength: 1, maxLength: 6 }),
    );
    fc.assert(
      fc.property(pair, pair, ([t1, d1], [t2, d2]) => {
        const same = t1 === t2 && d1 === d2;
        const a = { transport: t1, designator: d1, hints: false as const };
        const b = { transport: t2, designator: d2, hints: false as const };
        expect(locatorKey(a) === locatorKey(b)).toBe(same);
        expect(sameLocator(a, b)).toBe(same);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('locatorKey rejects a transport containing "."', () => {
    expect(() => locatorKey({ transport: 'x.b', designator: 'a', hints: false })).toThrow(LocatorError);
  });
});
