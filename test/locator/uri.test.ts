import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  LocatorError,
  DEFAULT_MAX_URI_LENGTH,
  parseOcapnUri,
  parsePeerUri,
  parseSturdyRefUri,
  formatPeerUri,
  formatSturdyRefUri,
  type PeerLocator,
  type SturdyRef,
} from '../../src/locator/index.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

// notes §3.3: the example from the 2025-06 minutes.
const WS_DESIGNATOR = 'kjvy4q57mcjqowfjxskvjhwh5by6qmxwf6io4ebnbajdg23vxwpq';
const WS_SWISS = 'owTMxsorfhS2Yy-IY-w5y6OG88YzY9JSxFvLU5mSnWc';
const WS_URI = `ocapn://${WS_DESIGNATOR}.websocket/s/${WS_SWISS}?url=wss%3A%2F%2Fspritely.institute%3A8080`;
// notes §3.3: the test suite's form.
const SUITE_URI = 'ocapn://a2ef69ddd5f84840970612ff660f5058.tcp-testing-only?host=127.0.0.1&port=22045';
const SUITE_SWISS = 'JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ';

describe('the §3.3 examples', () => {
  it('parses the websocket sturdyref: 52-char designator, 43-char swiss → 32 bytes', () => {
    const ref = parseSturdyRefUri(WS_URI);
    expect(ref.peer).toEqual({ transport: 'websocket', designator: WS_DESIGNATOR, hints: { url: 'wss://spritely.institute:8080' } });
    expect(WS_DESIGNATOR).toHaveLength(52);
    expect(WS_SWISS).toHaveLength(43);
    expect(ref.swiss).toHaveLength(32);
    expect(Buffer.from(ref.swiss).toString('base64url')).toBe(WS_SWISS);
    expect(formatSturdyRefUri(ref)).toBe(WS_URI);
  });

  it('parses the test-suite peer URI and formats it back identically', () => {
    const loc = parsePeerUri(SUITE_URI);
    expect(loc).toEqual({
      transport: 'tcp-testing-only',
      designator: 'a2ef69ddd5f84840970612ff660f5058',
      hints: { host: '127.0.0.1', port: '22045' },
    });
    expect(Object.isFrozen(loc)).toBe(true);
    expect(formatPeerUri(loc)).toBe(SUITE_URI);
  });

  it("reads the test suite's raw ASCII swiss numbers with swissEncoding 'raw'", () => {
    const uri = `ocapn://a2ef69ddd5f84840970612ff660f5058.tcp-testing-only/s/${SUITE_SWISS}?host=127.0.0.1&port=22045`;
    const ref = parseSturdyRefUri(uri, { swissEncoding: 'raw' });
    expect(ref.swiss).toEqual(ascii(SUITE_SWISS));
    expect(ref.peer.hints).toEqual({ host: '127.0.0.1', port: '22045' });
    expect(formatSturdyRefUri(ref, { swissEncoding: 'raw' })).toBe(uri);
    // the default (base64url) refuses it: '+' is not in the base64url alphabet
    expect(() => parseSturdyRefUri(uri)).toThrow(/not valid base64url: unexpected character "\+"/);
  });

  it('raw swiss bytes outside pchar are percent-encoded and decoded', () => {
    const ref: SturdyRef = { peer: { transport: 't', designator: 'd', hints: false }, swiss: new Uint8Array([0x00, 0x2f, 0x3f, 0x25, 0x41, 0xff]) };
    const uri = formatSturdyRefUri(ref, { swissEncoding: 'raw' });
    expect(uri).toBe('ocapn://d.t/s/%00%2F%3F%25A%FF');
    expect(parseSturdyRefUri(uri, { swissEncoding: 'raw' }).swiss).toEqual(ref.swiss);
  });
});

describe('parsing rules', () => {
  it('splits the host on the last "."', () => {
    expect(parsePeerUri('ocapn://abc.def.onion')).toEqual({ transport: 'onion', designator: 'abc.def', hints: false });
  });

  it('no query means hints false; an empty query means {}', () => {
    expect(parsePeerUri('ocapn://d.t').hints).toBe(false);
    expect(parsePeerUri('ocapn://d.t?').hints).toEqual({});
    expect(formatPeerUri({ transport: 't', designator: 'd', hints: {} })).toBe('ocapn://d.t?');
    expect(formatPeerUri({ transport: 't', designator: 'd', hints: false })).toBe('ocapn://d.t');
  });

  it('percent-decodes designator, transport and hints (RFC 3986: + stays +)', () => {
    const loc = parsePeerUri('ocapn://d%C3%A9%20x.t%2Dy?k%20y=a+b%26c%3D&z=%E2%82%AC');
    expect(loc).toEqual({ transport: 't-y', designator: 'dé x', hints: { 'k y': 'a+b&c=', z: '€' } });
  });

  it('accepts a trailing "/" on a peer URI and an upper-case scheme', () => {
    expect(parseOcapnUri('ocapn://d.t/')).toEqual({ transport: 't', designator: 'd', hints: false });
    expect(parseOcapnUri('OCAPN://d.t')).toEqual({ transport: 't', designator: 'd', hints: false });
  });

  it('parseOcapnUri tells peers and sturdyrefs apart', () => {
    expect('swiss' in parseOcapnUri('ocapn://d.t/s/AAEC')).toBe(true);
    expect(parseSturdyRefUri('ocapn://d.t/s/AAEC').swiss).toEqual(new Uint8Array([0, 1, 2]));
    expect('swiss' in parseOcapnUri('ocapn://d.t')).toBe(false);
    expect(() => parsePeerUri('ocapn://d.t/s/AAEC')).toThrow(/expected a peer URI, got a sturdyref URI/);
    expect(() => parseSturdyRefUri('ocapn://d.t')).toThrow(/expected a sturdyref URI/);
  });

  it('enforces the length limit, with an option to change it', () => {
    const long = `ocapn://${'d'.repeat(DEFAULT_MAX_URI_LENGTH)}.t`;
    expect(() => parsePeerUri(long)).toThrow(/limit is 8192 \(option maxLength\)/);
    expect(parsePeerUri(long, { maxLength: 20_000 }).designator).toHaveLength(DEFAULT_MAX_URI_LENGTH);
    expect(() => parsePeerUri('ocapn://d.t', { maxLength: 1 })).toThrow(RangeError);
  });

  it('rejects a bad swissEncoding option', () => {
    expect(() => parseOcapnUri('ocapn://d.t', { swissEncoding: 'hex' as 'raw' })).toThrow(TypeError);
    expect(() => formatSturdyRefUri({ peer: { transport: 't', designator: 'd', hints: false }, swiss: new Uint8Array(1) }, { swissEncoding: 'b64' as 'raw' })).toThrow(/swissEncoding/);
  });
});

describe('malformed URIs are rejected with LocatorError', () => {
  const bad: [string, string, RegExp][] = [
    ['wrong scheme', 'http://d.t', /expected it to start with "ocapn:\/\/"/],
    ['scheme without //', 'ocapn:d.t', /expected it to start with "ocapn:\/\/"/],
    ['no dot', 'ocapn://designator', /has no "\." between designator and transport/],
    ['empty designator', 'ocapn://.tcp', /empty designator/],
    ['empty transport', 'ocapn://d.', /empty transport/],
    ['empty host', 'ocapn:///s/AAAA', /empty host/],
    ['transport containing "." (escaped)', 'ocapn://d.t%2Eu', /must not contain "\."/],
    ['bad percent escape (not hex)', 'ocapn://d%zz.t', /bad percent escape "%zz"/],
    ['truncated percent escape', 'ocapn://d.t?a=%4', /bad percent escape "%4"/],
    ['percent escape that is not UTF-8', 'ocapn://d%FF.t', /does not percent-decode to valid UTF-8/],
    ['bad base64url character', 'ocapn://d.t/s/ab+c', /not valid base64url/],
    ['base64url padding', 'ocapn://d.t/s/AAE=', /padding "=" is not allowed/],
    ['impossible base64url length', 'ocapn://d.t/s/AAAAA', /length mod 4 = 1/],
    ['non-canonical base64url trailing bits', 'ocapn://d.t/s/AB', /trailing bits are not zero/],
    ['percent-encoded non-ASCII in base64url', 'ocapn://d.t/s/%FF', /not valid base64url \(non-ASCII/],
    ['empty swiss', 'ocapn://d.t/s/', /empty swiss number/],
    ['extra path segment', 'ocapn://d.t/s/AAEC/x', /exactly "\/s\/<swiss>"/],
    ['other path', 'ocapn://d.t/x/AAEC', /path must be empty or "\/s\/<swiss>"/],
    ['a fragment', 'ocapn://d.t#frag', /must not have a fragment/],
    ['a port', 'ocapn://d.t:8080', /not allowed there: ":"/],
    ['user info', 'ocapn://u@d.t', /not allowed there: "@"/],
    ['a space', 'ocapn://d .t', /not allowed there: " "/],
    ['hint without "="', 'ocapn://d.t?flag', /not of the form key=value/],
    ['hint with empty key', 'ocapn://d.t?=v', /not of the form key=value/],
    ['empty hint between "&"', 'ocapn://d.t?a=1&&b=2', /not of the form key=value/],
    ['duplicate hint', 'ocapn://d.t?a=1&a=2', /repeats the hint "a"/],
    ['raw non-ASCII in query', 'ocapn://d.t?a=é', /must be percent-encoded: "é"/],
  ];
  for (const [name, uri, message] of bad) {
    it(name, () => {
      expect(() => parseOcapnUri(uri)).toThrow(LocatorError);
      expect(() => parseOcapnUri(uri)).toThrow(message);
    });
  }
  it('LocatorError is a TypeError', () => {
    expect(() => parseOcapnUri('nope')).toThrow(TypeError);
    expect(() => parseOcapnUri(42 as unknown as string)).toThrow(LocatorError);
  });
});

describe('formatting', () => {
  it('sorts hint keys and percent-encodes per encodeURIComponent', () => {
    const uri = formatPeerUri({ transport: 'tcp-testing-only', designator: 'peer a', hints: { port: '1', host: 'h', 'a&b': 'x=y/z' } });
    expect(uri).toBe('ocapn://peer%20a.tcp-testing-only?a%26b=x%3Dy%2Fz&host=h&port=1');
  });

  it('refuses invalid locators and empty swiss numbers', () => {
    expect(() => formatPeerUri({ transport: 'a.b', designator: 'd', hints: false })).toThrow(LocatorError);
    expect(() => formatPeerUri({ transport: 't', designator: '', hints: false })).toThrow(/designator must not be empty/);
    expect(() => formatPeerUri({ transport: 't', designator: '\ud800', hints: false })).toThrow(/lone surrogate/);
    expect(() => formatSturdyRefUri({ peer: { transport: 't', designator: 'd', hints: false }, swiss: new Uint8Array(0) })).toThrow(/empty swiss/);
  });
});

describe('round trips (property, seed 42)', () => {
  const transport = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !s.includes('.') && s.isWellFormed());
  const text = (min: number, max: number) => fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
  const hints = fc.oneof(fc.constant(false as const), fc.dictionary(text(1, 8), text(0, 20), { maxKeys: 4 }));
  const locator: fc.Arbitrary<PeerLocator> = fc.record({ transport, designator: text(1, 40), hints });
  const swiss = fc.uint8Array({ minLength: 1, maxLength: 48 });

  it('peer: locator → URI → locator → URI', () => {
    fc.assert(
      fc.property(locator, (loc) => {
        const uri = formatPeerUri(loc);
        const back = parsePeerUri(uri);
        expect(back).toEqual(loc);
        expect(formatPeerUri(back)).toBe(uri);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('sturdyref: URI → sturdyref → URI, in both swiss encodings', () => {
    fc.assert(
      fc.property(locator, swiss, fc.constantFrom('base64url' as const, 'raw' as const), (peer, s, swissEncoding) => {
        const uri = formatSturdyRefUri({ peer, swiss: s }, { swissEncoding });
        const ref = parseSturdyRefUri(uri, { swissEncoding });
        expect(ref.peer).toEqual(peer);
        expect(ref.swiss).toEqual(s);
        expect(formatSturdyRefUri(ref, { swissEncoding })).toBe(uri);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('base64url swiss agrees with Node\'s encoder', () => {
    fc.assert(
      fc.property(swiss, (s) => {
        const uri = formatSturdyRefUri({ peer: { transport: 't', designator: 'd', hints: false }, swiss: s });
        expect(uri).toBe(`ocapn://d.t/s/${Buffer.from(s).toString('base64url')}`);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
