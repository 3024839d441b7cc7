// A service that survives a restart with the same sturdyref (docs/persistence.md).
//   npm run build && node examples/restartable/run.mjs
// 1. starts the service (examples/restartable/service.mjs) with a fresh state directory;
// 2. a client process calls it through the URI the service printed;
// 3. kills the service (SIGKILL: no goodbye) and starts it again on the same state;
// 4. the service prints the same URI, and a new client process calls it through that URI again.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const stateDir = mkdtempSync(join(tmpdir(), 'ocapn-restartable-'));
let service;

/** A free port on 127.0.0.1 (the service keeps it across restarts: it is in the URI). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the service; resolves with its URI once printed. */
function startService(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here('./service.mjs'), stateDir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    service = child;
    const timer = setTimeout(() => reject(new Error('the service did not print its URI within 15 s')), 15_000);
    child.once('exit', (code, signal) => reject(new Error(`the service exited early (${code ?? signal})`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      console.log(`[service] ${line}`);
      if (line.startsWith('URI ')) {
        clearTimeout(timer);
        resolve(line.slice(4));
      }
    });
  });
}

/** Runs a client process; resolves with its answer line. */
function runClient(uri, name) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here('./client.mjs'), uri, name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      for (const line of out.trim().split('\n')) console.log(`[client] ${line}`);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`the client exited with ${code}`));
    });
  });
}

function kill(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

let ok = false;
try {
  const port = await freePort();
  const first = await startService(port);
  await runClient(first, 'alice');
  console.log('[run] killing the service (SIGKILL) and starting it again on the same state…');
  await kill(service);
  const second = await startService(port);
  if (second !== first) throw new Error(`the URI changed across the restart:\n  ${first}\n  ${second}`);
  console.log('[run] same URI after the restart');
  await runClient(first, 'bob');
  ok = true;
  console.log('[run] OK: the sturdyref from before the restart still works');
} catch (e) {
  console.error(`[run] FAILED: ${e.message}`);
} finally {
  if (service && service.exitCode === null && service.signalCode === null) await kill(service);
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
