/** CLI values (src/cli/format.ts): arguments read through the value model, results printed back in the same notation. */
import { describe, expect, it } from 'vitest';
import { OcapnPeer, OcapnSturdyRef, RemoteError, Tagged, selector } from '../../src/model/index.js';
import { formatValue, parseArg } from '../../src/cli/format.js';
import { UsageError } from '../../src/cli/netlayers.js';

describe('CLI values', () => {
  it('reads each kind of OCapN value', () => {
    expect(parseArg('42')).toBe(42n);
    expect(parseArg('-7')).toBe(-7n);
    expect(Object.is(parseArg('-0.0'), -0)).toBe(true);
    expect(parseArg('1.5')).toBe(1.5);
    expect(parseArg('"text"')).toBe('text');
    expect(parseArg("'sym")).toEqual(selector('sym'));
    expect(parseArg('t')).toBe(true);
    expect(parseArg('b"ab"')).toEqual(new Uint8Array([0x61, 0x62]));
    expect(parseArg('[1 [2]]')).toEqual([1n, [2n]]);
    expect(parseArg('{"k": 1, "__proto__": 2}')).toEqual(Object.fromEntries([['k', 1n], ['__proto__', 2n]]));
    expect(parseArg('<void>')).toBeUndefined();
    expect(parseArg('<null>')).toBeNull();
    expect(parseArg("<desc:tagged 'point [1 2]>")).toEqual(new Tagged('point', [1n, 2n]));
    expect(parseArg('<desc:error "boom">')).toBeInstanceOf(RemoteError);
    const ref = parseArg(`<ocapn-sturdyref <ocapn-peer 'tcp-testing-only "abc" {"host": "127.0.0.1", "port": "9"}> b"swiss">`);
    expect(ref).toBeInstanceOf(OcapnSturdyRef);
    expect((ref as OcapnSturdyRef).peer).toEqual(new OcapnPeer('tcp-testing-only', 'abc', { host: '127.0.0.1', port: '9' }));
  });

  it('prints what it reads the same way (round trip of the documented examples)', () => {
    for (const text of [
      '42',
      '-0.0',
      '+inf',
      'nan',
      '"a \\"quoted\\" line\\n"',
      "'\"sym with spaces\"",
      ':00ff',
      '[t f [] {}]',
      '{"b": 1, "aa": 2}',
      '<void>',
      '<null>',
      "<desc:tagged 'point [1 2]>",
      `<ocapn-sturdyref <ocapn-peer 'tcp-testing-only "abc" {"host": "127.0.0.1", "port": "9"}> b"swiss">`,
    ]) {
      expect(formatValue(parseArg(text))).toBe(text);
    }
  });

  it('refuses what is not an OCapN value, naming the argument', () => {
    expect(() => parseArg('#{1}', 'argument 3')).toThrow(new UsageError('argument 3 "#{1}": Sets are not OCapN values'));
    expect(() => parseArg('<desc:export 1>', 'argument 1')).toThrow(/unknown record <desc:export> in a value/);
    expect(() => parseArg('{1: 2}')).toThrow(/Struct keys must be Strings/);
    expect(() => parseArg('bob')).toThrow(UsageError);
    expect(() => parseArg('bob')).toThrow(/write 'bob for a Symbol or "bob" for a String/);
  });

  it('prints errors and local references readably', () => {
    expect(formatValue(new Error('boom'))).toBe('<desc:error "boom">');
    expect(formatValue([() => 1])).toBe('[<local-object>]');
  });
});
