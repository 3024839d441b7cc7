/**
 * FrameReader: work is linear whatever the chunking (bounded by counting scanned bytes, not by
 * timing), the buffer shrinks back after a large message, and maxMessageBytes can change at run
 * time (issue 7 item 3).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader, FramingError, encodeFrame, type Framing } from '../../src/netlayers/index.js';
import { encode, sym, SyrupDict, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { bytes, concat, numbered } from './helpers.js';

/** A deterministic chunk-size generator in `lo..hi` (LCG, fixed seed). */
function sizes(lo: number, hi: number, seed = 7): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return lo + ((s >>> 16) % (hi - lo + 1));
  };
}

/**
 * A raw record of about `n` bytes, dense in `>`: `<3'msg[[1">1">…]…]>`, a list of lists of
 * one-byte strings whose byte is `>`, so that almost every small chunk holds a `>`.
 */
function denseRecord(n: number): Uint8Array {
  const group = `[${'1">'.repeat(1000)}]`;
  return latin1(`<3'msg[${group.repeat(Math.max(1, Math.floor((n - 9) / group.length)))}]>`);
}

/** Fast latin1 string to bytes, for megabytes. */
function latin1(text: string): Uint8Array {
  const b = Buffer.from(text, 'latin1');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Feeds `wire` in chunks from `next`, checking after every `checkEvery` bytes that the work so
 * far is at most `factor` × bytes fed (so quadratic code fails at the first checkpoint instead
 * of running for hours). Returns the messages, the push count and the final work.
 */
function feedCounting(wire: Uint8Array, next: () => number, factor: number, checkEvery = 1 << 16) {
  const reader = new FrameReader();
  const messages: Uint8Array[] = [];
  let at = 0;
  let pushes = 0;
  let checkpoint = checkEvery;
  while (at < wire.length) {
    const size = next();
    const { messages: got, error } = reader.push(wire.subarray(at, at + size));
    if (error) throw error;
    for (const m of got) messages.push(m);
    at += size;
    pushes++;
    if (at >= checkpoint) {
      checkpoint += checkEvery;
      const fed = Math.min(at, wire.length);
      if (!(reader.scannedBytes <= factor * fed)) {
        expect.fail(`scanned ${reader.scannedBytes} bytes after feeding ${fed} (${pushes} pushes)`);
      }
    }
  }
  return { reader, messages, pushes, scanned: reader.scannedBytes };
}

describe('FrameReader work is linear in the stream length', () => {
  // 15 MB in 1–7-byte chunks (3.6 million pushes, about 2 s) rather than in 1-byte chunks
  // (15 million pushes, too slow for CI); the 1-byte case runs on 1 MB below.
  it('a 15 MB raw record in 1–7-byte chunks, almost every one holding a ">"', () => {
    const message = denseRecord(15_000_000);
    const { messages, pushes, scanned, reader } = feedCounting(message, sizes(1, 7), 2);
    expect(messages).toHaveLength(1);
    expect(Buffer.compare(messages[0], message)).toBe(0);
    expect(scanned).toBeGreaterThanOrEqual(message.length);
    expect(scanned).toBeLessThanOrEqual(message.length + pushes);
    expect(scanned).toBeLessThanOrEqual(2 * message.length);
    expect(reader.pendingBytes).toBe(0);
  });

  it('a 1 MB raw record in 1-byte chunks', () => {
    const message = denseRecord(1_000_000);
    const { messages, scanned } = feedCounting(message, () => 1, 2, 1 << 14);
    expect(messages).toHaveLength(1);
    expect(scanned).toBeLessThanOrEqual(2 * message.length);
  });

  it('long digit runs in 1-byte chunks are resumed, not re-read', () => {
    // 4096-digit integers: rescanning a run on every byte would cost ~2,000 reads per byte
    const digits = '9'.repeat(4096);
    const message = bytes(`<3'msg[${`${digits}+`.repeat(64)}]>`);
    const { messages, scanned } = feedCounting(message, () => 1, 2, 1 << 12);
    expect(messages).toHaveLength(1);
    expect(scanned).toBeLessThanOrEqual(2 * message.length);
  });

  for (const framing of ['netstring', 'syrup-frame'] as const) {
    it(`a 4 MB ${framing} frame in 1–7-byte chunks: its payload is scanned once`, () => {
      const message = denseRecord(4_000_000);
      const wire = encodeFrame(message, framing);
      const { messages, scanned } = feedCounting(wire, sizes(1, 7, 11), 2);
      expect(messages).toHaveLength(1);
      expect(Buffer.compare(messages[0], message)).toBe(0);
      // the payload once, plus the prefix digits and ':'
      expect(scanned).toBe(message.length + String(message.length).length + 1);
    });
  }

  const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('>', '>>>', '<>', '1">'));
  const leaf: fc.Arbitrary<SyrupValue> = fc.oneof(
    fc.boolean(),
    fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
    fc.double(),
    text,
    text.map(sym),
    fc.uint8Array({ maxLength: 12 }).map((b) => b.map((x) => (x & 1 ? 0x3e : x))),
  );
  const { value } = fc.letrec<{ value: SyrupValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('value'), { maxLength: 5 }),
      fc.tuple(tie('value'), fc.array(tie('value'), { maxLength: 3 })).map(([l, f]) => new SyrupRecord(l, f)),
      fc.array(tie('value'), { maxLength: 2 }).map((vs) => new SyrupDict(vs.map((v, i) => [BigInt(i), v] as const))),
    ),
  }));
  const message = fc
    .tuple(fc.string({ maxLength: 6 }), fc.array(value, { maxLength: 4 }))
    .map(([label, fields]) => encode(new SyrupRecord(sym(`op:${label}`), fields)));

  it('random messages in mixed framings, split at random points: exactly the messages, linear work', () => {
    const framing = fc.constantFrom<Framing>('raw', 'netstring', 'syrup-frame');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(message, framing), { minLength: 1, maxLength: 25 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        (picks, cuts) => {
          const wire = concat(picks.map(([m, f]) => encodeFrame(m, f)));
          const reader = new FrameReader();
          const got: Uint8Array[] = [];
          let at = 0;
          let pushes = 0;
          while (at < wire.length) {
            const size = cuts[pushes % cuts.length];
            const { messages, error } = reader.push(wire.subarray(at, at + size));
            expect(error).toBeUndefined();
            got.push(...messages);
            at += size;
            pushes++;
          }
          expect(got).toEqual(picks.map(([m]) => m));
          expect(reader.end()).toBeUndefined();
          // every byte once (commas are not scanned), plus at most one re-read byte per push
          expect(reader.scannedBytes).toBeLessThanOrEqual(wire.length + pushes);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('FrameReader memory', () => {
  it('shrinks its buffer back after a 16 MiB message', () => {
    const reader = new FrameReader();
    const big = denseRecord(16 * 1024 * 1024 - 64);
    for (let at = 0; at < big.length; at += 1 << 16) {
      expect(reader.push(big.subarray(at, at + (1 << 16))).error).toBeUndefined();
    }
    expect(reader.pendingBytes).toBe(0);
    expect(reader.allocatedBytes).toBeLessThanOrEqual(64 * 1024);
    // a big message followed by the start of the next one in the same chunk
    const again = concat([big, bytes("<3'msg")]);
    const { messages } = reader.push(again);
    expect(messages).toHaveLength(1);
    expect(reader.pendingBytes).toBe(6);
    expect(reader.allocatedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(reader.push(bytes('>')).messages).toEqual([bytes("<3'msg>")]);
  });

  it('keeps at most one message plus one chunk while a message is in progress', () => {
    const reader = new FrameReader({ maxMessageBytes: 100_000 });
    const m = numbered(1, 90_000);
    for (let at = 0; at < m.length; at += 1000) {
      reader.push(m.subarray(at, at + 1000));
      expect(reader.allocatedBytes).toBeLessThanOrEqual(100_000 + 16 + 1000);
    }
  });
});

describe('FrameReader.setMaxMessageBytes', () => {
  it('applies to later messages', () => {
    const reader = new FrameReader({ maxMessageBytes: 1000 });
    expect(reader.maxMessageBytes).toBe(1000);
    expect(reader.push(numbered(1, 200)).messages).toHaveLength(1);
    expect(reader.setMaxMessageBytes(100)).toBeUndefined();
    expect(reader.maxMessageBytes).toBe(100);
    const { error } = reader.push(numbered(2, 200));
    expect(error).toBeInstanceOf(FramingError);
    expect(error!.message).toMatch(/maxMessageBytes \(100\)/);
  });

  it('applies to the raw message in progress; one already over the limit is an error at once', () => {
    const m = numbered(3, 200); // 216 bytes
    const ok = new FrameReader({ maxMessageBytes: 1000 });
    ok.push(m.subarray(0, 50));
    expect(ok.setMaxMessageBytes(300)).toBeUndefined();
    expect(ok.push(m.subarray(50)).messages).toEqual([m]);

    const later = new FrameReader({ maxMessageBytes: 1000 });
    later.push(m.subarray(0, 50));
    expect(later.setMaxMessageBytes(100)).toBeUndefined();
    expect(later.push(m.subarray(50)).error?.message).toMatch(/maxMessageBytes \(100\)/);

    const atOnce = new FrameReader({ maxMessageBytes: 1000 });
    atOnce.push(m.subarray(0, 150));
    const error = atOnce.setMaxMessageBytes(100);
    expect(error).toBeInstanceOf(FramingError);
    expect(error!.message).toMatch(/raw message exceeds maxMessageBytes \(100\)/);
    expect(error!.offset).toBe(0);
    expect(atOnce.failed).toBe(true);
    expect(atOnce.pendingBytes).toBe(0);
    expect(atOnce.push(bytes("<3'foo>"))).toEqual({ messages: [] });
    expect(atOnce.setMaxMessageBytes(5000)).toBeUndefined();
  });

  it('the Syrup scanner follows: a bytestring longer than the new limit is refused from its prefix', () => {
    const reader = new FrameReader();
    reader.push(bytes("<3'msg"));
    expect(reader.setMaxMessageBytes(100)).toBeUndefined();
    expect(reader.push(bytes('500:')).error?.message).toMatch(/exceeds maxMessageBytes \(100\)/);
  });

  it('lowering the limit below a bytestring the scanner waits for fails on the next push', () => {
    const reader = new FrameReader();
    reader.push(bytes("<3'msg500:abc"));
    expect(reader.setMaxMessageBytes(100)).toBeUndefined(); // 13 bytes pending: not over yet
    expect(reader.push(bytes('d')).error?.message).toMatch(/exceeds maxMessageBytes \(100\)/);
  });

  it('raising the limit admits a message in progress that the old one would refuse', () => {
    const m = latin1(`<3'msg${'1">'.repeat(150)}>`);
    const reader = new FrameReader({ maxMessageBytes: 100 });
    reader.push(m.subarray(0, 80));
    expect(reader.setMaxMessageBytes(1000)).toBeUndefined();
    expect(reader.push(m.subarray(80)).messages).toEqual([m]);
  });

  it('applies to a length prefix in progress', () => {
    const full = new FrameReader();
    full.push(bytes("150:<3'msg"));
    expect(full.setMaxMessageBytes(100)?.message).toMatch(/frame length 150 exceeds maxMessageBytes \(100\)/);

    const partial = new FrameReader();
    partial.push(bytes('15'));
    expect(partial.setMaxMessageBytes(10)?.message).toMatch(/frame length 15 exceeds maxMessageBytes \(10\)/);

    const digits = new FrameReader();
    digits.push(bytes('1'));
    expect(digits.setMaxMessageBytes(99)).toBeUndefined();
    expect(digits.push(bytes('00')).error?.message).toMatch(/more than 2 digits exceeds maxMessageBytes \(99\)/);

    const fits = new FrameReader();
    fits.push(bytes('7:'));
    expect(fits.setMaxMessageBytes(7)).toBeUndefined();
    expect(fits.push(bytes("<3'foo>,")).messages).toEqual([bytes("<3'foo>")]);
  });

  it('validates its argument', () => {
    const reader = new FrameReader();
    expect(() => reader.setMaxMessageBytes(0)).toThrow(RangeError);
    expect(() => reader.setMaxMessageBytes(2 ** 31)).toThrow(RangeError);
    expect(() => reader.setMaxMessageBytes(1.5)).toThrow(RangeError);
    expect(() => reader.setMaxMessageBytes('10' as unknown as number)).toThrow(TypeError);
    expect(() => reader.setMaxMessageBytes(undefined as unknown as number)).toThrow(TypeError);
    expect(reader.maxMessageBytes).toBe(16 * 1024 * 1024);
  });
});
