/**
 * Profile detection (src/captp/detect.ts) fed with the bytes other implementations really
 * sent (shared/vectors): each recorded stream, message by message, as a session under
 * 'auto' would see it.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SyrupStreamReader, type SyrupValue } from '../../src/syrup/index.js';
import { decodeOp } from '../../src/captp/ops.js';
import { ProfileDetector, type Identification } from '../../src/captp/detect.js';
import { AUTO } from '../../src/captp/profile.js';
import type { CaptpSession } from '../../src/captp/session.js';
import { readBin, vectorUrl } from './replay.js';

/** Run a detector over one recorded stream; returns what it identified after each message. */
export function detectStream(bytes: Uint8Array): Identification[] {
  const reader = new SyrupStreamReader({ dictOrder: 'canonical-or-js' });
  const messages: SyrupValue[] = reader.push(bytes);
  // The detector touches only these members of a session.
  const s = { profile: AUTO, gc: { flush() {} }, connection: { outgoing: false }, peerLocation: undefined } as unknown as CaptpSession;
  const d = new ProfileDetector();
  const seen: Identification[] = [];
  for (const m of messages) {
    const op = decodeOp(m);
    if (op.op === 'op:start-session' || op.op === 'op:abort') continue;
    d.observe(s, op, m);
    seen.push(d.identified);
  }
  return seen;
}

const last = (xs: Identification[]): Identification | undefined => xs.at(-1);

describe('detection from recorded Goblins 0.18 bytes', () => {
  it('a Goblins client (tcp-demo) is "other" from its first question on: never the suite', () => {
    const seen = detectStream(readBin('goblins/tcp-demo.client-to-server.bin'));
    expect(seen[0]).toBe('other');
    expect(new Set(seen)).toEqual(new Set(['other']));
  });
  it('a Goblins server is identified as Goblins by its <exn:fail:mystery>', () => {
    const seen = detectStream(readBin('goblins/tcp-demo.server-to-client.bin'));
    expect(seen[0]).toBe('other'); // a fulfil as op:deliver … f f: spec form, not the suite's main branch
    expect(last(seen)).toBe('goblins');
  });
  it('every stream of the Goblins handoff stays outside the suite family', () => {
    for (const f of readdirSync(vectorUrl('goblins')).filter((x) => x.startsWith('handoff.') && x.endsWith('.bin'))) {
      const seen = detectStream(readBin(`goblins/${f}`));
      for (const id of seen) expect(['unidentified', 'other', 'goblins'], f).toContain(id);
    }
  });
});

describe('detection from the recorded official suite (main, 6c146dc) talking to Endo', () => {
  const files = readdirSync(vectorUrl('transcripts')).filter((x) => x.endsWith('.bin'));
  it('every suite stream is in the suite family from its first message on, and never leaves the family', () => {
    let streams = 0;
    for (const f of files.filter((x) => x.endsWith('suite-to-peer.bin'))) {
      const seen = detectStream(readBin(`transcripts/${f}`));
      if (seen.length === 0) continue;
      streams++;
      expect(['suite', 'suite-main'], f).toContain(seen[0]);
      for (const id of seen) expect(['suite', 'suite-main'], f).toContain(id);
    }
    expect(streams).toBeGreaterThanOrEqual(20);
  });
  it('op:deliver-only from the suite identifies its main branch', () => {
    expect(last(detectStream(readBin('transcripts/op_delivers.OpDeliverOnlyTest.test_send_deliver_only.suite-to-peer.bin')))).toBe('suite-main');
  });
});

describe('detection from recorded Endo HEAD bytes (vectors/endo-head)', () => {
  it('an Endo client is outside the suite family from its first question, and Endo once it sends a Struct in JS key order', () => {
    const seen = detectStream(readBin('endo-head/a2-endo-head-client__ocapn-ts-test-peer-endo__echo-struct/1.a-to-b.bin'));
    expect(seen[0]).toBe('other');
    expect(last(seen)).toBe('endo');
  });
  it('an Endo server (fulfil as op:deliver … f f, plural GC) is never taken for the suite', () => {
    const seen = detectStream(readBin('endo-head/b1-ocapn-ts-client-endo__endo-head-server__echo/1.b-to-a.bin'));
    expect(seen.length).toBeGreaterThan(0);
    for (const id of seen) expect(id).toBe('other');
  });
});
