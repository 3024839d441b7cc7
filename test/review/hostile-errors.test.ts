/**
 * Review (hostile peer): a received rich error `<desc:error msg {fields}>` must not let the
 * peer's field names replace what every Error inherits (`toString`, `valueOf`…): an app that
 * logs `'failed: ' + e` would throw inside its own catch block.
 */
import { describe, it, expect } from 'vitest';
import { SyrupDict, SyrupRecord, SyrupSymbol, type SyrupValue } from '../../src/syrup/index.js';
import { fromSyrup, RemoteError, type RefHooks } from '../../src/model/index.js';

const noRefs: RefHooks = {
  isKnownRef: () => false,
  encodeRef: () => {
    throw new Error('no refs');
  },
  decodeRef: () => undefined,
};

const richError = (fields: Array<[string, SyrupValue]>) =>
  new SyrupRecord(new SyrupSymbol('desc:error'), ['boom', new SyrupDict([['name', 'TypeError'], ...fields])]);

describe('received rich errors', () => {
  it('fields named like inherited members do not shadow them', () => {
    const e = fromSyrup(
      richError([
        ['toString', 'x'],
        ['valueOf', 1n],
        ['toLocaleString', 'y'],
        ['hasOwnProperty', 'z'],
        ['constructor', 'c'],
        ['__proto__', 'p'],
        ['code', 'E_BAD'],
      ]),
      noRefs,
    ) as RemoteError;
    expect(e).toBeInstanceOf(RemoteError);
    expect(String(e)).toBe('TypeError: boom');
    expect(`failed: ${e}`).toBe('failed: TypeError: boom');
    expect(Object.hasOwn(e, 'toString')).toBe(false);
    expect(Object.hasOwn(e, 'valueOf')).toBe(false);
    expect(Object.hasOwn(e, 'hasOwnProperty')).toBe(false);
    expect(Object.getPrototypeOf(e)).toBe(RemoteError.prototype);
    expect((e as unknown as { code: string }).code).toBe('E_BAD');
  });

  it('the RemoteError constructor itself skips them too', () => {
    const e = new RemoteError('m', 'desc:error', { name: 'RangeError', fields: { toString: 'x', valueOf: 2, then: 'no', errno: 5 } });
    expect(String(e)).toBe('RangeError: m');
    expect(Object.hasOwn(e, 'then')).toBe(false);
    expect((e as unknown as { errno: number }).errno).toBe(5);
  });

  it('many fields and deep data decode (bounded by the Syrup decoder, not here)', () => {
    const fields: Array<[string, SyrupValue]> = [];
    for (let i = 0; i < 5000; i++) fields.push([`f${String(i).padStart(5, '0')}`, BigInt(i)]);
    let deep: SyrupValue = 'leaf';
    for (let i = 0; i < 50; i++) deep = [deep];
    fields.push(['zdeep', deep]);
    const e = fromSyrup(richError(fields), noRefs) as RemoteError;
    expect((e as unknown as Record<string, unknown>).f04999).toBe(4999n);
    expect(e.message).toBe('boom');
    expect(e.stack).not.toContain('f00001');
  });
});
