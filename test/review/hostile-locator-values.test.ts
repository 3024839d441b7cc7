/**
 * Review (careless or hostile API user): OcapnPeer / OcapnSturdyRef promise a frozen value
 * whose hints are Strings. A hints object whose getter answers differently the second time
 * it is read must not smuggle a non-String past the check.
 */
import { describe, it, expect } from 'vitest';
import { OcapnPeer, OcapnSturdyRef } from '../../src/locator/index.js';

function flipping(): Record<string, unknown> {
  let reads = 0;
  const hints = {};
  Object.defineProperty(hints, 'host', { enumerable: true, get: () => (++reads === 1 ? '127.0.0.1' : { toString: () => 'x' }) });
  return hints;
}

describe('locator values from hostile objects', () => {
  it('OcapnPeer checks the hints it keeps, not a first read of them', () => {
    let peer: OcapnPeer | undefined;
    try {
      peer = new OcapnPeer('tcp-testing-only', 'abc', flipping() as never);
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
    }
    if (peer) expect(typeof (peer.hints as Record<string, unknown>).host).toBe('string');
  });

  it('OcapnSturdyRef.from copies into a value that holds only Strings as hints', () => {
    let ref: OcapnSturdyRef | undefined;
    try {
      ref = OcapnSturdyRef.from({ peer: { transport: 'tcp-testing-only', designator: 'abc', hints: flipping() as never }, swiss: new Uint8Array([1]) });
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
    }
    if (ref) {
      expect(typeof (ref.peer.hints as Record<string, unknown>).host).toBe('string');
      expect(Object.isFrozen(ref.peer.hints)).toBe(true);
    }
  });

  it('rejects hostile shapes with a TypeError', () => {
    expect(() => OcapnSturdyRef.from(null as never)).toThrow(TypeError);
    expect(() => OcapnSturdyRef.from({ peer: null, swiss: new Uint8Array(1) } as never)).toThrow(TypeError);
    expect(() => OcapnSturdyRef.from({ peer: { transport: 'x', designator: 'y', hints: false }, swiss: [1] } as never)).toThrow(TypeError);
    const r = OcapnSturdyRef.from({ peer: { transport: 'x', designator: 'y', hints: { __proto__: 'p' } as never }, swiss: new Uint8Array(2) });
    expect(Object.getPrototypeOf(r.peer.hints)).toBe(Object.prototype);
  });
});
