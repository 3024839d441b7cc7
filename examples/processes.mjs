// Helpers for the examples' run.mjs scripts: start each part as its own Node process, pass
// the sturdyref URIs it prints on to the next, forward its output, stop everything at the end.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const children = new Set();

/**
 * Start `node file ...args`; forward its stdout lines (except `URI …`) and stderr; resolve
 * with the process and the text of its first `URI <uri>` line.
 */
export function start(file, args = [], { timeoutMs = 30_000, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    const exited = new Promise((res) => child.on('exit', (code, signal) => res(code ?? signal)));
    child.exited = exited;
    const timer = setTimeout(() => reject(new Error(`${file} printed no URI within ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('URI ')) {
        clearTimeout(timer);
        resolve({ child, uri: line.slice(4) });
      } else {
        console.log(line);
        onLine?.(line);
      }
    });
    exited.then((code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${file} exited (${code}) before printing its URI`));
    });
  });
}

/** Run `node file ...args` to its end, forwarding its output; resolve with its exit code. */
export function runToEnd(file, args = []) {
  const child = spawn(process.execPath, [file, ...args], { stdio: 'inherit' });
  children.add(child);
  return new Promise((resolve) => child.on('exit', (code) => (children.delete(child), resolve(code))));
}

/** Ask every process still running to stop (SIGTERM), and wait until they have. */
export async function stopAll() {
  const left = [...children];
  for (const c of left) c.kill('SIGTERM');
  await Promise.all(left.map((c) => c.exited ?? new Promise((res) => c.on('exit', res))));
}

/** Run `main`; print `[run] failed: …` and exit 1 on an error; stop every child either way. */
export async function main(name, body) {
  let failed = false;
  try {
    await body();
  } catch (e) {
    failed = true;
    console.error(`[${name}] failed: ${e.message}`);
  } finally {
    await stopAll();
  }
  process.exitCode = failed ? 1 : 0;
}
