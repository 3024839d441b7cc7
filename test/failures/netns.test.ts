/**
 * A real network that fails (issue 8): three node processes (the BUILT package) in three
 * Linux network namespaces joined by veth links (topology in test/helpers/netns.ts). Over
 * tcp-testing-only and over websocket: A holds Carol (on C) and hands her to Bob (on B);
 * then the A–C link is cut with `ip link set ca down` on C's side (no process dies, no FIN,
 * no RST: a half-open connection) while calls on every link are pending. Exactly the calls
 * that need A–C break, with the liveness reason, within timeoutMs + timeoutMs/4 (+ slack);
 * calls over A–B and B–C go on. Then the link comes back and enlivening Carol's sturdyref
 * again opens a fresh session.
 *
 * Needs root and iproute2 (CI runs as root; .ci/run installs iproute2 if missing); skipped
 * otherwise, with the reason printed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { ensureBuilt } from '../helpers/built.js';
import { LineProcess } from '../helpers/line-process.js';
import { HOME, Triangle, netnsUnavailable, type Side } from '../helpers/netns.js';
import { fileURLToPath } from 'node:url';

const PARTY = fileURLToPath(new URL('./fixtures/party.mjs', import.meta.url));
/** The child nodes' liveness timeout. */
const LIVENESS_MS = 2000;
/** What the spec of liveness promises (timeout plus one probe interval), plus slack for a busy machine. */
const BOUND_MS = LIVENESS_MS + LIVENESS_MS / 4 + 1500;
/** How long the calls over the links that stay up take: well past the detection. */
const SLOW_MS = 5000;

const unavailable = netnsUnavailable();
if (unavailable) console.log(`test/failures/netns.test.ts skipped: ${unavailable}`);

const triangle = new Triangle();
const procs: LineProcess[] = [];
// Last resort if the worker exits without running afterAll.
const onExit = () => triangle.cleanup();

function party(side: Side, role: string, whileIdle: boolean): LineProcess {
  const config = JSON.stringify({ role, host: HOME[side], livenessMs: LIVENESS_MS, whileIdle });
  const p = new LineProcess(role, 'ip', ['netns', 'exec', triangle.names[side], process.execPath, PARTY, config]);
  procs.push(p);
  return p;
}

const field = (line: string, i: number): string => line.split(' ')[i];
/** The epoch ms in a SETTLED/BROKEN/CLOSE line (its 4th, 3rd or 4th field). */
const settledAt = (line: string): number => Number(field(line, 3));

describe.skipIf(unavailable !== undefined)('three processes in network namespaces; one link cut', () => {
  beforeAll(() => {
    ensureBuilt();
    process.on('exit', onExit);
    triangle.setup();
  }, 180_000);
  afterAll(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    triangle.cleanup();
    process.off('exit', onExit);
  }, 30_000);

  for (const transport of ['tcp-testing-only', 'websocket'] as const) {
    it(`${transport}: only the calls over the cut link break, with the liveness reason, in time; after the link is back a fresh session works`, async () => {
      const carol = party('c', 'carol', true);
      const bob = party('b', 'bob', true);
      const alice = party('a', 'alice', false);
      const uri = async (p: LineProcess) => field(await p.waitLine(new RegExp(`^URI ${transport} `)), 2);
      const me = async (p: LineProcess) => field(await p.waitLine(new RegExp(`^ME ${transport} `)), 2);
      const [carolUri, bobUri, aliceName, bobName] = await Promise.all([uri(carol), uri(bob), me(alice), me(bob)]);
      const transcript = () => [alice, bob, carol].map((p) => `--- ${p.name}\n${p.lines.join('\n')}`).join('\n');
      const settled = (id: string, ms = 15_000) => alice.waitLine(new RegExp(`^SETTLED ${id} `), ms);
      const result = async (id: string) => (await settled(id)).split(' ').slice(2).filter((_, i) => i !== 1).join(' ');

      // A enlivens Carol (A–C) and Bob (A–B), and hands Carol to Bob: Bob's call goes on B–C.
      alice.send(`enliven carol ${carolUri}`);
      const firstSession = field(await alice.waitLine(/^(ENLIVENED|FAILED) carol /), 2);
      expect(firstSession, transcript()).toMatch(/^[0-9a-f]{16}$/);
      alice.send(`enliven bob ${bobUri}`);
      await alice.waitLine(/^ENLIVENED bob [0-9a-f]{16}$/);
      alice.send('call hello carol hello ["node A"]');
      expect(await result('hello')).toBe('ok "hello node A, I am Carol"');
      alice.send('call handoff bob keep ["@carol"]');
      expect(await result('handoff'), transcript()).toBe('ok "hello node B, I am Carol"');
      await carol.waitLine(new RegExp(`^OPEN ${transport} ${bobName} `));
      alice.send('broken carol');
      alice.send('broken bob');

      // Pending: two calls over A–C, two over A–B (one of which waits on B–C).
      alice.send('call hang carol hang []');
      alice.send(`call carolSlow carol slow [${SLOW_MS * 10}]`);
      alice.send(`call bobSlow bob slow [${SLOW_MS}]`);
      alice.send(`call viaBC bob callKeptSlow [${SLOW_MS}]`);
      await new Promise((r) => setTimeout(r, 300));
      expect(alice.lines.filter((l) => l.startsWith('SETTLED ')).length, transcript()).toBe(2);

      const cutAt = Date.now();
      triangle.linkDown('c', 'ca');
      const hang = await settled('hang', BOUND_MS + 5000);
      const carolSlow = await settled('carolSlow', BOUND_MS + 5000);
      const aliceNoticed = settledAt(hang) - cutAt;
      for (const line of [hang, carolSlow]) {
        expect(line, transcript()).toMatch(/ err \d+ SessionClosedError: peer sent nothing for \d+ ms and did not answer a liveness probe \(timeout 2000 ms\)$/);
      }
      expect(field(await alice.waitLine(/^BROKEN carol /), 3)).toBe('peer');
      expect(aliceNoticed, transcript()).toBeLessThan(BOUND_MS);
      expect(aliceNoticed).toBeGreaterThan(LIVENESS_MS / 2);

      // A–B and B–C still work, during the cut: new calls, and the calls pending since before it.
      alice.send('call bobHello bob hello ["during the cut"]');
      expect(await result('bobHello')).toBe('ok "hello during the cut, I am Bob"');
      alice.send('call bobCallsCarol bob callKept []');
      expect(await result('bobCallsCarol')).toBe('ok "hello node B again, I am Carol"');
      expect(await result('bobSlow')).toBe('ok "bob slow done"');
      expect(await result('viaBC')).toBe('ok "carol slow done"');
      expect(settledAt(await settled('viaBC'))).toBeGreaterThan(settledAt(hang));
      expect(alice.lines.some((l) => l.startsWith('BROKEN bob'))).toBe(false);
      expect(alice.lines.filter((l) => / err /.test(l) && l.startsWith('SETTLED '))).toEqual([hang, carolSlow]);

      // C watches idle sessions too (whileIdle): it drops its end of A–C on its own.
      const carolClose = await carol.waitLine(new RegExp(`^CLOSE ${transport} ${aliceName} `), BOUND_MS + 5000);
      const carolNoticed = settledAt(carolClose) - cutAt;
      expect(carolClose).toMatch(/liveness probe/);
      expect(carol.lines.some((l) => l.startsWith(`CLOSE ${transport} ${bobName} `))).toBe(false);

      // The link comes back: enlivening the same sturdyref opens a fresh A–C session.
      triangle.linkUp('c', 'ca');
      alice.send(`enliven carol2 ${carolUri}`);
      const again = await alice.waitLine(/^(ENLIVENED|FAILED) carol2 /);
      expect(again, transcript()).toMatch(/^ENLIVENED carol2 [0-9a-f]{16}$/);
      expect(field(again, 2)).not.toBe(firstSession);
      alice.send('call helloAgain carol2 hello ["node A, again"]');
      expect(await result('helloAgain')).toBe('ok "hello node A, again, I am Carol"');

      console.log(`[netns ${transport}] A–C link down (ip link set ca down on C): A's pending calls broke after ${aliceNoticed} ms, C closed its end after ${carolNoticed} ms (liveness timeoutMs ${LIVENESS_MS}, bound ${LIVENESS_MS + LIVENESS_MS / 4} ms + slack)`);
      await Promise.all(procs.splice(0).map((p) => p.stop()));
    }, 60_000);
  }
});
