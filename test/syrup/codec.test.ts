import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  compareBytes,
  decode,
  encode,
  rec,
  sym,
  SyrupDict,
  SyrupError,
  SyrupRecord,
  SyrupSet,
  SyrupStreamReader,
  scanValue,
  toNotation,
  type SyrupValue,
} from '../../src/syrup/index.js';
import { bytesToHex, same } from './helpers.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

function syrupError(f: () => unknown): SyrupError {
  try {
    f();
  } catch (e) {
    if (e instanceof SyrupError) return e;
    throw new Error(`expected SyrupError, got ${String(e)}`);
  }
  throw new Error('expected SyrupError, nothing thrown');
}

describe('ocapn-notes §1.3 encoded examples', () => {
  const examples: [SyrupValue, string][] = [
    [true, 't'],
    [-1n, '1-'],
    ['twine', '5"twine'],
    [sym('fleur-de-lis'), "12'fleur-de-lis"],
    [Uint8Array.from([0xb0, 0xb5, 0xc0, 0xff, 0xee, 0xfa, 0xca, 0xde]), '8:\xb0\xb5\xc0\xff\xee\xfa\xca\xde'],
    [NaN, 'D\x7f\xf8\x00\x00\x00\x00\x00\x00'],
    [Infinity, 'D\x7f\xf0\x00\x00\x00\x00\x00\x00'],
    [[1n, 2n, 3n], '[1+2+3+]'],
    [new SyrupDict([['a', 10n], ['b', 2n]]), '{1"a10+1"b2+}'],
    [new SyrupSet([1n, 2n, 3n]), '#1+2+3+$'],
    [
      rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), latin1('swiss')], 3n, rec('desc:import-object', 5n)),
      "<10'op:deliver<11'desc:export0+>[5'fetch5:swiss]3+<18'desc:import-object5+>>",
    ],
    [rec('op:abort', 'explode'), "<8'op:abort7\"explode>"],
    [rec('op:gc-exports', [1n], [2n]), "<13'op:gc-exports[1+][2+]>"],
    [rec('op:get', rec('desc:answer', 5n), 'someField', 10n), "<6'op:get<11'desc:answer5+>9\"someField10+>"],
    [new SyrupDict([['b', 1n], ['aa', 2n], ['a', 3n]]), '{1"a3+1"b1+2"aa2+}'],
  ];
  for (const [value, wire] of examples) {
    it(`${toNotation(value)} ⇄ ${JSON.stringify(wire)}`, () => {
      expect(ascii(encode(value))).toBe(wire);
      expect(same(decode(latin1(wire)), value)).toBe(true);
    });
  }
});

describe('encode', () => {
  it('numbers are always Float64; -0 is kept; every NaN is canonical', () => {
    expect(bytesToHex(encode(1))).toBe('443ff0000000000000');
    expect(bytesToHex(encode(-0))).toBe('448000000000000000');
    const weird = new DataView(new ArrayBuffer(8));
    weird.setUint32(0, 0xfff80000);
    weird.setUint32(4, 1);
    expect(bytesToHex(encode(weird.getFloat64(0)))).toBe('447ff8000000000000');
  });
  it('integers: zero is 0+, no leading zeros, any size', () => {
    expect(ascii(encode(0n))).toBe('0+');
    expect(ascii(encode(-0n))).toBe('0+');
    expect(ascii(encode(-(2n ** 70n)))).toBe(`${2n ** 70n}-`);
  });
  it('dictionary order does not depend on insertion order, nested dicts too', () => {
    const a = new SyrupDict([['zz', new SyrupDict([[sym('b'), 1n], ['b', 2n]])], ['a', true]]);
    const b = new SyrupDict([['a', true], ['zz', new SyrupDict([['b', 2n], [sym('b'), 1n]])]]);
    expect(ascii(encode(a))).toBe(ascii(encode(b)));
    expect(ascii(encode(a))).toBe('{1"at2"zz{1"b2+1\'b1+}}');
  });
  it('throws TypeError for duplicate dictionary keys and set items (adjacent or not)', () => {
    expect(() => encode(new SyrupDict([['a', 1n], ['a', 2n]]))).toThrow(TypeError);
    expect(() => encode(new SyrupDict([['a', 1n], ['b', 1n], ['a', 2n]]))).toThrow(/duplicate/);
    expect(() => encode(new SyrupSet([1n, 2n, 1n]))).toThrow(/duplicate/);
    expect(() => encode(new SyrupSet([[1n], [1n]]))).toThrow(TypeError);
  });
  it('throws TypeError for non-Syrup JS values', () => {
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { a: 1 },
      Symbol('x'),
      () => 1,
      new Map(),
      new Uint16Array(2),
      new Date(0),
      [1n, undefined],
      'lone \ud800 surrogate',
      sym('\udc00'),
      new SyrupDict([['a', 1n, 2n] as unknown as [SyrupValue, SyrupValue]]),
      new SyrupRecord(sym('x'), [null as unknown as SyrupValue]),
    ];
    for (const v of bad) expect(() => encode(v as SyrupValue), String(v)).toThrow(TypeError);
  });
  it('cyclic or absurdly deep values throw TypeError, not RangeError', () => {
    const cyc: SyrupValue[] = [];
    cyc.push(cyc);
    expect(() => encode(cyc)).toThrow(TypeError);
  });
  it('returns fresh buffers', () => {
    const a = encode('one');
    const b = encode('two');
    expect(ascii(a)).toBe('3"one');
    expect(ascii(b)).toBe('3"two');
  });
  it('encodes non-ASCII strings and symbols by UTF-8 byte length; keeps a leading BOM', () => {
    expect(bytesToHex(encode('\ufeffé'))).toBe('3522efbbbfc3a9');
    expect((decode(encode(sym('\ufeffé'))) as ReturnType<typeof sym>).name).toBe('\ufeffé');
    expect(decode(encode('\ufeffé'))).toBe('\ufeffé');
  });
  it('Buffer (a Uint8Array subclass) encodes as bytes', () => {
    expect(ascii(encode(Buffer.from('hi')))).toBe('2:hi');
  });
});

describe('decode', () => {
  it('reports rule and byte offset', () => {
    const e = syrupError(() => decode(latin1('[1+{1"b1+1"a2+}]')));
    expect(e.rule).toBe('dictionary keys not in canonical order');
    expect(e.offset).toBe(9);
    expect(e.message).toBe('Syrup: dictionary keys not in canonical order at byte 9');
    expect(syrupError(() => decode(latin1('#1+1+$'))).rule).toBe('duplicate set items');
    expect(syrupError(() => decode(latin1('1+ '))).offset).toBe(2);
    expect(syrupError(() => decode(latin1('[ ]'))).rule).toMatch(/whitespace/);
    expect(syrupError(() => decode(latin1('F\x3f\x80\0\0'))).rule).toMatch(/Float32/);
  });
  it('returns fresh copies for bytestrings, plain arrays for lists, SyrupDict in wire order', () => {
    const wire = latin1('[3:abc{1"a1+1"b2+}]');
    const v = decode(wire) as SyrupValue[];
    expect(Array.isArray(v)).toBe(true);
    const b = v[0] as Uint8Array;
    wire[3] = 0x78;
    expect(ascii(b)).toBe('abc');
    expect(b.buffer).not.toBe(wire.buffer);
    expect((v[1] as SyrupDict).entries.map(([k]) => k)).toEqual(['a', 'b']);
  });
  it('decodes 2^53+1 exactly as bigint', () => {
    expect(decode(latin1('9007199254740993+'))).toBe(9007199254740993n);
    expect(decode(latin1('123456789012345-'))).toBe(-123456789012345n);
  });
  it('rejects non-Uint8Array input with TypeError', () => {
    expect(() => decode('1+' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decode([0x74] as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('compareBytes / bytesEqual', () => {
  it('orders unsigned bytewise with a proper prefix first', () => {
    const b = (...x: number[]): Uint8Array => Uint8Array.from(x);
    expect(compareBytes(b(1), b(2))).toBeLessThan(0);
    expect(compareBytes(b(0xff), b(0x01))).toBeGreaterThan(0);
    expect(compareBytes(b(1), b(1, 0))).toBeLessThan(0);
    expect(compareBytes(b(1, 2), b(1, 2))).toBe(0);
    expect(bytesEqual(b(1, 2), b(1, 2))).toBe(true);
    expect(bytesEqual(b(1, 2), b(1, 3))).toBe(false);
    expect(bytesEqual(b(1), b(1, 2))).toBe(false);
  });
});

describe('scanValue', () => {
  it('works from an offset inside a buffer of several values', () => {
    const buf = latin1('1+[t]3:abc');
    expect(scanValue(buf, 0)).toBe(2);
    expect(scanValue(buf, 2)).toBe(5);
    expect(scanValue(buf, 5)).toBe(10);
    expect(scanValue(buf, 10)).toBe(-1);
  });
  it('rejects malformed bytes before the value is complete', () => {
    expect(() => scanValue(latin1('[1+}'), 0)).toThrow(SyrupError);
    expect(() => scanValue(latin1('[01'), 0)).toThrow(/leading zero/);
    expect(() => scanValue(latin1('[D\x7f\xf8\0\0\0\0\0\x01'), 0)).toThrow(/NaN/);
    expect(() => scanValue(latin1('[D\x7f\xf8\0\x08\0\0\0\0'), 0)).toThrow(/NaN/);
    expect(scanValue(latin1('D\x7f\xf8\0\0\0\0\0\0'), 0)).toBe(9);
    expect(scanValue(latin1('D\xff\xf0\0\0\0\0\0\0'), 0)).toBe(9);
  });
  it('bad arguments throw TypeError/RangeError', () => {
    expect(() => scanValue('x' as unknown as Uint8Array, 0)).toThrow(TypeError);
    expect(() => scanValue(latin1('t'), -1)).toThrow(RangeError);
    expect(() => scanValue(latin1('t'), 2)).toThrow(RangeError);
    expect(() => scanValue(latin1('t'), 0.5)).toThrow(RangeError);
  });
});

describe('SyrupStreamReader', () => {
  it('yields values in order across chunk boundaries', () => {
    const r = new SyrupStreamReader();
    expect(r.push(latin1('1+2'))).toEqual([1n]);
    expect(r.buffered).toBe(1);
    expect(r.push(latin1('+[t'))).toEqual([2n]);
    expect(r.buffered).toBe(2);
    expect(r.push(latin1(']'))).toEqual([[true]]);
    expect(r.buffered).toBe(0);
    expect(r.push(new Uint8Array(0))).toEqual([]);
    r.end();
  });
  it('is unusable after an error, reporting stream offsets', () => {
    const r = new SyrupStreamReader();
    r.push(latin1('1+1+'));
    const e = syrupError(() => r.push(latin1('[x')));
    expect(e.offset).toBe(5);
    expect(() => r.push(latin1('1+'))).toThrow(e);
    expect(() => r.end()).toThrow(SyrupError);
  });
  it('strict decode errors (order, UTF-8) carry stream offsets', () => {
    const r = new SyrupStreamReader();
    r.push(latin1('3:abc'));
    const e = syrupError(() => r.push(latin1('{1"b1+1"a2+}')));
    expect(e.rule).toBe('dictionary keys not in canonical order');
    expect(e.offset).toBe(5 + 6);
  });
  it('end() with a pending value throws; push after end() throws TypeError', () => {
    const r = new SyrupStreamReader();
    r.push(latin1('[1+'));
    expect(() => r.end()).toThrow(/truncated/);
    const r2 = new SyrupStreamReader();
    r2.end();
    expect(() => r2.push(latin1('t'))).toThrow(TypeError);
    expect(() => new SyrupStreamReader().push('t' as unknown as Uint8Array)).toThrow(TypeError);
  });
  it('handles a large value in many chunks and frees the buffer afterwards', () => {
    const big = new Uint8Array(300_000).fill(7);
    const wire = encode([big, 'tail']);
    const r = new SyrupStreamReader();
    const got: SyrupValue[] = [];
    for (let i = 0; i < wire.length; i += 1000) got.push(...r.push(wire.subarray(i, i + 1000)));
    expect(got.length).toBe(1);
    expect(same(got[0], [big, 'tail'])).toBe(true);
    expect(r.buffered).toBe(0);
  });
});

describe('toNotation', () => {
  it('writes the readable notation', () => {
    const v = rec(
      'x',
      true,
      false,
      -3n,
      1.5,
      -0,
      1e16,
      1e-5,
      0.0001,
      5e-324,
      -Infinity,
      NaN,
      'a"b',
      sym('ok'),
      sym('not ok'),
      sym(''),
      Uint8Array.from([0x61]),
      Uint8Array.from([0]),
      new Uint8Array(0),
      [],
      new SyrupDict([['k', 1n]]),
      new SyrupSet([1n, 2n]),
      new SyrupRecord('s', []),
    );
    expect(toNotation(v)).toBe(
      `<x t f -3 1.5 -0.0 1e+16 1e-05 0.0001 5e-324 -inf nan "a\\"b" 'ok '"not ok" '"" b"a" :00 b"" [] {"k": 1} #{1 2} <"s">>`,
    );
    expect(toNotation(100.0)).toBe('100.0');
    expect(toNotation(123456789012345680000)).toBe('1.2345678901234568e+20');
    expect(() => toNotation(undefined as unknown as SyrupValue)).toThrow(TypeError);
  });
});
