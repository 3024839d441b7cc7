/** Real recorded sessions (shared/vectors/transcripts and goblins) through the stream reader. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encode, SyrupRecord, SyrupStreamReader, toNotation, type SyrupValue } from '../../src/syrup/index.js';
import { bytesToHex, loadVectors } from './helpers.js';

type Msg = [number, number, string];
interface Stream {
  name: string;
  bin: Uint8Array;
  messages: Msg[];
  /** Readable notation of each message, keyed by "offset+length", from the .txt file. */
  notation: Map<string, string>;
}

function file(dir: string, name: string): URL {
  return new URL(`../../../shared/vectors/${dir}/${name}`, import.meta.url);
}

function collect(
  dir: string,
  parts: { files: Record<string, string>; messages: Record<string, Msg[]> }[],
): Stream[] {
  const out: Stream[] = [];
  for (const part of parts) {
    const lines = readFileSync(file(dir, part.files.text), 'utf8').split('\n');
    for (const [key, messages] of Object.entries(part.messages)) {
      const [from, to] = key.split('_to_');
      const code = `${from[0].toUpperCase()}>${to[0].toUpperCase()}`;
      const notation = new Map<string, string>();
      for (const line of lines) {
        const m = /^\d+ (\S+) @(\d+)\+(\d+) (.*)$/.exec(line);
        if (m && m[1] === code) notation.set(`${m[2]}+${m[3]}`, m[4]);
      }
      out.push({ name: part.files[key], bin: new Uint8Array(readFileSync(file(dir, part.files[key]))), messages, notation });
    }
  }
  return out;
}

const suite = loadVectors<{ transcripts: { files: Record<string, string>; messages: Record<string, Msg[]> }[] }>(
  'transcripts/index.json',
);
const goblins = loadVectors<{ captures: Record<string, unknown>[] }>('goblins/index.json');
const goblinParts = [
  goblins.captures.find((c) => c.name === 'tcp-demo'),
  ...((goblins.captures.find((c) => c.name === 'handoff')?.sessions as unknown[]) ?? []),
] as { files: Record<string, string>; messages: Record<string, Msg[]> }[];

const streams = [...collect('transcripts', suite.transcripts), ...collect('goblins', goblinParts)];

function readAll(bin: Uint8Array, chunk: (i: number) => number): SyrupValue[] {
  const r = new SyrupStreamReader();
  const values: SyrupValue[] = [];
  for (let i = 0, k = 0; i < bin.length; k++) {
    const n = Math.max(1, chunk(k));
    values.push(...r.push(bin.subarray(i, i + n)));
    i += n;
  }
  expect(r.buffered).toBe(0);
  r.end();
  return values;
}

describe('recorded sessions through SyrupStreamReader', () => {
  it('found the recorded streams (suite↔Endo, Goblins↔Goblins)', () => {
    expect(streams.length).toBeGreaterThanOrEqual(62 + 8);
    expect(streams.reduce((n, s) => n + s.messages.length, 0)).toBeGreaterThanOrEqual(204 + 100);
  });
  const sizes: [string, (k: number) => number][] = [
    ['1-byte chunks', () => 1],
    ['7-byte chunks', () => 7],
    ['varied chunks', (k) => (k * 37) % 97],
    ['whole stream', () => 1 << 30],
  ];
  for (const [label, chunk] of sizes) {
    it(`${label}: exactly the recorded messages, each re-encoding to its slice`, () => {
      for (const s of streams) {
        const values = readAll(s.bin, chunk);
        expect(values.length, s.name).toBe(s.messages.length);
        values.forEach((v, i) => {
          const [off, len, lbl] = s.messages[i];
          expect(v).toBeInstanceOf(SyrupRecord);
          expect((v as SyrupRecord).labelName).toBe(lbl);
          expect(bytesToHex(encode(v))).toBe(bytesToHex(s.bin.subarray(off, off + len)));
        });
      }
    });
  }
  it('toNotation matches the readable notation of the .txt transcripts', () => {
    let compared = 0;
    for (const s of streams) {
      const values = readAll(s.bin, () => 1 << 30);
      values.forEach((v, i) => {
        const [off, len] = s.messages[i];
        const expected = s.notation.get(`${off}+${len}`);
        if (expected === undefined) return;
        expect(toNotation(v), `${s.name} @${off}`).toBe(expected);
        compared++;
      });
    }
    expect(compared).toBeGreaterThanOrEqual(300);
  });
});
