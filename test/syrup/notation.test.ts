/**
 * The readable notation read back (src/syrup/notation-parse.ts): each form of
 * shared/vectors/README.md "Readable notation", errors that say where, and the round trip
 * `parseNotation(toNotation(v))` over generated values (fixed seed) and over every message of
 * the recorded transcripts.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sym, SyrupDict, SyrupRecord, SyrupSet, toNotation, type SyrupValue } from '../../src/syrup/index.js';
import { parseNotation } from '../../src/syrup/notation-parse.js';
import { bytesToHex, same } from './helpers.js';
import { encode } from '../../src/syrup/index.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseNotation: each form', () => {
  const cases: [string, SyrupValue][] = [
    ['42', 42n],
    ['-7', -7n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
    ['1.5', 1.5],
    ['-0.0', -0],
    ['0.0', 0],
    ['1e+16', 1e16],
    ['5e-324', 5e-324],
    ['+inf', Infinity],
    ['-inf', -Infinity],
    ['nan', NaN],
    ['nan:7ff8000000000001', NaN],
    ['"text"', 'text'],
    ['"tab\\there \\"q\\" \\u00e9 \\ud83d\\ude00"', 'tab\there "q" é 😀'],
    ["'sym", sym('sym')],
    ["'\"sym with spaces\"", sym('sym with spaces')],
    ['t', true],
    ['f', false],
    ['b"abc"', bytes('abc')],
    ['b"a\\"b\\\\c"', bytes('a"b\\c')],
    ['b""', new Uint8Array(0)],
    [':00ff', new Uint8Array([0, 255])],
    ['[]', []],
    ['[1 "a" [\'b]]', [1n, 'a', [sym('b')]]],
    ['{}', new SyrupDict([])],
    ['{"k": 1, "j": [t f]}', new SyrupDict([['k', 1n], ['j', [true, false]]])],
    ["{'a: 1, 2: :00}", new SyrupDict([[sym('a'), 1n], [2n, new Uint8Array([0])]])],
    ['#{1 2}', new SyrupSet([1n, 2n])],
    ['<desc:export 3>', new SyrupRecord(sym('desc:export'), [3n])],
    ['<void>', new SyrupRecord(sym('void'), [])],
    ["<'t 1>", new SyrupRecord(sym('t'), [1n])],
    ['<t 1>', new SyrupRecord(true, [1n])],
    ['<b"x">', new SyrupRecord(bytes('x'), [])],
    ['<b "x">', new SyrupRecord(sym('b'), ['x'])],
    ['  \n[ 1\t2 ]  ', [1n, 2n]],
  ];
  for (const [text, value] of cases) {
    it(`${JSON.stringify(text)}`, () => {
      const got = parseNotation(text);
      expect(same(got, value), toNotation(got)).toBe(true);
      if (typeof value === 'number') expect(Object.is(got, value) || (value !== value && got !== got)).toBe(true);
    });
  }

  it('a Symbol written with a closing quote is refused, not kept in the name', () => {
    expect(() => parseNotation("'sym'")).toThrow(/no closing quote/);
    expect(parseNotation("'sym")).toEqual(sym('sym'));
  });

  const errors: [string, RegExp][] = [
    ['hello', /"hello" is not a value: write 'hello for a Symbol or "hello" for a String/],
    ['"open', /unterminated string at offset 0/],
    ['[1, 2]', /separated by spaces, not commas at offset 2/],
    ['[1 2', /missing "\]"/],
    ['{"a" 1}', /expected ": " after a dictionary key/],
    ['{"a": 1 "b": 2}', /expected "," or "}"/],
    ['b"é"', /printable ASCII only/],
    [':abc', /even number/],
    [':', /even number/],
    ['<>', /a record needs a label/],
    ["'", /a Symbol is 'name/],
    ['1 2', /unexpected text after the value at offset 2/],
    ['', /expected a value/],
    ['"\\x"', /bad string/],
  ];
  for (const [text, message] of errors) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      expect(() => parseNotation(text)).toThrow(TypeError);
      expect(() => parseNotation(text)).toThrow(message);
    });
  }

  it('refuses nesting deeper than the encoder accepts (RangeError), without exhausting the stack', () => {
    expect(() => parseNotation('['.repeat(5000) + ']'.repeat(5000))).toThrow(RangeError);
    expect(() => parseNotation(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('toNotation ⇄ parseNotation', () => {
  // Symbol names that collide with other forms when written bare.
  const trickyName = fc.oneof(
    fc.constantFrom('t', 'f', 'nan', '+inf', '-inf', '42', '-7', '1.5', '1e+16', ':ab', 'a:', 'a::', 'b', 'nan:0123456789abcdef', '', "it's", 'a b'),
    fc.stringMatching(/^[a-z0-9:+.-]{1,5}$/),
    fc.string({ maxLength: 6 }),
  );
  const text = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 4 }));
  const leaf: fc.Arbitrary<SyrupValue> = fc.oneof(
    fc.boolean(),
    fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
    fc.double(),
    fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 1e16, 5e-324, 0.0001, 123.456),
    text,
    trickyName.map(sym),
    fc.uint8Array({ maxLength: 8 }),
    fc.uint8Array({ min: 0x20, max: 0x7e, maxLength: 8 }),
  );
  const key = (v: SyrupValue): string => bytesToHex(encode(v));
  const { value } = fc.letrec<{ value: SyrupValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.uniqueArray(fc.tuple(tie('value'), tie('value')), { maxLength: 4, selector: ([k]) => key(k) }).map((e) => new SyrupDict(e)),
      fc.tuple(fc.oneof(trickyName.map(sym), tie('value')), fc.array(tie('value'), { maxLength: 3 })).map(([l, f]) => new SyrupRecord(l, f)),
      fc.uniqueArray(tie('value'), { maxLength: 4, selector: key }).map((items) => new SyrupSet(items)),
    ),
  }));

  it('reads back every generated value, in order (fixed seed)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const written = toNotation(v);
        const read = parseNotation(written);
        expect(same(read, v), written).toBe(true);
        expect(toNotation(read)).toBe(written); // also checks order, -0.0 and integer vs float
      }),
      { seed: 20261129, numRuns: 1500 },
    );
  });

  it('reads back every message of the recorded transcripts (shared/vectors/transcripts)', () => {
    const dir = new URL('../../../shared/vectors/transcripts/', import.meta.url);
    let count = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt'))) {
      for (const line of readFileSync(new URL(file, dir), 'utf8').split('\n')) {
        const m = /^\d+ \S+ @\d+\+\d+ (.*)$/.exec(line);
        if (!m) continue;
        expect(toNotation(parseNotation(m[1]!)), `${file}: ${line}`).toBe(m[1]);
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
  });
});
