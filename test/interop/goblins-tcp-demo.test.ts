/**
 * Replays the client side of a real Goblins 0.18 session (shared/vectors/goblins/tcp-demo)
 * byte for byte against our OcapnNode (default profile: auto), hosting objects that behave
 * like the Goblins server's, and compares every non-GC message our node sends with what the
 * Goblins server sent.
 */
import { describe, it, expect } from 'vitest';
import { registerGoblinsServerObjects } from './goblins-objects.js';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import type { Netlayer } from '../../src/netlayers/interface.js';
import { loadConnection, readBin, readJson, replay } from './replay.js';

const demo = readJson('goblins/index.json').captures.find((c: any) => c.name === 'tcp-demo');
const messages = loadConnection(
  'goblins',
  demo.files.text,
  { tag: 'C>S', bin: demo.files.client_to_server, spans: demo.messages.client_to_server },
  { tag: 'S>C', bin: demo.files.server_to_client, spans: demo.messages.server_to_client },
);


const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Our start of a session, the same as Goblins' apart from the key, location and signature. */
const START = /^<op:start-session "1\.0" \['public-key \['ecc \['curve 'Ed25519\] \['flags 'eddsa\] \['q :[0-9a-f]{64}\]\]\] <ocapn-peer '\S+ "[^"]+" [^>]*> \['sig-val \['eddsa \['r :[0-9a-f]{64}\] \['s :[0-9a-f]{64}\]\]\]>$/;

/**
 * GC we send on our own, whatever the JS garbage collector does: each of the client's
 * resolvers is released as soon as we have fulfilled or broken it (client exports 1–9 and
 * 11–18), and answer 0 (our callback's question) once the client answered it. Goblins sent
 * these only after its (gc) and never released answer 0 in this capture.
 */
const OUR_EAGER_GC = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18].map((p) => `<op:gc-exports [${p}] [1]>`),
  '<op:gc-answers [0]>',
];

// Over real tcp-testing-only only: the recorded op:start-session claims a tcp-testing-only
// location, and a node refuses a claim of another transport than the connection's.
async function run(): Promise<void> {
  const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ port: 0 })] });
  const client: Netlayer = createTcpTestingOnlyDialer();
  try {
    registerGoblinsServerObjects(node);
    const r = await replay(client, node.location, messages);
    expect(r.stalls).toBe(0);
    // Every non-GC message after op:start-session: the same bytes Goblins' server sent.
    // Except the unknown-swiss break: a String with name and message where Goblins sends
    // <exn:fail:mystery> (Goblins accepts any String as a break reason).
    const mystery = r.recorded.findIndex((m) => m.includes('<exn:fail:mystery>'));
    expect(mystery).toBeGreaterThan(0);
    expect(r.replies).toEqual(r.recorded.map((m) => m.replace('<exn:fail:mystery>', '"Error: no object registered under that swiss number"')));
    const others = <T,>(xs: T[]) => xs.filter((_, i) => i !== mystery);
    expect(others(r.replyBytes).map(hex)).toEqual(others(r.recordedBytes).map(hex));
    expect(r.all[0]).toMatch(START);
    // GC as Goblins writes it (plural labels, one position per message).
    for (const g of r.gc) expect(g).toMatch(/^<op:gc-exports \[\d+\] \[1\]>$|^<op:gc-answers \[\d+\]>$/);
    expect(r.gc).toEqual(expect.arrayContaining(OUR_EAGER_GC));
    // Only the client's callback object (its export 10) may also be released, by JS GC.
    expect(r.gc.filter((g) => !OUR_EAGER_GC.includes(g))).toEqual(r.gc.includes('<op:gc-exports [10] [1]>') ? ['<op:gc-exports [10] [1]>'] : []);
    // The client's op:gc-* (all sent) released what they name, and the session lives on.
    expect(r.closed).toBe(false);
    const [session] = node.sessions;
    expect(session.isActive).toBe(true);
    // The default profile ('auto') told Goblins from the suite by its first question.
    expect(session.detector?.identified).toBe('other');
    for (const pos of [7, 9, 10, 11, 12]) expect(session.exports.has(pos)).toBe(false);
    for (const pos of [1, 2, 3, 4, 5, 6, 8]) expect(session.exports.has(pos)).toBe(true);
    expect([...Array(15).keys()].filter((pos) => session.answers.has(pos))).toEqual([0]);
  } finally {
    await node.close();
    await client.close();
  }
}

describe('Goblins 0.18 tcp-demo client replayed against our node', () => {
  it('the replay really is the recorded client stream, in the recorded order', () => {
    const sent = messages.filter((m) => m.side === 'replayed');
    expect(sent.length).toBe(40);
    expect(hex(Buffer.concat(sent.map((m) => m.bytes)))).toBe(hex(readBin(`goblins/${demo.files.client_to_server}`)));
    expect(messages.filter((m) => m.side === 'responder' && !m.label.startsWith('op:gc-')).length).toBe(19);
    expect(messages.find((m) => m.line === 49)!.notation).toBe("<op:deliver <desc:export 18> ['break <exn:fail:mystery>] f f>");
  });


  it('over tcp-testing-only (raw framing): every non-GC reply is byte-identical to the Goblins server', () => run());
});
