/**
 * The README's CLI example (the block after `<!-- cli-example -->`) runs as written: each
 * `npx ocapn …` line runs in `sh` as a real process (with `npx ocapn` standing for the built
 * dist/cli/main.js, and the example's port replaced by a free one, so parallel runs do not
 * collide), and what it prints must be exactly the `# …` lines that follow it. A line ending
 * in `&` runs in the background until it prints `READY`; `kill %1` stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt } from '../helpers/built.js';

interface Step {
  readonly command: string;
  readonly expected: string[];
}

/** The fenced block after the marker comment, as commands with the output lines that follow each. */
function exampleSteps(readme: string): Step[] {
  const at = readme.indexOf('<!-- cli-example');
  expect(at, 'README has a <!-- cli-example --> block').toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  const steps: { command: string; expected: string[] }[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('# ')) steps.at(-1)!.expected.push(line.slice(2));
    else if (line.trim() !== '') steps.push({ command: line, expected: [] });
  }
  return steps;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const shell = (command: string) => spawn('sh', ['-c', command], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

/** Run `command` in the background; resolve with its stdout lines up to `READY`. */
function background(command: string, timeoutMs = 60_000): Promise<{ child: ChildProcess; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const child = shell(`exec ${command}`);
    const lines: string[] = [];
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const timer = setTimeout(() => reject(new Error(`no READY within ${timeoutMs} ms: ${err}`)), timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line === 'READY') {
        clearTimeout(timer);
        resolve({ child, lines });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before READY: ${err}`));
    });
  });
}

function foreground(command: string, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = shell(command);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("the README's CLI example", () => {
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const c of running) if (c.exitCode === null) c.kill('SIGTERM');
  });

  it('runs as written and prints what the README says', async () => {
    ensureBuilt();
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const port = String(await freePort());
    const steps = exampleSteps(readme.replaceAll('22045', port));
    expect(steps.map((s) => s.command.split(' ').slice(0, 3).join(' '))).toEqual([
      'npx ocapn test-peer',
      'npx ocapn call',
      'npx ocapn call',
      'npx ocapn call',
      'kill %1',
    ]);
    for (const step of steps) {
      if (step.command === 'kill %1') {
        running.pop()!.kill('SIGTERM');
        continue;
      }
      expect(step.command.startsWith('npx ocapn ')).toBe(true);
      const command = step.command.replace(/^npx ocapn /, `'${process.execPath}' '${CLI}' `);
      if (/&\s*(#.*)?$/.test(command)) {
        const { child, lines } = await background(command.replace(/&\s*(#.*)?$/, ''));
        running.push(child);
        expect(lines, step.command).toEqual(step.expected);
      } else {
        const r = await foreground(command);
        expect(r.stderr, step.command).toBe('');
        expect(r.code, step.command).toBe(0);
        expect(r.stdout.split('\n').slice(0, -1), step.command).toEqual(step.expected);
      }
    }
    expect(running).toHaveLength(0);
  }, 180_000);
});
