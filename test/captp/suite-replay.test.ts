/**
 * The official test suite's recorded sessions (shared/vectors/transcripts: suite ⇄ Endo, all
 * passing), replayed against our node over loopback tcp-testing-only. test/interop/
 * suite-transcripts.test.ts compares the non-GC replies too; this file adds the GC check
 * (forcing JS GC) and the close after the suite's final abort: the raw peer sends the suite's exact bytes (its recorded
 * op:start-session included: the signature covers the suite's own locator, which we verify)
 * in the recorded order, and we compare every reply of our node with the one Endo sent.
 *
 * Allowed differences, each checked explicitly:
 * - our node sends its op:start-session as soon as the connection opens (Endo, as listener,
 *   waits for the suite's; both are valid, notes §5.1);
 * - break reasons and abort reasons are our own text (`<desc:error "…">` either way);
 * - GC messages depend on when each side collects: ours must report at least every
 *   position Endo reported, with the same wire delta (JS GC is forced where V8 allows).
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { decode, type SyrupRecord } from '../../src/syrup/index.js';
import { registerTestObjects } from '../../src/cli/test-objects.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { n } from './transcript-helpers.js';

const vectorUrl = (path: string): URL => new URL(`../../../shared/vectors/transcripts/${path}`, import.meta.url);
const index = JSON.parse(readFileSync(vectorUrl('index.json'), 'utf8'));

interface Line {
  dir: 'S>P' | 'P>S';
  bytes: Uint8Array;
  message: SyrupRecord;
}

/** The recorded messages of one connection, in the order the relay saw them. */
function lines(part: any): Line[] {
  const bins = {
    'S>P': new Uint8Array(readFileSync(vectorUrl(part.files.suite_to_peer))),
    'P>S': new Uint8Array(readFileSync(vectorUrl(part.files.peer_to_suite))),
  };
  const out: Line[] = [];
  for (const text of readFileSync(vectorUrl(part.files.text), 'utf8').split('\n')) {
    const m = /^\d+ (S>P|P>S) @(\d+)\+(\d+) /.exec(text);
    if (!m) continue;
    const dir = m[1] as Line['dir'];
    const bytes = bins[dir].subarray(Number(m[2]), Number(m[2]) + Number(m[3]));
    out.push({ dir, bytes, message: decode(bytes) as SyrupRecord });
  }
  return out;
}

const isGc = (m: SyrupRecord): boolean => m.labelName!.startsWith('op:gc-');

/** Our own text for reasons: compare their shape, not their words. */
function normalize(notation: string): string {
  return notation.replace(/<desc:error "(?:[^"\\]|\\.)*">/g, '<desc:error …>').replace(/^<op:abort "(?:[^"\\]|\\.)*">$/, '<op:abort …>');
}

/** GC deltas per position (exports) and released answers, from GC messages. */
function gcSummary(messages: SyrupRecord[]): { exports: Record<number, number>; answers: number[] } {
  const exports: Record<number, number> = {};
  const answers: number[] = [];
  for (const m of messages) {
    const [ps, ds] = m.fields.map((f) => (Array.isArray(f) ? f : [f])) as bigint[][];
    if (m.labelName!.startsWith('op:gc-export')) ps.forEach((p, k) => (exports[Number(p)] = (exports[Number(p)] ?? 0) + Number(ds[k])));
    else answers.push(...ps.map(Number));
  }
  return { exports, answers: answers.sort() };
}

function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}
const gc = exposeGc();

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** Replay the suite's side of `part` against a fresh node; returns what our node sent. */
async function replay(part: any): Promise<{ ours: SyrupRecord[]; ourGc: SyrupRecord[]; closed: boolean; endo: Line[] }> {
  // Over loopback tcp-testing-only: the suite's hello names that transport, and our node
  // refuses a claimed location whose transport differs from the connection's.
  const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ port: 0 })], profile: 'suite' });
  registerTestObjects(node);
  const dialer = createTcpTestingOnlyDialer();
  cleanup = async () => {
    await node.close();
    await dialer.close();
  };
  const peer = await RawPeer.dial(dialer, node.location);
  const recorded = lines(part);
  const endo = recorded.filter((l) => l.dir === 'P>S');
  const ours: SyrupRecord[] = [];
  const ourGc: SyrupRecord[] = [];
  // Our hello comes first, unprompted.
  const hello = await peer.next();
  expect(hello.labelName).toBe('op:start-session');
  ours.push(hello);
  /** Read our next non-GC message, keeping GC ones aside. */
  const nextNonGc = async (): Promise<SyrupRecord> => {
    for (;;) {
      const m = await peer.next();
      if (isGc(m)) ourGc.push(m);
      else return m;
    }
  };
  // The suite's closing <op:abort "session closed"> waits until GC has been compared.
  const sent = recorded.filter((l) => l.dir === 'S>P');
  const last = sent[sent.length - 1];
  const finalAbort = sent.length > 1 && last.message.labelName === 'op:abort' ? last : undefined;
  for (const l of recorded) {
    if (l === finalAbort) continue;
    if (l.dir === 'S>P') {
      if (peer.closed) break;
      peer.send(l.bytes);
      continue;
    }
    if (isGc(l.message) || l.message.labelName === 'op:start-session') continue;
    const m = await nextNonGc();
    ours.push(m);
    expect(normalize(n(m)), `reply to compare with Endo's ${n(l.message)}`).toBe(normalize(n(l.message)));
  }
  // GC: ours must cover what Endo reported (forcing JS GC where it depends on it).
  const endoGc = gcSummary(endo.map((l) => l.message).filter(isGc));
  const covered = () => {
    const g = gcSummary(ourGc);
    return Object.entries(endoGc.exports).every(([p, d]) => g.exports[Number(p)] === d) && endoGc.answers.every((a) => g.answers.includes(a));
  };
  for (let i = 0; i < 100 && !covered() && !peer.closed; i++) {
    gc?.();
    const m = await peer.next(20).catch(() => undefined);
    if (m && isGc(m)) ourGc.push(m);
    else if (m) ours.push(m);
  }
  if (Object.keys(endoGc.exports).length || endoGc.answers.length) {
    const g = gcSummary(ourGc);
    for (const [p, d] of Object.entries(endoGc.exports)) expect(g.exports[Number(p)], `gc-export delta for ${p}`).toBe(d);
    for (const a of endoGc.answers) expect(g.answers).toContain(a);
    // Same label form as Endo under the suite profile (singular).
    for (const m of ourGc) expect(m.labelName).toMatch(/^op:gc-(export|answer)$/);
  }
  if (finalAbort && !peer.closed) peer.send(finalAbort.bytes);
  const closed = await peer.waitClosed(500);
  return { ours, ourGc, closed, endo };
}

const SINGLE = [
  'op_delivers.OpDeliverOnlyTest.test_send_deliver_only',
  'op_delivers.OpDeliverTest.test_deliver_with_resolver',
  'op_delivers.OpDeliverTest.test_deliver_promise_pipeline',
  'op_delivers.OpDeliverTest.test_promise_pipeline_with_break',
  'op_gc.OpGcAnswerTest.test_gc_answer',
  'op_gc.OpGcExportTest.test_gc_export_emitted_single_object',
  'op_gc.OpGcExportTest.test_gc_export_with_multiple_refrences',
  'op_gc.OpGcExportTest.test_gc_export_with_multiple_refrences_in_different_messages',
  'op_listen.OpListenTest.test_op_listen_already_has_answer',
  'op_listen.OpListenTest.test_op_listen_to_promise_and_break',
  'op_listen.OpListenTest.test_op_listen_to_promise_and_fulfill',
  'op_start_session.OpStartSessionTest.test_captp_remote_version',
];
const part = (test: string, k = 1) => index.transcripts.find((t: any) => t.test === test && t.part === k);

describe('suite sessions replayed against our node (profile suite, the suite\'s objects)', () => {
  for (const test of SINGLE) {
    it(`${test}: our replies match Endo's, message for message`, async () => {
      const { ours, closed } = await replay(part(test));
      // The suite ends every session with <op:abort "session closed">: we close.
      expect(closed).toBe(true);
      expect(ours.every((m) => m.labelName !== 'op:abort')).toBe(true);
    });
  }

  it('test_abort_before_setup: an abort first leaves no usable session and no reply but our hello', async () => {
    const { ours, closed } = await replay(part('op_abort.OpAbortTest.test_abort_before_setup'));
    expect(ours.map((m) => m.labelName)).toEqual(['op:start-session']);
    expect(closed).toBe(true);
  });

  it('test_start_session_with_invalid_version: we send op:abort and close', async () => {
    const { ours, closed, endo } = await replay(part('op_start_session.OpStartSessionTest.test_start_session_with_invalid_version'));
    expect(endo.map((l) => n(l.message))).toEqual(['<op:abort "invalid-version">']);
    expect(ours.map(n)[1]).toBe('<op:abort "unsupported CapTP version \\"invalid-version-number\\" (we speak \\"1.0\\")">');
    expect(closed).toBe(true);
  });

  it('test_start_session_with_invalid_signature: we send op:abort and close', async () => {
    const { ours, closed, endo } = await replay(part('op_start_session.OpStartSessionTest.test_start_session_with_invalid_signature'));
    expect(endo.map((l) => n(l.message))).toEqual(['<op:abort "Invalid location signature">']);
    expect(ours.map(n)[1]).toBe('<op:abort "op:start-session location signature does not verify">');
    expect(closed).toBe(true);
  });
});
