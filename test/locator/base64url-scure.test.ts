// The swiss segment's base64url on @scure/base: byte-identical to the hand-written codec it
// replaced (differential, fixed seeds), through the public URI parser and formatter.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSturdyRefUri, parseSturdyRefUri, LocatorError } from '../../src/index.js';
import { oldBase64urlDecode, oldBase64urlEncode } from '../helpers/old-base-codecs.js';

const PREFIX = 'ocapn://a2ef69ddd5f84840970612ff660f5058.tcp-testing-only/s/';
const SUFFIX = '?host=127.0.0.1&port=22045';
const peer = { transport: 'tcp-testing-only', designator: 'a2ef69ddd5f84840970612ff660f5058', hints: { host: '127.0.0.1', port: '22045' } };

const outcome = (f: () => unknown): unknown => {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: true, message: (e as Error).message };
  }
};

describe('swiss base64url on @scure/base', () => {
  it('formats exactly as before (URL-safe alphabet, no padding)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 48 }), (swiss) => {
        const uri = formatSturdyRefUri({ peer, swiss });
        expect(uri).toBe(`${PREFIX}${oldBase64urlEncode(swiss)}${SUFFIX}`);
        expect(uri.slice(PREFIX.length, -SUFFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(parseSturdyRefUri(uri).swiss).toEqual(swiss);
      }),
      { seed: 1130, numRuns: 400 },
    );
  });

  it('parses, and refuses, exactly as before: same bytes or same message', () => {
    const chars = [...'AQgw_-09azZ', '=', '+', '.', '~'] // pchar only: a '/' is refused by the URI parser first;
    const text = fc.array(fc.constantFrom(...chars), { minLength: 1, maxLength: 14 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const now = outcome(() => parseSturdyRefUri(`${PREFIX}${t}${SUFFIX}`).swiss);
        const before = outcome(() => oldBase64urlDecode(t));
        expect(now).toEqual(before);
      }),
      { seed: 2213, numRuns: 3000 },
    );
  });

  it('refuses padding and non-canonical tails with a LocatorError', () => {
    expect(() => parseSturdyRefUri(`${PREFIX}AA==${SUFFIX}`)).toThrow(LocatorError);
    expect(() => parseSturdyRefUri(`${PREFIX}AB${SUFFIX}`)).toThrow(/unused trailing bits/);
    expect(() => parseSturdyRefUri(`${PREFIX}A+${SUFFIX}`)).toThrow(/unexpected character "\+"/);
    expect(parseSturdyRefUri(`${PREFIX}_-8${SUFFIX}`).swiss).toEqual(new Uint8Array([255, 239]));
  });
});
