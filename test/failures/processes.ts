/** Child processes for the failure tests: start a server script, read its lines, kill it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../helpers/built.js';

export const SERVER = fileURLToPath(new URL('./fixtures/restartable-server.mjs', import.meta.url));

export interface Proc {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<void>;
}

const running = new Set<Proc>();

/** Start `node script args…` and collect its output lines (stderr ones prefixed `STDERR`). */
export function start(script: string, args: string[]): Proc {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
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
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const p = { child, lines, exited };
  running.add(p);
  void exited.then(() => running.delete(p));
  return p;
}

/** The first line starting with `prefix`, waiting up to `ms`. */
export async function lineStarting(p: Proc, prefix: string, ms = 15_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = p.lines.find((l) => l.startsWith(prefix));
    if (hit) return hit;
    if (p.child.exitCode !== null) throw new Error(`exited (${p.child.exitCode}) before printing ${prefix}:\n${p.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`printed no ${prefix} within ${ms} ms:\n${p.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** How many lines equal `line`. */
export function count(p: Proc, line: string): number {
  return p.lines.filter((l) => l === line).length;
}

/** SIGKILL `p` and wait until it is gone. */
export async function kill(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await p.exited;
}

/** Kill every process still running. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map((p) => kill(p)));
}
