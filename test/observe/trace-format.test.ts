import { describe, it, expect } from 'vitest';
import { encodeOp, encodeDesc, label } from '../../src/captp/ops.js';
import { formatOp, formatTraceLine, traceTo, formatWireEvent, type TraceRecord } from '../../src/captp/trace-format.js';
import { publicKeyToSyrup } from '../../src/crypto/index.js';
import { peerLocatorToSyrup } from '../../src/locator/index.js';
import { SyrupRecord, SyrupSymbol, SyrupDict } from '../../src/syrup/types.js';
import { OcapnNode, E, MemoryNetwork, type WireEvent } from '../../src/index.js';

const T = Date.UTC(2026, 10, 29, 21, 22, 38, 123);
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i);
const loc = peerLocatorToSyrup({ transport: 'tcp-testing-only', designator: 'ab12cd34ef56', hints: { host: '127.0.0.1', port: '7001' } });

/** One golden line per op kind (what `traceTo` prints, with a fixed time). */
const GOLDEN: Array<[string, TraceRecord]> = [
  [
    `21:22:38.123 → ab12cd34 op:start-session "1.0" ['public-key ['ecc ['curve 'Ed25519] ['flags 'eddsa] ['q :000102030405060708090a0b0c0d0e0f…(32 bytes)]]] <ocapn-peer 'tcp-testing-only "ab12cd34ef56" {"host": "127.0.0.1", "port": "7001"}> ['sig-val ['eddsa ['r :000102030405060708090a0b0c0d0e0f…(32 bytes)] ['s :000102030405060708090a0b0c0d0e0f…(32 bytes)]]]`,
    {
      time: T,
      direction: 'out',
      peer: 'ab12cd34ef56',
      message: encodeOp('op:start-session', {
        captpVersion: '1.0',
        sessionPubkey: publicKeyToSyrup(bytes(32)),
        acceptableLocation: loc,
        acceptableLocationSig: [label('sig-val'), [label('eddsa'), [label('r'), bytes(32)], [label('s'), bytes(32)]]],
      }),
    },
  ],
  [
    `21:22:38.123 → ab12cd34 op:deliver <desc:export 3> ['greet "bob"] 7 <desc:import-object 2>`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:deliver', { to: encodeDesc('export', 3), args: [label('greet'), 'bob'], answerPos: 7n, resolveMe: encodeDesc('import-object', 2) }) },
  ],
  [
    `21:22:38.123 ← ab12cd34 op:deliver <desc:export 2> ['fulfill "hello bob"] f f`,
    { time: T, direction: 'in', peer: 'ab12cd34ef56', message: encodeOp('op:deliver', { to: encodeDesc('export', 2), args: [label('fulfill'), 'hello bob'], answerPos: false, resolveMe: false }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:deliver-only <desc:answer 7> ['inc 1]`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:deliver-only', { to: encodeDesc('answer', 7), args: [label('inc'), 1n] }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:listen <desc:answer 7> <desc:import-object 4> f`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:listen', { to: encodeDesc('answer', 7), listener: encodeDesc('import-object', 4), wantsPartial: false }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:get <desc:answer 7> "name" 8`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:get', { receiver: encodeDesc('answer', 7), fieldName: 'name', newAnswerPos: 8n }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:index <desc:export 5> 0 9`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:index', { receiver: encodeDesc('export', 5), index: 0n, newAnswerPos: 9n }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:untag <desc:export 5> "point" 10`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:untag', { receiver: encodeDesc('export', 5), tag: 'point', newAnswerPos: 10n }) },
  ],
  [
    `21:22:38.123 ← ab12cd34 op:gc-exports [3 4] [1 2]`,
    { time: T, direction: 'in', peer: 'ab12cd34ef56', message: encodeOp('op:gc-exports', { exportPositions: [3n, 4n], wireDeltas: [1n, 2n] }) },
  ],
  [
    `21:22:38.123 ← ab12cd34 op:gc-answers [7 8]`,
    { time: T, direction: 'in', peer: 'ab12cd34ef56', message: encodeOp('op:gc-answers', { answerPositions: [7n, 8n] }) },
  ],
  [
    `21:22:38.123 ← ? op:abort "no valid op:start-session within 5000 ms"`,
    { time: T, direction: 'in', peer: undefined, message: encodeOp('op:abort', { reason: 'no valid op:start-session within 5000 ms' }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:deliver <desc:export 0> ['deposit-gift 1 <desc:import-object 6>] f f`,
    { time: T, direction: 'out', peer: 'ab12cd34ef56', message: encodeOp('op:deliver', { to: encodeDesc('export', 0), args: [label('deposit-gift'), 1n, encodeDesc('import-object', 6)], answerPos: false, resolveMe: false }) },
  ],
  [
    `21:22:38.123 → ab12cd34 op:deliver <desc:export 1> ['put "${'x'.repeat(120)}"…(300 chars) :000102030405060708090a0b0c0d0e0f…(100 bytes) [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 …(4 more)] {"k": 'v}] 1 <desc:import-promise 3>`,
    {
      time: T,
      direction: 'out',
      peer: 'ab12cd34ef56',
      message: encodeOp('op:deliver', {
        to: encodeDesc('export', 1),
        args: [label('put'), 'x'.repeat(300), bytes(100), Array.from({ length: 20 }, (_, i) => BigInt(i)), new SyrupDict([['k', new SyrupSymbol('v')]])],
        answerPos: 1n,
        resolveMe: encodeDesc('import-promise', 3),
      }),
    },
  ],
];

describe('trace formatter', () => {
  it.each(GOLDEN)('%s', (line, record) => {
    expect(formatTraceLine(record)).toBe(line);
  });

  it('writes ISO times, no time, a local name, and refuses bad options', () => {
    const r = GOLDEN[1][1];
    expect(formatTraceLine(r, { time: 'iso' })).toMatch(/^2026-11-29T21:22:38\.123Z → ab12cd34 op:deliver /);
    expect(formatTraceLine(r, { time: 'none', local: 'A' })).toBe(`A → ab12cd34 op:deliver <desc:export 3> ['greet "bob"] 7 <desc:import-object 2>`);
    expect(formatOp(new SyrupRecord(label('desc:answer'), [3n]))).toBe('desc:answer 3');
    expect(formatOp([1n, 'a'])).toBe('[1 "a"]');
    expect(() => formatOp([], { maxBytes: 0 })).toThrow(RangeError);
    expect(() => traceTo('not a function' as never)).toThrow(TypeError);
  });

  it('traceTo prints one line per message of a real session, naming the peer', async () => {
    const net = new MemoryNetwork();
    const lines: string[] = [];
    const events: WireEvent[] = [];
    const trace = traceTo((l) => lines.push(l));
    const A = new OcapnNode({ netlayers: [net.netlayer('alice-node')], tap: (e) => (events.push(e), trace(e)) });
    const B = new OcapnNode({ netlayers: [net.netlayer('bob-node')] });
    const ref = await A.enliven(B.sturdyRefUri({ greet: (n: string) => `hello ${n}` }));
    expect(await E(ref as any).greet('bob')).toBe('hello bob');
    await Promise.all([A.close(), B.close()]);
    expect(lines).toHaveLength(events.length);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} → \? op:start-session "1\.0" /);
    // The peer's own op:start-session names it before the session is established.
    expect(lines.find((l) => l.includes('← bob-node op:start-session'))).toBeDefined();
    expect(lines.some((l) => / → bob-node op:deliver <desc:export \d+> \['greet "bob"\] \d+ <desc:import-object \d+>$/.test(l))).toBe(true);
    expect(lines.some((l) => / ← bob-node op:deliver(-only)? <desc:export \d+> \['fulfill "hello bob"\]/.test(l))).toBe(true);
    expect(formatWireEvent(events[1], { time: 'none' })).toBe(lines[1].slice(13));
  });
});
