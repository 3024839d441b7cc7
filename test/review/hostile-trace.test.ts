/**
 * Review (hostile peer → `ocapn trace` / `tap`): what a peer sent is printed to a terminal or
 * an HTML page. Control characters it chose (ESC sequences) must not reach the terminal raw,
 * markup must not reach the page raw, and an out-of-range time in a capture file must be
 * refused as a capture error naming the file and line.
 */
import { describe, it, expect } from 'vitest';
import { encode, SyrupRecord, SyrupSymbol, type SyrupValue } from '../../src/syrup/index.js';
import { toHex } from '../../src/syrup/bytes.js';
import { formatOp, formatTraceLine, shortDesignator } from '../../src/captp/trace-format.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { buildTrace } from '../../src/cli/trace-model.js';
import { renderTraceText } from '../../src/cli/trace.js';
import { renderTraceHtml } from '../../src/cli/trace-html.js';
import { describeRef, makePresence, type RefOwner } from '../../src/captp/refs.js';
import { inspect } from 'node:util';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ESC = '\u001b';
const EVIL = `${ESC}]0;pwned\u0007${ESC}[2J<script>alert(1)</script>\u202e`;

const capture = (local: string, records: Array<{ t: number; d: 'in' | 'out'; message: SyrupValue }>) =>
  [JSON.stringify({ 'ocapn-capture': 1, local, opened: 0 }), ...records.map((r) => JSON.stringify({ t: r.t, d: r.d, hex: toHex(encode(r.message)) }))].join('\n');

const hostileHello = new SyrupRecord(new SyrupSymbol('op:start-session'), [
  '1.0',
  ['k'],
  peerLocatorToSyrup({ transport: `tcp${ESC}[31m`, designator: EVIL, hints: false }),
  ['s'],
]);
const hostileOp = new SyrupRecord(new SyrupSymbol(`op:${ESC}[2Jdeliver`), [EVIL]);

describe('trace output of peer-chosen strings', () => {
  it('formatOp and shortDesignator escape control characters', () => {
    expect(formatOp(hostileOp)).not.toMatch(RAW_CONTROL);
    expect(shortDesignator(EVIL)).not.toMatch(RAW_CONTROL);
    expect(formatTraceLine({ time: 0, direction: 'in', peer: EVIL, message: hostileOp })).not.toMatch(RAW_CONTROL);
    // ordinary output unchanged
    expect(formatOp(new SyrupRecord(new SyrupSymbol('op:abort'), ['bye']))).toBe('op:abort "bye"');
    expect(shortDesignator('ab12cd34ef56')).toBe('ab12cd34');
  });

  it('ocapn trace text escapes them; the HTML page escapes markup', () => {
    const text = capture('ocapn://ab12cd34ef56.tcp-testing-only', [
      { t: 1000, d: 'in', message: hostileHello },
      { t: 1001, d: 'in', message: hostileOp },
    ]);
    const trace = buildTrace([{ name: 'a.capture', text }]);
    const out = renderTraceText(trace, 'none');
    expect(out.replaceAll('\n', '')).not.toMatch(RAW_CONTROL);
    const html = renderTraceHtml(trace, '<b>t</b>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>t');
  });

  it('a capture with a time out of Date range fails as a capture error', () => {
    const text = capture('ocapn://ab12cd34ef56.tcp-testing-only', [{ t: 1e300, d: 'out', message: new SyrupRecord(new SyrupSymbol('op:abort'), ['x']) }]);
    expect(() => {
      const trace = buildTrace([{ name: 'b.capture', text }]);
      renderTraceText(trace, 'clock');
      renderTraceHtml(trace, 't');
    }).toThrow(/b\.capture: line 2/);
  });
});

describe('util.inspect of a remote reference', () => {
  it("escapes control characters in the peer's designator", () => {
    const owner = { peerLocation: { designator: `${ESC}[2J${ESC}]0;x`, transport: 'tcp-testing-only' } } as unknown as RefOwner;
    const ref = makePresence(owner, 3);
    expect(describeRef(ref)).not.toMatch(RAW_CONTROL);
    expect(inspect(ref)).not.toMatch(RAW_CONTROL);
    expect(describeRef(ref)).toMatch(/^RemoteRef import-object 3 @/);
  });
});
