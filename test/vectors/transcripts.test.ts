/**
 * Every recorded CapTP message in shared/vectors (suite ⇄ Endo transcripts and Goblins 0.18
 * captures) goes through our strict Syrup decoder and our op shape decoder (src/captp/ops.ts):
 * it decodes, re-encodes byte for byte, carries the label index.json names, and has the shape
 * its op declares. Every op:start-session's location signature is checked too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, encode, SyrupRecord, type SyrupValue } from '../../src/syrup/index.js';
import { rec } from '../../src/syrup/types.js';
import { decodeOp, WireShapeError } from '../../src/captp/ops.js';
import { publicKeyFromSyrup, signatureFromSyrup, verify } from '../../src/crypto/index.js';

type Msg = [number, number, string];

const vectorUrl = (path: string): URL => new URL(`../../../shared/vectors/${path}`, import.meta.url);
const readJson = (path: string): any => JSON.parse(readFileSync(vectorUrl(path), 'utf8'));
const readBin = (path: string): Uint8Array => new Uint8Array(readFileSync(vectorUrl(path)));
const hexToBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

/** One recorded message with where it came from. */
interface Recorded {
  /** "file @offset" or "file frame k", for failure messages. */
  where: string;
  bytes: Uint8Array;
  label: string;
}

/** One direction of one recorded connection. */
interface Direction {
  name: string;
  messages: Recorded[];
  /** Whole stream (tcp captures only), to check the messages lie back to back. */
  bin?: Uint8Array;
  spans?: Msg[];
}

function tcpDirection(dir: string, file: string, spans: Msg[]): Direction {
  const bin = readBin(`${dir}/${file}`);
  return {
    name: `${dir}/${file}`,
    bin,
    spans,
    messages: spans.map(([off, len, label]) => ({ where: `${file} @${off}`, bytes: bin.subarray(off, off + len), label })),
  };
}

const suiteIndex = readJson('transcripts/index.json');
const goblinsIndex = readJson('goblins/index.json');

/** Every tcp direction: suite ⇄ Endo, Goblins tcp-demo, Goblins handoff sessions. */
function tcpDirections(): Direction[] {
  const out: Direction[] = [];
  for (const t of suiteIndex.transcripts) {
    out.push(tcpDirection('transcripts', t.files.suite_to_peer, t.messages.suite_to_peer));
    out.push(tcpDirection('transcripts', t.files.peer_to_suite, t.messages.peer_to_suite));
  }
  const demo = goblinsIndex.captures.find((c: any) => c.name === 'tcp-demo');
  out.push(tcpDirection('goblins', demo.files.client_to_server, demo.messages.client_to_server));
  out.push(tcpDirection('goblins', demo.files.server_to_client, demo.messages.server_to_client));
  const handoff = goblinsIndex.captures.find((c: any) => c.name === 'handoff');
  for (const s of handoff.sessions) {
    for (const key of Object.keys(s.messages)) out.push(tcpDirection('goblins', s.files[key], s.messages[key]));
  }
  return out;
}

/** Goblins' WebSocket demo: one message per binary frame, payloads in the .json files. */
function wsDirections(): Direction[] {
  const ws = goblinsIndex.captures.find((c: any) => c.name === 'ws-demo');
  return (['client_to_server', 'server_to_client'] as const).map((key) => {
    const payloads: string[] = readJson(`goblins/${ws.files[key]}`);
    const frames: Msg[] = ws.frames[key];
    expect(payloads).toHaveLength(frames.length);
    return {
      name: `goblins/${ws.files[key]}`,
      messages: frames.map(([, len, label], k) => {
        const bytes = hexToBytes(payloads[k]);
        expect(bytes.length, `frame ${k} length`).toBe(len);
        return { where: `${ws.files[key]} frame ${k}`, bytes, label };
      }),
    };
  });
}

const tcp = tcpDirections();
const ws = wsDirections();
const all = [...tcp, ...ws];

/**
 * Labels that are not CapTP operations: the WebSocket netlayer's peer authentication, sent
 * before op:start-session (notes §15). Our op decoder must refuse them.
 */
const NETLAYER_LABELS = new Set(['init:peer-auth', 'desc:sig-envelope']);

/**
 * Recorded messages that are deliberately wrong. None is malformed in shape: the suite's
 * start-session tests send a valid shape with a bad version or a bad signature, which the
 * session (not the shape decoder) must refuse. Keyed by file and offset.
 */
const BAD_VERSION = new Set(['op_start_session.OpStartSessionTest.test_start_session_with_invalid_version.suite-to-peer.bin @0']);
const FORGED_SIGNATURE = new Set(['op_start_session.OpStartSessionTest.test_start_session_with_invalid_signature.suite-to-peer.bin @0']);

describe('recorded CapTP messages: strict decode, byte-exact re-encode, label', () => {
  it('covers the counts the README states (204 suite ⇄ Endo, 170 Goblins)', () => {
    const count = (ds: Direction[]) => ds.reduce((n, d) => n + d.messages.length, 0);
    const suiteDirs = tcp.filter((d) => d.name.startsWith('transcripts/'));
    expect(count(suiteDirs)).toBe(204);
    expect(count(all) - count(suiteDirs)).toBe(170);
  });

  for (const d of tcp) {
    it(`${d.name}: messages lie back to back with nothing left over`, () => {
      let at = 0;
      for (const [off, len] of d.spans!) {
        expect(off).toBe(at);
        at += len;
      }
      expect(at).toBe(d.bin!.length);
    });
  }

  for (const d of all) {
    it(`${d.name}: every message round-trips and has its label`, () => {
      for (const m of d.messages) {
        const v = decode(m.bytes);
        expect(v, m.where).toBeInstanceOf(SyrupRecord);
        expect((v as SyrupRecord).labelName, m.where).toBe(m.label);
        expect(Buffer.from(encode(v)).equals(Buffer.from(m.bytes)), `${m.where} re-encodes identically`).toBe(true);
      }
    });
  }
});

describe('recorded CapTP messages: op shapes (decodeOp)', () => {
  for (const d of all) {
    it(`${d.name}: every op passes the shape decoder; netlayer frames are refused`, () => {
      for (const m of d.messages) {
        const v = decode(m.bytes);
        if (NETLAYER_LABELS.has(m.label)) {
          expect(() => decodeOp(v), m.where).toThrow(WireShapeError);
          continue;
        }
        const op = decodeOp(v);
        expect(op.wireLabel, m.where).toBe(m.label);
        expect(op.op, m.where).toBe(
          ({ 'op:deliver-only': 'op:deliver', 'op:gc-export': 'op:gc-exports', 'op:gc-answer': 'op:gc-answers' } as Record<string, string>)[m.label] ??
            m.label,
        );
        if (op.op === 'op:start-session') {
          expect(op.captpVersion, m.where).toBe(BAD_VERSION.has(m.where) ? 'invalid-version-number' : '1.0');
        }
        if (op.op === 'op:deliver') {
          expect(Array.isArray(op.args), m.where).toBe(true);
          expect(['export', 'answer'], m.where).toContain((op.to as { kind: string }).kind);
        }
      }
    });
  }

  it('decodes the legacy and current forms to the same op with the right fields', () => {
    // From the transcripts: op:deliver-only (suite), 3-field op:listen, singular GC labels.
    const only = decodeOp(decode(Buffer.from("<15'op:deliver-only<11'desc:export1+>[<18'desc:import-object1+>]>", 'latin1')));
    expect(only).toMatchObject({ op: 'op:deliver', wireLabel: 'op:deliver-only', to: { kind: 'export', pos: 1 }, answerPos: false, resolveMe: false });
    const gc = decodeOp(rec('op:gc-export', [3n], [1n]));
    expect(gc).toMatchObject({ op: 'op:gc-exports', exportPositions: [3], wireDeltas: [1] });
    const listen3 = decodeOp(rec('op:listen', rec('desc:export', 2n), rec('desc:import-object', 2n), false));
    const listen2 = decodeOp(rec('op:listen', rec('desc:export', 2n), rec('desc:import-object', 2n)));
    expect(listen3).toMatchObject({ to: { kind: 'export', pos: 2 }, listener: { kind: 'import-object', pos: 2 } });
    expect(listen2).toMatchObject({ to: { kind: 'export', pos: 2 }, listener: { kind: 'import-object', pos: 2 } });
  });

  it('rejects malformed shapes', () => {
    const bad: SyrupValue[] = [
      rec('op:deliver', rec('desc:export', 0n), [], 0n), // 3 fields
      rec('op:deliver', rec('desc:import-object', 0n), [], false, false), // target must be export/answer
      rec('op:deliver', rec('desc:export', -1n), [], false, false), // negative position
      rec('op:deliver', rec('desc:export', 0n), 'not a list', false, false),
      rec('op:deliver', rec('desc:export', 0n), [], false, rec('desc:export', 1n)), // resolver must be an import
      rec('op:listen', rec('desc:export', 0n)),
      rec('op:gc-exports', [1n, 2n], [1n]), // lists differ in length
      rec('op:start-session', 1n, false, false, false), // version must be a String
      rec('op:bootstrap', 0n, rec('desc:import-object', 0n)), // removed Nov 2023
      rec('op:pick', 0n, 0n, 1n), // removed Apr 2025
      [rec('op:abort', 'x')],
    ];
    for (const v of bad) expect(() => decodeOp(v)).toThrow(WireShapeError);
  });
});

/** op:start-session records with where they were recorded. */
function startSessions(): Recorded[] {
  return all.flatMap((d) => d.messages.filter((m) => m.label === 'op:start-session'));
}

describe('recorded op:start-session location signatures', () => {
  const sessions = startSessions();

  it('finds every start-session index.json records (and the 10 Goblins ones)', () => {
    const suite = sessions.filter((m) => !m.where.includes('demo') && !m.where.startsWith('handoff.'));
    const recorded = suiteIndex.transcripts.reduce((n: number, t: any) => n + Object.keys(t.start_session ?? {}).length, 0);
    expect(suite.length).toBe(recorded);
    expect(sessions.length - suite.length).toBe(goblinsIndex.verification.start_sessions);
  });

  it('each verifies over <my-location LOC> with its own key, except the suite\'s forged one', () => {
    let forged = 0;
    for (const m of sessions) {
      const r = decode(m.bytes) as SyrupRecord;
      const [, pubkey, location, sigVal] = r.fields;
      const ok = verify(rec('my-location', location), signatureFromSyrup(sigVal), publicKeyFromSyrup(pubkey));
      if (FORGED_SIGNATURE.has(m.where)) {
        expect(ok, m.where).toBe(false);
        forged++;
      } else {
        expect(ok, m.where).toBe(true);
      }
      // The signature is over the wrapped locator, not the bare one.
      expect(verify(location, signatureFromSyrup(sigVal), publicKeyFromSyrup(pubkey)), `${m.where} (bare locator)`).toBe(false);
    }
    expect(forged).toBe(FORGED_SIGNATURE.size);
  });

  it('agrees with index.json on which signatures verify', () => {
    for (const t of suiteIndex.transcripts) {
      for (const [dir, info] of Object.entries<any>(t.start_session ?? {})) {
        const file = t.files[dir];
        const forged = FORGED_SIGNATURE.has(`${file} @${info.offset}`);
        expect(info.location_signature_valid, `${file}`).toBe(!forged);
      }
    }
  });
});
