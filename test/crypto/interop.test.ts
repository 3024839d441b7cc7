import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decode } from '../../src/syrup/index.js';
import { SyrupRecord, rec, type SyrupValue } from '../../src/syrup/types.js';
import { publicKeyFromSyrup, signatureFromSyrup, verify, publicId, sessionId } from '../../src/crypto/index.js';
import { peerLocatorFromSyrup } from '../../src/locator/index.js';

/* Every op:start-session recorded from other implementations (shared/vectors): decode it,
 * verify its location signature over <my-location LOCATOR>, check the key and Public ID
 * against index.json, and recompute the Session ID where index.json records one. */

const vectors = (path: string): URL => new URL(`../../../shared/vectors/${path}`, import.meta.url);
const readJson = (path: string): any => JSON.parse(readFileSync(vectors(path), 'utf8'));

interface StartSessionInfo {
  captp_version: string;
  pubkey_q: string;
  public_id: string;
  location_signature_valid: boolean;
  location_transport?: string;
  location_designator?: string;
}

interface Case {
  name: string;
  bytes: Uint8Array;
  info: StartSessionInfo;
}

/** Checks one start-session message; returns the sender's Public ID. */
function checkStartSession({ bytes, info }: Case): Uint8Array {
  const msg = decode(bytes);
  expect(msg).toBeInstanceOf(SyrupRecord);
  const record = msg as SyrupRecord;
  expect(record.labelName).toBe('op:start-session');
  expect(record.fields).toHaveLength(4);
  const [version, pubkey, location, sigVal] = record.fields as SyrupValue[];
  expect(version).toBe(info.captp_version);
  const pk = publicKeyFromSyrup(pubkey);
  expect(bytesToHex(pk)).toBe(info.pubkey_q);
  const id = publicId(pk);
  expect(bytesToHex(id)).toBe(info.public_id);
  const loc = peerLocatorFromSyrup(location);
  if (info.location_transport !== undefined) expect(loc.transport).toBe(info.location_transport);
  if (info.location_designator !== undefined) expect(loc.designator).toBe(info.location_designator);
  const sig = signatureFromSyrup(sigVal);
  expect(verify(rec('my-location', location), sig, pk)).toBe(info.location_signature_valid);
  return id;
}

interface Connection {
  name: string;
  cases: Case[];
  sessionId?: string;
}

function transcriptConnections(): Connection[] {
  const index = readJson('transcripts/index.json');
  return index.transcripts.map((t: any): Connection => {
    const cases: Case[] = [];
    for (const dir of ['suite_to_peer', 'peer_to_suite'] as const) {
      const info = t.start_session?.[dir];
      if (!info) continue;
      const file = readFileSync(vectors(`transcripts/${t.files[dir]}`));
      const entry = t.messages[dir].find((m: [number, number, string]) => m[0] === info.offset);
      expect(entry?.[2]).toBe('op:start-session');
      cases.push({ name: dir, bytes: new Uint8Array(file.subarray(entry[0], entry[0] + entry[1])), info });
    }
    return { name: `${t.test} part ${t.part}`, cases, sessionId: t.session_id };
  });
}

function goblinsConnections(): Connection[] {
  const index = readJson('goblins/index.json');
  const out: Connection[] = [];
  for (const capture of index.captures) {
    if (capture.name === 'tcp-demo') {
      const cases: Case[] = (['client', 'server'] as const).map((role) => {
        const dir = role === 'client' ? 'client_to_server' : 'server_to_client';
        const info = capture.start_session[role];
        const file = readFileSync(vectors(`goblins/${capture.files[dir]}`));
        const entry = capture.messages[dir].find((m: [number, number, string]) => m[0] === info.offset);
        expect(entry?.[2]).toBe('op:start-session');
        return { name: role, bytes: new Uint8Array(file.subarray(entry[0], entry[0] + entry[1])), info };
      });
      out.push({ name: 'goblins tcp-demo', cases, sessionId: capture.session_id });
    } else if (capture.name === 'ws-demo') {
      const cases: Case[] = (['client', 'server'] as const).map((role) => {
        const dir = role === 'client' ? 'client_to_server' : 'server_to_client';
        const info = capture.start_session[role];
        const frames: string[] = readJson(`goblins/${capture.files[dir]}`);
        return { name: role, bytes: hexToBytes(frames[info.frame]), info };
      });
      out.push({ name: 'goblins ws-demo', cases, sessionId: capture.session_id });
    } else if (capture.name === 'handoff') {
      for (const session of capture.sessions) {
        const roles = Object.keys(session.start_session);
        const cases: Case[] = roles.map((role) => {
          const other = roles.find((r) => r !== role)!;
          const dir = `${role.toLowerCase()}_to_${other.toLowerCase()}`;
          const info = session.start_session[role];
          const file = readFileSync(vectors(`goblins/${session.files[dir]}`));
          const entry = session.messages[dir].find((m: [number, number, string]) => m[0] === info.offset);
          expect(entry?.[2]).toBe('op:start-session');
          return { name: role, bytes: new Uint8Array(file.subarray(entry[0], entry[0] + entry[1])), info };
        });
        out.push({ name: `goblins handoff ${session.session}`, cases, sessionId: session.session_id });
      }
    } else {
      throw new Error(`unexpected goblins capture ${capture.name}`);
    }
  }
  return out;
}

const transcripts = transcriptConnections();
const goblins = goblinsConnections();

describe('op:start-session recorded between the test suite and Endo', () => {
  it('covers every connection in the index', () => {
    expect(transcripts).toHaveLength(31);
    expect(transcripts.flatMap((c) => c.cases).length).toBeGreaterThanOrEqual(31);
  });
  for (const conn of transcripts) {
    it(`${conn.name}: start-session(s) verify as recorded${conn.sessionId ? ', session ID matches' : ''}`, () => {
      const ids = conn.cases.map(checkStartSession);
      if (conn.sessionId !== undefined) {
        expect(ids).toHaveLength(2);
        expect(bytesToHex(sessionId(ids[0], ids[1]))).toBe(conn.sessionId);
      }
    });
  }
  it('the suite\'s deliberately bad signature is the only one that fails', () => {
    const bad = transcripts.flatMap((c) => c.cases.filter((x) => !x.info.location_signature_valid).map(() => c.name));
    expect(bad).toEqual(['op_start_session.OpStartSessionTest.test_start_session_with_invalid_signature part 1']);
  });
});

describe('op:start-session recorded between Goblins 0.18 nodes', () => {
  it('has all 10 start-sessions, all valid', () => {
    const all = goblins.flatMap((c) => c.cases);
    expect(all).toHaveLength(10);
    expect(all.every((c) => c.info.location_signature_valid)).toBe(true);
  });
  for (const conn of goblins) {
    it(`${conn.name}: both signatures verify and the session ID matches`, () => {
      const ids = conn.cases.map(checkStartSession);
      expect(conn.sessionId).toMatch(/^[0-9a-f]{64}$/);
      expect(bytesToHex(sessionId(ids[0], ids[1]))).toBe(conn.sessionId);
    });
  }
});

/** All `<desc:sig-envelope <label …> sig>` records inside a decoded value whose signed record has `label`. */
function findEnvelopes(v: SyrupValue, label: string, out: SyrupRecord[] = []): SyrupRecord[] {
  if (v instanceof SyrupRecord) {
    const inner = v.fields[0];
    if (v.labelName === 'desc:sig-envelope' && inner instanceof SyrupRecord && inner.labelName === label) out.push(v);
    for (const f of v.fields) findEnvelopes(f, label, out);
  } else if (Array.isArray(v)) {
    for (const item of v as readonly SyrupValue[]) findEnvelopes(item, label, out);
  }
  return out;
}

describe('Goblins 0.18 third-party handoff signatures', () => {
  const capture = readJson('goblins/index.json').captures.find((c: any) => c.name === 'handoff');
  const keys = Object.fromEntries(Object.entries(capture.keys as Record<string, string>).map(([k, v]) => [k, hexToBytes(v)]));
  const session = (name: string): any => capture.sessions.find((s: any) => s.session === name);
  const message = (sessionName: string, dir: string, offset: number): SyrupValue => {
    const s = session(sessionName);
    const entry = s.messages[dir].find((m: [number, number, string]) => m[0] === offset);
    const file = readFileSync(vectors(`goblins/${s.files[dir]}`));
    return decode(new Uint8Array(file.subarray(entry[0], entry[0] + entry[1])));
  };
  const checkGive = (envelope: SyrupRecord, giftIdHex: string): void => {
    const give = envelope.fields[0] as SyrupRecord;
    const sig = signatureFromSyrup(envelope.fields[1]);
    expect(verify(give, sig, keys.A_in_A_C)).toBe(true);
    expect(verify(give, sig, keys.A_in_A_B)).toBe(false);
    const [receiverKey, , sessionField, gifterSide, giftId] = give.fields as SyrupValue[];
    expect(publicKeyFromSyrup(receiverKey)).toEqual(keys.B_in_A_B);
    expect(bytesToHex(sessionField as Uint8Array)).toBe(session('A-C').session_id);
    expect(gifterSide).toEqual(publicId(keys.A_in_A_C));
    expect(bytesToHex(giftId as Uint8Array)).toBe(giftIdHex);
  };

  it('has two gives and two receives to check', () => {
    expect(capture.gives).toHaveLength(2);
    expect(capture.receives).toHaveLength(2);
  });

  for (const [i, g] of (capture.gives as any[]).entries()) {
    it(`give ${i + 1} verifies under A's A–C key only and names the A–C session`, () => {
      const envelopes = findEnvelopes(message('A-B', 'a_to_b', g.message_offset), 'desc:handoff-give');
      expect(envelopes).toHaveLength(1);
      checkGive(envelopes[0], g.gift_id);
    });
  }

  for (const [i, r] of (capture.receives as any[]).entries()) {
    it(`receive ${i + 1} verifies under B's A–B key only and names the B–C session`, () => {
      const envelopes = findEnvelopes(message('B-C', 'b_to_c', r.message_offset), 'desc:handoff-receive');
      expect(envelopes).toHaveLength(1);
      const receive = envelopes[0].fields[0] as SyrupRecord;
      const sig = signatureFromSyrup(envelopes[0].fields[1]);
      expect(verify(receive, sig, keys.B_in_A_B)).toBe(true);
      expect(verify(receive, sig, keys.B_in_B_C)).toBe(false);
      const [receivingSession, receivingSide, count, signedGive] = receive.fields as SyrupValue[];
      expect(bytesToHex(receivingSession as Uint8Array)).toBe(session('B-C').session_id);
      expect(receivingSide).toEqual(publicId(keys.B_in_B_C));
      expect(count).toBe(BigInt(r.handoff_count));
      checkGive(signedGive as SyrupRecord, r.gift_id);
    });
  }
});
