/**
 * Goblins 0.18 against a node with NO profile option (the default, 'auto'): the recorded bytes
 * of shared/vectors/goblins (tcp-demo), as a whole node and as a session's detector see them.
 *
 * - The Goblins client's stream, replayed against a default node: from its first question on
 *   the node writes what Goblins reads (fire-and-forget as `op:deliver … f f`, plural GC, one
 *   position per message, errors as a String), never `op:deliver-only`, never `desc:error`.
 *   Nothing in a Goblins client's stream names Goblins (no error from it), so it stays `other`.
 * - The Goblins server's stream: its `<exn:fail:mystery>` identifies Goblins, and the session
 *   then writes the `goblins` preset (errors as a String).
 */
import { describe, expect, it } from 'vitest';
import { registerGoblinsServerObjects } from './goblins-objects.js';
import { OcapnNode, listenTcpTestingOnly, createTcpTestingOnlyDialer } from '../../src/index.js';
import { SyrupStreamReader } from '../../src/syrup/index.js';
import { decodeOp } from '../../src/captp/ops.js';
import { ProfileDetector } from '../../src/captp/detect.js';
import { AUTO, GOBLINS } from '../../src/captp/profile.js';
import type { CaptpSession } from '../../src/captp/session.js';
import { loadConnection, readBin, readJson, replay } from './replay.js';

const demo = readJson('goblins/index.json').captures.find((c: any) => c.name === 'tcp-demo');

describe('Goblins 0.18 (recorded) against a node with no profile option', () => {
  it('the client stream: the default node answers in Goblins forms (f f, plural GC, errors as Strings)', async () => {
    const messages = loadConnection(
      'goblins',
      demo.files.text,
      { tag: 'C>S', bin: demo.files.client_to_server, spans: demo.messages.client_to_server },
      { tag: 'S>C', bin: demo.files.server_to_client, spans: demo.messages.server_to_client },
    );
    const node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ port: 0 })] }); // no profile
    const client = createTcpTestingOnlyDialer();
    try {
      registerGoblinsServerObjects(node);
      const r = await replay(client, node.location, messages);
      expect(r.stalls).toBe(0);
      const [session] = node.sessions;
      expect(session.detector).toBeDefined();
      // What the wire told the detector: spec fire-and-forget and plural GC; no implementation.
      expect(session.detector!.forms).toEqual({ deliver: 'deliver-ff', gc: 'plural' });
      expect(session.detector!.identified).toBe('other');
      expect(session.profile).toMatchObject({ deliverOnly: false, gcLabels: 'plural', gcBatch: false, errorForm: 'string' });
      // Every answer is a fire-and-forget `op:deliver <resolver> ['fulfill|'break …] f f`.
      const answers = r.replies.filter((m) => /^<op:deliver <desc:export \d+> \['(fulfill|break) /.test(m));
      expect(answers.length).toBe(17); // and one call: the greeter calling back
      for (const m of answers) expect(m).toMatch(/ f f>$/);
      expect(r.all.filter((m) => m.startsWith('<op:deliver-only'))).toEqual([]);
      // The unknown swiss number breaks with a String (Goblins reads any String), not desc:error.
      expect(r.replies).toContain(`<op:deliver <desc:export 18> ['break "Error: no object registered under that swiss number"] f f>`);
      expect(r.all.filter((m) => m.includes('desc:error') || m.includes('exn:'))).toEqual([]);
      // GC as Goblins writes it: plural labels, one position per message.
      expect(r.gc.length).toBeGreaterThan(0);
      for (const g of r.gc) expect(g).toMatch(/^<op:gc-exports \[\d+\] \[1\]>$|^<op:gc-answers \[\d+\]>$/);
    } finally {
      await node.close();
      await client.close();
    }
  });

  it('the server stream: <exn:fail:mystery> identifies Goblins, and the session writes the goblins preset', () => {
    const reader = new SyrupStreamReader({ dictOrder: 'canonical-or-js' });
    const s = { profile: AUTO, gc: { flush() {} }, connection: { outgoing: true }, peerLocation: undefined } as unknown as CaptpSession;
    const d = new ProfileDetector();
    const seen: string[] = [];
    for (const m of reader.push(readBin(`goblins/${demo.files.server_to_client}`))) {
      const op = decodeOp(m);
      if (op.op === 'op:start-session' || op.op === 'op:abort') continue;
      d.observe(s, op, m);
      seen.push(d.identified);
    }
    expect(seen.at(-2)).toBe('other'); // before the break: spec forms only
    expect(seen.at(-1)).toBe('goblins');
    expect(s.profile).toBe(GOBLINS);
    expect(s.profile.errorForm).toBe('string');
    expect(d.conflicts).toBe(0);
  });
});
