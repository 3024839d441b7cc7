import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DECODE_OPTIONS,
  decode,
  scanValue,
  SyrupError,
  SyrupStreamReader,
  type DecodeOptions,
} from '../../src/syrup/index.js';

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Runs all three decoders; returns 'ok' or the SyrupError rule (they must agree). */
function verdict(bytes: Uint8Array, options?: DecodeOptions): string {
  const results: string[] = [];
  const run = (f: () => unknown): void => {
    try {
      f();
      results.push('ok');
    } catch (e) {
      if (!(e instanceof SyrupError)) throw e;
      results.push(e.rule);
    }
  };
  run(() => decode(bytes, options));
  run(() => {
    if (scanValue(bytes, 0, options) !== bytes.length) throw new Error('scan length');
  });
  run(() => {
    const r = new SyrupStreamReader(options);
    if (r.push(bytes).length !== 1) throw new Error('stream count');
    r.end();
  });
  expect(new Set(results.map((r) => r.replace(/ \(.*/, ''))).size, results.join(' | ')).toBe(1);
  return results[0];
}

const nest = (n: number): Uint8Array => latin1('['.repeat(n) + ']'.repeat(n));

describe('defaults', () => {
  it('are the documented values', () => {
    expect(DEFAULT_DECODE_OPTIONS).toEqual({
      maxDepth: 128,
      maxBytesLength: 16 * 1024 * 1024,
      maxContainerLength: 1_000_000,
      maxValueBytes: 64 * 1024 * 1024,
      maxIntegerDigits: 4096,
      allowSets: true,
      dictOrder: 'canonical',
    });
  });
});

describe('maxDepth', () => {
  it('default 128 is enforced', () => {
    expect(verdict(nest(128))).toBe('ok');
    expect(verdict(nest(129))).toMatch(/maxDepth \(128\)/);
  });
  it('custom value is enforced, for every container kind', () => {
    expect(verdict(nest(3), { maxDepth: 3 })).toBe('ok');
    expect(verdict(nest(4), { maxDepth: 3 })).toMatch(/maxDepth \(3\)/);
    expect(verdict(latin1('{1"a{1"b{}}}'), { maxDepth: 2 })).toMatch(/maxDepth/);
    expect(verdict(latin1("<1'a<1'b#$>>"), { maxDepth: 2 })).toMatch(/maxDepth/);
    expect(verdict(latin1('t'), { maxDepth: 0 })).toBe('ok');
    expect(verdict(latin1('[]'), { maxDepth: 0 })).toMatch(/maxDepth/);
  });
  it('a million levels fail cleanly (no stack overflow) even with a huge maxDepth', () => {
    expect(verdict(nest(200_000), { maxDepth: 1_000_000 })).toBe('ok');
  });
});

describe('maxBytesLength', () => {
  it('default 16 MiB is checked from the length prefix, before the data', () => {
    expect(() => decode(latin1('16777216:'))).toThrow(/truncated/);
    expect(scanValue(latin1('16777216:'), 0)).toBe(-1);
    expect(verdict(latin1('16777217:'))).toMatch(/maxBytesLength \(16777216\)/);
    expect(verdict(latin1('16777217"'))).toMatch(/maxBytesLength/);
  });
  it('custom value is enforced for bytes, strings and symbols', () => {
    const o = { maxBytesLength: 3 };
    expect(verdict(latin1('3:abc'), o)).toBe('ok');
    expect(verdict(latin1('3"abc'), o)).toBe('ok');
    expect(verdict(latin1("3'abc"), o)).toBe('ok');
    expect(verdict(latin1('4:abcd'), o)).toMatch(/maxBytesLength \(3\)/);
    expect(verdict(latin1('4"abcd'), o)).toMatch(/maxBytesLength/);
    expect(verdict(latin1("4'abcd"), o)).toMatch(/maxBytesLength/);
  });
});

describe('maxContainerLength', () => {
  it('default 1,000,000 is enforced', () => {
    expect(verdict(latin1(`[${'t'.repeat(1_000_000)}]`))).toBe('ok');
    expect(verdict(latin1(`[${'t'.repeat(1_000_001)}]`))).toMatch(/maxContainerLength \(1000000\)/);
  });
  it('custom value is enforced for lists, dict entries, record fields and sets', () => {
    const o = { maxContainerLength: 2 };
    expect(verdict(latin1('[tt]'), o)).toBe('ok');
    expect(verdict(latin1('[ttt]'), o)).toMatch(/maxContainerLength \(2\)/);
    expect(verdict(latin1('{1"at1"bf}'), o)).toBe('ok');
    expect(verdict(latin1('{1"at1"bf1"ct}'), o)).toMatch(/maxContainerLength/);
    expect(verdict(latin1("<1'ltt>"), o)).toBe('ok');
    expect(verdict(latin1("<1'lttt>"), o)).toMatch(/maxContainerLength/);
    expect(verdict(latin1('#1+2+$'), o)).toBe('ok');
    expect(verdict(latin1('#1+2+3+$'), o)).toMatch(/maxContainerLength/);
  });
});

describe('maxValueBytes', () => {
  it('default 64 MiB is enforced by scanValue and the stream reader', () => {
    const str = 16 * 1024 * 1024;
    const header = latin1(`${str}:`);
    const build = (n: number): Uint8Array => {
      const buf = new Uint8Array(1 + n * (header.length + str) + 1);
      buf[0] = 0x5b;
      for (let i = 0; i < n; i++) buf.set(header, 1 + i * (header.length + str));
      buf[buf.length - 1] = 0x5d;
      return buf;
    };
    const three = build(3);
    expect(scanValue(three, 0)).toBe(three.length);
    const four = build(4);
    expect(four.length).toBeGreaterThan(64 * 1024 * 1024);
    expect(() => scanValue(four, 0)).toThrow(/maxValueBytes \(67108864\)/);
    expect(() => scanValue(four.subarray(0, 3 * (header.length + str) + 20), 0)).toThrow(/maxValueBytes/);
    expect(() => new SyrupStreamReader().push(four.subarray(0, 3 * (header.length + str) + 20))).toThrow(
      /maxValueBytes/,
    );
  });
  it('custom value is enforced, also while waiting for more bytes', () => {
    const o = { maxValueBytes: 10 };
    expect(verdict(latin1('8:12345678'), o)).toBe('ok');
    expect(verdict(latin1('9:123456789'), o)).toMatch(/maxValueBytes \(10\)/);
    expect(() => scanValue(latin1('[tttttttttt'), 0, o)).toThrow(/maxValueBytes/);
    expect(scanValue(latin1('[ttttttttt'), 0, o)).toBe(-1);
    expect(() => scanValue(latin1('1000:'), 0, o)).toThrow(/maxValueBytes/);
    const r = new SyrupStreamReader(o);
    for (const c of '[ttttttttt') expect(r.push(latin1(c))).toEqual([]);
    expect(() => r.push(latin1('t'))).toThrow(/maxValueBytes/);
  });
});

describe('maxIntegerDigits', () => {
  it('default 4096 is enforced', () => {
    expect(verdict(latin1(`${'9'.repeat(4096)}+`))).toBe('ok');
    expect(verdict(latin1(`${'9'.repeat(4097)}-`))).toMatch(/maxIntegerDigits \(4096\)/);
  });
  it('custom value is enforced; a long digit run fails before its terminator arrives', () => {
    expect(verdict(latin1('999+'), { maxIntegerDigits: 3 })).toBe('ok');
    expect(verdict(latin1('1000+'), { maxIntegerDigits: 3 })).toMatch(/maxIntegerDigits \(3\)/);
    expect(() => scanValue(latin1('1'.repeat(20)), 0, { maxIntegerDigits: 3 })).toThrow(/maxIntegerDigits/);
  });
});

describe('allowSets', () => {
  it('default true accepts sets; false rejects them', () => {
    expect(verdict(latin1('#1+$'))).toBe('ok');
    expect(verdict(latin1('#1+$'), { allowSets: false })).toMatch(/sets are not allowed/);
  });
});

describe('bad options', () => {
  const numeric = ['maxDepth', 'maxBytesLength', 'maxContainerLength', 'maxValueBytes', 'maxIntegerDigits'];
  for (const key of numeric) {
    it(`${key}: negative, non-integer, NaN, Infinity or non-number throw RangeError`, () => {
      for (const bad of [-1, 1.5, NaN, Infinity, '5', 2 ** 60]) {
        const o = { [key]: bad } as DecodeOptions;
        expect(() => decode(latin1('t'), o), `${key}=${String(bad)}`).toThrow(RangeError);
        expect(() => scanValue(latin1('t'), 0, o)).toThrow(RangeError);
        expect(() => new SyrupStreamReader(o)).toThrow(RangeError);
      }
    });
  }
  it('allowSets must be a boolean; options must be an object', () => {
    expect(() => decode(latin1('t'), { allowSets: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => decode(latin1('t'), 5 as unknown as DecodeOptions)).toThrow(TypeError);
    expect(() => decode(latin1('t'), null as unknown as DecodeOptions)).toThrow(TypeError);
  });
});
