import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { encode, decode, SyrupRecord, SyrupSymbol, type SyrupValue } from '../../src/syrup/index.js';
import { toSyrup, fromSyrup, Tagged, RemoteError, OcapnSturdyRef, ModelError, selector, type RefHooks } from '../../src/model/index.js';

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const noRefs: RefHooks = {
  isKnownRef: () => false,
  encodeRef: () => {
    throw new Error('no references here');
  },
  decodeRef: () => undefined,
};
const out = (v: unknown, errorForm?: 'desc:error' | 'mystery') => latin1(encode(toSyrup(v, noRefs, { errorForm })));
const back = (bytes: string) => fromSyrup(decode(Buffer.from(bytes, 'latin1')), noRefs);

describe('the value model table (docs/value-model.md)', () => {
  it('atoms', () => {
    expect(out(undefined)).toBe("<4'void>");
    expect(out(null)).toBe("<4'null>");
    expect(out(true)).toBe('t');
    expect(out(-5n)).toBe('5-');
    expect(out(-0)).toBe('D\x80\0\0\0\0\0\0\0');
    expect(out('björn')).toBe('6"bj\xc3\xb6rn');
    expect(out(selector('fetch'))).toBe("5'fetch");
    expect(out(new Uint8Array([0x61, 0x62]))).toBe('2:ab');
    expect(back("<4'void>")).toBe(undefined);
    expect(back("<4'null>")).toBe(null);
    expect(back("5'fetch")).toEqual(new SyrupSymbol('fetch'));
    expect(Object.is(back('D\x80\0\0\0\0\0\0\0'), -0)).toBe(true);
  });

  it('containers: structs sort by encoded key bytes; tagged; nested', () => {
    expect(out({ b: 1n, aa: 2n, a: 3n })).toBe('{1"a3+1"b1+2"aa2+}');
    expect(out([1n, [true]])).toBe('[1+[t]]');
    expect(out(new Tagged('hello', 1n))).toBe("<11'desc:tagged5'hello1+>");
    const t = back("<11'desc:tagged5'hello1+>") as Tagged;
    expect(t).toBeInstanceOf(Tagged);
    expect([t.tag, t.payload]).toEqual(['hello', 1n]);
    const s = back('{9"__proto__1+}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype); // not polluted
    expect(Object.keys(s)).toEqual(['__proto__']);
    expect(s['__proto__']).toBe(1n);
  });

  it('errors: by profile out, RemoteError in', () => {
    expect(out(new Error('boom'))).toBe(`<10'desc:error4"boom>`);
    expect(out(new Error('boom'), 'mystery')).toBe("<16'exn:fail:mystery>");
    const e = back(`<10'desc:error4"boom>`) as RemoteError;
    expect(e).toBeInstanceOf(RemoteError);
    expect(e.message).toBe('boom');
    expect((back("<16'exn:fail:mystery>") as RemoteError).label).toBe('exn:fail:mystery');
  });

  it('sturdyrefs travel as <ocapn-sturdyref …>', () => {
    const bytes = `<15'ocapn-sturdyref<10'ocapn-peer16'tcp-testing-only6"peer-a{4"host9"127.0.0.14"port5"22045}>32:JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ>`;
    const ref = back(bytes) as OcapnSturdyRef;
    expect(ref).toBeInstanceOf(OcapnSturdyRef);
    expect(ref.peer.designator).toBe('peer-a');
    expect(out(ref)).toBe(bytes);
  });

  it('refuses non-OCapN input with ModelError', () => {
    for (const bad of ['#1+$', '{1+1+}', '<1"x>', "<7'unknown>", "<4'void1+>", "<10'desc:error>"]) {
      expect(() => back(bad), bad).toThrow(ModelError);
    }
  });

  it('refuses unpassable output with TypeError, and builtins are never exported by accident', () => {
    const exported: unknown[] = [];
    const hooks: RefHooks = { ...noRefs, encodeRef: (v) => (exported.push(v), new SyrupRecord(new SyrupSymbol('desc:import-object'), [1n])) };
    for (const bad of [Symbol('x'), new Map(), new Set(), new Date(0), /re/, new Float32Array(1), new ArrayBuffer(1), new DataView(new ArrayBuffer(1))]) {
      expect(() => toSyrup(bad, hooks), String(bad)).toThrow(TypeError);
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => toSyrup(cyclic, hooks)).toThrow(/deeper than 256/);
    expect(exported).toEqual([]);
    class Counter {
      inc() {}
    }
    const c = new Counter();
    expect(latin1(encode(toSyrup([c, () => 1, { m: () => 2 }], hooks)))).toContain('desc:import-object');
    expect(exported).toHaveLength(3);
  });

  it('every ocapn-layer vector round-trips through the model to the same bytes', () => {
    const vectors = JSON.parse(readFileSync(new URL('../../../shared/vectors/syrup-vectors.json', import.meta.url), 'utf8')) as Array<{ name: string; hex: string; layer: string }>;
    let checked = 0;
    for (const v of vectors.filter((x) => x.layer === 'ocapn')) {
      const bytes = Buffer.from(v.hex, 'hex');
      const value: SyrupValue = decode(bytes);
      // Records that are not data (op:*, my-location, descriptors, <foo …>) must be refused.
      const text = latin1(bytes);
      const labels = [...text.matchAll(/<(\d+)'/g)].map((m) => text.substr(m.index! + m[0].length, Number(m[1])));
      const known = ['void', 'null', 'desc:tagged', 'desc:error', 'ocapn-sturdyref', 'ocapn-peer', 'ocapn-node'];
      if (labels.some((l) => !known.includes(l) && !l.startsWith('exn:'))) {
        expect(() => fromSyrup(value, noRefs), v.name).toThrow(ModelError);
        continue;
      }
      expect(latin1(encode(toSyrup(fromSyrup(value, noRefs), noRefs))), v.name).toBe(latin1(bytes));
      checked++;
    }
    expect(checked).toBeGreaterThan(80);
  });
});
