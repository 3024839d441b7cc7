import { describe, it, expect } from 'vitest';
import { ensureBuilt } from '../helpers/built.js';

describe('the public surface', () => {
  it("pins what 'ocapn-ts' exports", async () => {
    ensureBuilt();
    const mod = await import('ocapn-ts');
    expect(Object.keys(mod).sort()).toMatchSnapshot();
  });
  it("pins what 'ocapn-ts/browser' exports: the root's platform-neutral part plus the browser dialer", async () => {
    ensureBuilt();
    const browser = Object.keys(await import('ocapn-ts/browser')).sort();
    const root = new Set(Object.keys(await import('ocapn-ts')));
    expect(browser).toMatchSnapshot();
    expect(browser.filter((name) => !root.has(name))).toEqual(['DEFAULT_DRAIN_POLL_MS', 'createBrowserWebSocketDialer']);
    // What only the root has: the Node netlayer factories (each needs a Node built-in or `ws`).
    expect([...root].filter((name) => !browser.includes(name)).sort()).toMatchSnapshot();
  });
  it("`import { encode, decode } from 'ocapn-ts/syrup'` works from the built package", async () => {
    ensureBuilt();
    const { encode, decode, sym, rec } = await import('ocapn-ts/syrup');
    const bytes = encode(rec('op:abort', 'explode'));
    expect(Buffer.from(bytes).toString('latin1')).toBe(`<8'op:abort7"explode>`);
    expect(decode(bytes)).toEqual(rec('op:abort', 'explode'));
    expect(sym('x').name).toBe('x');
  });
});
