/**
 * A third-party handoff among three OS processes over tcp-testing-only on 127.0.0.1, using the
 * BUILT package (dist/). A (gifter) enlivens C's Carol and B's Bob and hands Carol to Bob; the
 * printed wire lines show Bob's call to Carol travelling on the B–C session, not through A.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/handoff-node.mjs', import.meta.url));
const DIST_INDEX = join(ROOT, 'dist', 'index.js');

/** Newest modification time (ms) of any .ts file under `dir`. */
function newestTs(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestTs(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Build dist/ unless it is present and newer than every source file. */
function ensureBuilt(): void {
  if (existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= newestTs(join(ROOT, 'src'))) return;
  // tsc still emits when someone else's in-progress file has a type error; we only need dist/.
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
  if (!existsSync(DIST_INDEX)) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

const procs: Proc[] = [];

function start(name: string, args: string[]): Proc {
  const child = spawn(process.execPath, [FIXTURE, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buf += chunk;
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean).map((l) => `STDERR ${l}`)));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const p = { name, child, lines, exited };
  procs.push(p);
  return p;
}

/** The first line starting with `prefix`, waiting up to `ms`. */
async function lineStarting(p: Proc, prefix: string, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = p.lines.find((l) => l.startsWith(prefix));
    if (hit) return hit;
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode}) before printing ${prefix}:\n${p.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`${p.name} printed no ${prefix} within ${ms} ms:\n${p.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stopAll(): Promise<void> {
  await Promise.all(
    procs.splice(0).map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      p.child.kill('SIGTERM');
      const t = setTimeout(() => p.child.kill('SIGKILL'), 3000);
      await p.exited;
      clearTimeout(t);
    }),
  );
}

beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => stopAll(), 20_000);

describe('three processes over tcp-testing-only (built package)', () => {
  it('A hands C’s Carol to B; B’s call to Carol goes over B–C', async () => {
    const C = start('C', ['carol']);
    const B = start('B', ['bob']);
    const carolUri = (await lineStarting(C, 'URI ')).slice(4);
    const bobUri = (await lineStarting(B, 'URI ')).slice(4);
    expect(carolUri).toMatch(/^ocapn:\/\/handoff-test-carol\.tcp-testing-only\/s\/.+host=127\.0\.0\.1/);
    expect(bobUri).toMatch(/^ocapn:\/\/handoff-test-bob\.tcp-testing-only\//);

    const A = start('A', ['alice', carolUri, bobUri]);
    const code = await Promise.race([A.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    const transcript = () => [...A.lines, ...B.lines, ...C.lines].join('\n');
    expect(code, transcript()).toBe(0);
    expect(A.lines).toContain('RESULT carol-to-alice "hello node A, I am Carol"');
    expect(A.lines).toContain('RESULT bob-called-carol "hello node B, I am Carol"');
    expect(A.lines).toContain('RESULT bob-called-carol-again "hello node B, I am Carol"');
    // Give C a moment to print the last messages it received.
    await new Promise((r) => setTimeout(r, 200));

    // "WIRE <me> <dir> <peer> <session-id prefix> <notation>"
    const entries = (p: Proc, dir: 'in' | 'out', peer: string) =>
      p.lines.filter((l) => l.startsWith(`WIRE ${p.name} ${dir} handoff-test-${peer} `)).map((l) => {
        const f = l.split(' ');
        return { sid: f[4], message: f.slice(5).join(' ') };
      });
    const wire = (p: Proc, dir: 'in' | 'out', peer: string) => entries(p, dir, peer).map((e) => e.message);
    const helloFromB = /^<op:deliver <desc:(answer|export) \d+> \['hello "node B"\] /;

    // A deposits the gift on A–C and sends B a signed give on A–B.
    expect(wire(A, 'out', 'carol').filter((m) => m.includes("['deposit-gift ")).length).toBe(2);
    expect(wire(A, 'out', 'bob').filter((m) => m.includes('<desc:sig-envelope <desc:handoff-give ')).length).toBe(2);
    // B withdraws from C on B–C, then calls Carol there.
    expect(wire(B, 'out', 'carol').filter((m) => m.includes("['withdraw-gift <desc:sig-envelope <desc:handoff-receive ")).length).toBe(2);
    expect(wire(B, 'out', 'carol').filter((m) => helloFromB.test(m)).length, transcript()).toBe(2);
    expect(wire(C, 'in', 'bob').filter((m) => helloFromB.test(m)).length, transcript()).toBe(2);
    expect(wire(C, 'out', 'bob').filter((m) => m.includes(`['fulfill "hello node B, I am Carol"]`)).length).toBe(2);
    // ... and not through A: A never sends "node B"'s hello, C never gets it from A.
    expect(A.lines.some((l) => l.includes('\'hello "node B"'))).toBe(false);
    expect(wire(C, 'in', 'alice').some((m) => m.includes('"node B"'))).toBe(false);
    // Every message between B and C travels on one session, which both ends name alike, and
    // which is neither A–B nor A–C.
    const sids = (p: Proc, dir: 'in' | 'out', peer: string) => new Set(entries(p, dir, peer).map((e) => e.sid));
    const bc = [...sids(B, 'out', 'carol')];
    expect(bc).toHaveLength(1);
    expect(bc[0]).toMatch(/^[0-9a-f]{16}$/);
    expect([...sids(C, 'in', 'bob')]).toEqual(bc);
    expect([...sids(C, 'out', 'bob')]).toEqual(bc);
    expect([...sids(A, 'out', 'bob'), ...sids(A, 'out', 'carol')]).not.toContain(bc[0]);
    expect([...sids(A, 'out', 'bob')]).toEqual([...sids(B, 'in', 'alice')]);
  }, 60_000);
});
