// The main demo: four OS processes over WebSocket on 127.0.0.1.
//   counter, carol and bob each host a service; alice enlivens their sturdyref URIs, calls,
//   pipelines, and hands Carol to Bob (Bob then talks to Carol directly, B–C).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const children = [];

function startPeer(role) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here('./demo-peer.mjs'), role], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const timer = setTimeout(() => reject(new Error(`${role} did not start`)), 15_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('URI ')) {
        clearTimeout(timer);
        console.log(`[demo] ${role} (pid ${child.pid}) exports ${line.slice(4)}`);
        resolve(line.slice(4));
      } else console.log(line);
    });
    child.on('exit', (code) => code && reject(new Error(`${role} exited with ${code}`)));
  });
}

let failed = false;
try {
  const [counter, carol, bob] = await Promise.all(['counter', 'carol', 'bob'].map(startPeer));
  const client = spawn(process.execPath, [here('./demo-client.mjs'), counter, carol, bob], { stdio: 'inherit' });
  const code = await new Promise((res) => client.on('exit', res));
  if (code !== 0) throw new Error(`client exited with ${code}`);
  console.log('[demo] all steps completed');
} catch (e) {
  failed = true;
  console.error(`[demo] failed: ${e.message}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
}
process.exitCode = failed ? 1 : 0;
