/** FrameReader / encodeFrame: recorded raw streams, the three framings, malformed input, limits. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader, FramingError, encodeFrame, type Framing } from '../../src/netlayers/index.js';
import { SyrupError } from '../../src/syrup/index.js';
import { bytes, concat, loadRecordedStreams, numbered, type RecordedStream } from './helpers.js';

const streams = loadRecordedStreams();

/** Feeds `stream` cut at the given chunk sizes (cycled); returns every message, failing on error. */
function feed(stream: Uint8Array, sizes: number[], reader = new FrameReader()): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  let k = 0;
  while (at < stream.length) {
    const size = sizes[k++ % sizes.length];
    const { messages, error } = reader.push(stream.subarray(at, at + size));
    if (error) throw error;
    out.push(...messages);
    at += size;
  }
  expect(reader.pendingBytes).toBe(0);
  expect(reader.end()).toBeUndefined();
  return out;
}

/** Feeds everything at once; returns messages and the error. */
function feedAll(input: Uint8Array | string, options?: ConstructorParameters<typeof FrameReader>[0]) {
  const reader = new FrameReader(options);
  const result = reader.push(typeof input === 'string' ? bytes(input) : input);
  return { reader, ...result };
}

/** Fast equality for message lists; falls back to toEqual (with its diff) on a mismatch. */
function expectMessages(got: Uint8Array[], want: Uint8Array[], label?: string): void {
  const same = got.length === want.length && got.every((m, i) => Buffer.compare(m, want[i]) === 0);
  if (!same) expect(got, label).toEqual(want);
  expect(same).toBe(true);
}

function framed(s: RecordedStream, framing: Framing): Uint8Array {
  return concat(s.messages.map((m) => encodeFrame(m, framing)));
}

describe('recorded streams (raw framing)', () => {
  it('covers the transcripts and the Goblins tcp captures', () => {
    expect(streams.filter((s) => s.name.startsWith('transcripts/')).length).toBe(62);
    expect(streams.some((s) => s.name.includes('tcp-demo.client-to-server'))).toBe(true);
    expect(streams.filter((s) => s.name.startsWith('handoff/')).length).toBe(6);
    expect(streams.reduce((n, s) => n + s.messages.length, 0)).toBeGreaterThan(300);
  });

  for (const size of [1, 7, 64, 4096]) {
    it(`splits every stream into the indexed messages, chunk size ${size}`, () => {
      for (const s of streams) {
        expectMessages(feed(s.bin, [size]), s.messages, s.name);
      }
    });
  }

  it('splits every stream into the indexed messages, random chunk sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (sizes) => {
        for (const s of streams) expectMessages(feed(s.bin, sizes), s.messages, s.name);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('returns fresh copies that do not alias the input chunks', () => {
    const s = streams.find((x) => x.messages.length > 3)!;
    const input = s.bin.slice();
    const reader = new FrameReader();
    const { messages } = reader.push(input);
    input.fill(0);
    expect(messages).toEqual(s.messages);
  });
});

describe('length-prefixed framings', () => {
  for (const framing of ['netstring', 'syrup-frame'] as const) {
    it(`${framing}: every recorded message decodes the same, chunk sizes 1, 7, 64, 4096`, () => {
      for (const s of streams) {
        const wire = framed(s, framing);
        for (const size of [1, 7, 64, 4096]) expectMessages(feed(wire, [size]), s.messages, `${s.name} @${size}`);
      }
    });
  }

  it('encodes netstring and syrup-frame exactly, and raw unchanged', () => {
    const m = bytes("<3'foo>");
    expect(encodeFrame(m, 'netstring')).toEqual(bytes("7:<3'foo>,"));
    expect(encodeFrame(m, 'syrup-frame')).toEqual(bytes("7:<3'foo>"));
    expect(encodeFrame(m, 'raw')).toBe(m);
    expect(() => encodeFrame(m, 'json' as Framing)).toThrow(TypeError);
  });

  it('auto-detects the framing per message (random mix, random chunks)', () => {
    const pool = streams.flatMap((s) => s.messages).slice(0, 120);
    const framingArb = fc.constantFrom<Framing>('raw', 'netstring', 'syrup-frame');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: pool.length - 1 }), framingArb), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 10 }),
        (picks, sizes) => {
          const messages = picks.map(([i]) => pool[i]);
          const wire = concat(picks.map(([i, f]) => encodeFrame(pool[i], f)));
          expectMessages(feed(wire, sizes), messages);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('accepts a frame of exactly maxMessageBytes', () => {
    const m = numbered(1, 80);
    const { messages, error } = feedAll(encodeFrame(m, 'netstring'), { maxMessageBytes: m.length });
    expect(error).toBeUndefined();
    expect(messages).toEqual([m]);
  });
});

describe('malformed streams are rejected', () => {
  const cases: [string, string, RegExp][] = [
    ['a non-digit, non-record start', 'hello', /expected a message/],
    ['a raw list (not a record)', '[1+2+]', /expected a message/],
    ['a raw string at top level', '"abc', /expected a message/],
    ['a non-digit in the length prefix', "1x:<3'foo>", /non-digit 'x'/],
    ['a raw Syrup string (digit then ")', '3"abc', /non-digit '"'/],
    ['an empty length prefix', ":<3'foo>", /empty frame length/],
    ['a leading zero', "07:<3'foo>", /leading zero/],
    ['a zero length', '0:,', /zero-length/],
    ['a payload that is not a record', '3:abc', /must be a Syrup record/],
    ['a payload with trailing bytes', "9:<3'foo>1+", /bytes after its Syrup record/],
    ['an incomplete payload', "4:<3'f", /incomplete Syrup value/],
    ['malformed Syrup in a raw record', "<3'foo!>", /malformed Syrup/],
    ['malformed Syrup in a frame payload', "8:<3'foo!>", /malformed Syrup/],
    ['two commas after a frame', "7:<3'foo>,,", /expected a message.*','/],
    ['a comma after a raw record', "<3'foo>,", /expected a message.*','/],
  ];
  for (const [what, input, pattern] of cases) {
    it(`rejects ${what}`, () => {
      const { error, messages, reader } = feedAll(input);
      expect(error).toBeInstanceOf(FramingError);
      expect(error!.message).toMatch(pattern);
      expect(reader.failed).toBe(true);
      expect(messages.length).toBeLessThanOrEqual(1);
    });
  }

  it('delivers the messages before the error, then stops for good', () => {
    const { reader, messages, error } = feedAll("<3'foo>7:<3'bar>xyz");
    expect(messages).toEqual([bytes("<3'foo>"), bytes("<3'bar>")]);
    expect(error?.message).toMatch(/'x'/);
    expect(error!.offset).toBe(16);
    const after = reader.push(bytes("<3'baz>"));
    expect(after).toEqual({ messages: [] });
    expect(reader.end()).toBeUndefined();
  });

  it('keeps the SyrupError as cause', () => {
    const { error } = feedAll("<3'foo!>");
    expect(error!.cause).toBeInstanceOf(SyrupError);
  });

  it('rejects a huge length prefix as soon as it is seen, without buffering the payload', () => {
    const reader = new FrameReader();
    // 16 MiB + 1, before the ':' arrives
    const r1 = reader.push(bytes('16777217'));
    expect(r1.error?.message).toMatch(/exceeds maxMessageBytes/);
    const reader2 = new FrameReader();
    const r2 = reader2.push(bytes('999999999999999999999'));
    expect(r2.error?.message).toMatch(/more than 8 digits exceeds maxMessageBytes/);
    const reader3 = new FrameReader({ maxMessageBytes: 1000 });
    expect(reader3.push(bytes('100')).error).toBeUndefined();
    expect(reader3.push(bytes('1')).error?.message).toMatch(/frame length 1001 exceeds/);
  });

  it('rejects an oversized raw record once more than maxMessageBytes are pending', () => {
    const big = numbered(7, 5000); // ~5 KB record
    const reader = new FrameReader({ maxMessageBytes: 1024 });
    let fed = 0;
    let error: Error | undefined;
    while (fed < big.length && error === undefined) {
      error = reader.push(big.subarray(fed, fed + 100)).error;
      fed += 100;
    }
    expect(error).toBeInstanceOf(FramingError);
    expect(fed).toBeLessThan(2000);
    expect(reader.pendingBytes).toBe(0);
  });

  it('reports a stream that ends inside a message', () => {
    const reader = new FrameReader();
    expect(reader.push(bytes("<3'foo>7:<3'b")).messages).toHaveLength(1);
    const err = reader.end();
    expect(err).toBeInstanceOf(FramingError);
    expect(err!.message).toMatch(/ended inside a message \(6 bytes pending\)/);
  });

  it('validates its arguments', () => {
    expect(() => new FrameReader({ maxMessageBytes: 0 })).toThrow(RangeError);
    expect(() => new FrameReader({ maxMessageBytes: 1.5 })).toThrow(RangeError);
    expect(() => new FrameReader({ maxMessageBytes: '10' as unknown as number })).toThrow(TypeError);
    expect(() => new FrameReader().push('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
