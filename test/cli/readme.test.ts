/**
 * The CLI examples of README.md and docs/cli.md (the block after `<!-- cli-example -->` in
 * each) run as written: each `npx ocapn …` (or `ocapn …`) line runs in `sh` as a real
 * process, after the block's `NAME='…'` assignments (with `npx ocapn` standing for the built
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

/**
 * The fenced block after the marker comment, as commands with the output lines that follow
 * each; `NAME='…'` lines are shell assignments kept for the commands after them.
 */
function exampleSteps(doc: string): Step[] {
  const at = doc.indexOf('<!-- cli-example');
  expect(at, 'a <!-- cli-example --> block').toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at))![1]!;
  const steps: { command: string; expected: string[] }[] = [];
  let assignments = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('# ')) steps.at(-1)!.expected.push(line.slice(2));
    else if (/^[A-Z]+=/.test(line)) assignments += `${line}\n`;
    else if (line.trim() !== '') steps.push({ command: line.startsWith('kill ') ? line : assignments + line, expected: [] });
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

/** Runs the steps; `npx ocapn` or `ocapn` at the start of a command is the built CLI. */
async function runSteps(steps: Step[], running: ChildProcess[]): Promise<void> {
  const cli = `'${process.execPath}' '${CLI}' `;
  for (const step of steps) {
    if (step.command === 'kill %1') {
      running.pop()!.kill('SIGTERM');
      continue;
    }
    const command = step.command.replace(/^(npx )?ocapn /m, cli);
    expect(command, step.command).toContain(cli);
    if (/&\s*(#.*)?$/.test(command)) {
      const { child, lines } = await background(command.replace(/&\s*(#.*)?$/, ''));
      running.push(child);
      if (step.expected.length > 0) expect(lines, step.command).toEqual(step.expected);
      expect(lines.at(-1)).toBe('READY');
    } else {
      const r = await foreground(command);
      expect(r.stderr, step.command).toBe('');
      expect(r.code, step.command).toBe(0);
      expect(r.stdout.split('\n').slice(0, -1), step.command).toEqual(step.expected);
    }
  }
  expect(running).toHaveLength(0);
}

const firstWords = (steps: Step[]) => steps.map((s) => s.command.split('\n').at(-1)!.replace(/^npx /, '').split(' ').slice(0, 2).join(' '));

describe('the CLI examples of the README and docs/cli.md', () => {
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const c of running) if (c.exitCode === null) c.kill('SIGTERM');
  });

  it("README: runs as written and prints what the README says", async () => {
    ensureBuilt();
    const port = String(await freePort());
    const steps = exampleSteps(readFileSync(join(ROOT, 'README.md'), 'utf8').replaceAll('22045', port));
    expect(firstWords(steps)).toEqual(['ocapn test-peer', 'ocapn call', 'ocapn call', 'ocapn call', 'kill %1']);
    expect(steps[0]!.expected).toHaveLength(8);
    await runSteps(steps, running);
  }, 180_000);

  it('docs/cli.md: the ocapn call examples run as written', async () => {
    ensureBuilt();
    const port = String(await freePort());
    const steps = exampleSteps(readFileSync(join(ROOT, 'docs/cli.md'), 'utf8').replaceAll('22045', port));
    expect(firstWords(steps)).toEqual(['ocapn test-peer', 'ocapn call', 'ocapn call', 'ocapn call', 'ocapn call', 'ocapn call', 'kill %1']);
    await runSteps(steps, running);
  }, 180_000);
});
