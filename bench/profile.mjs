// `npm run bench:profile [-- --calls=N] [-- --transport=ws]`: CPU profiles of the echo path
// (node --cpu-prof), client and server in separate processes over 127.0.0.1, then the
// functions with the most self time in each, and the share per source file.
// Profiles are written to bench/profiles/ (open them in Chrome DevTools for the call trees).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const CALLS = Number(args.find((a) => a.startsWith('--calls='))?.slice(8) ?? 100_000);
const WS = args.includes('--transport=ws');
const dir = fileURLToPath(new URL('profiles/', import.meta.url));
const role = args.find((a) => a.startsWith('--role='))?.slice(7);

if (role === 'client') {
  const { ocapnClient } = await import('./lib/clients.mjs');
  const { throughput } = await import('./lib/measure.mjs');
  const client = await ocapnClient(args.find((a) => a.startsWith('--uri='))?.slice(6), WS ? 'ws' : 'tcp');
  const rate = await throughput((i) => client.call(i), CALLS, 200);
  console.log(`client: ${CALLS} calls at window 200: ${Math.round(rate)} calls/s`);
  await client.close();
} else {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const prof = (name) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
  const server = spawn(process.execPath, [...prof('server'), fileURLToPath(new URL('lib/servers.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = JSON.parse(await new Promise((resolve) => server.stdout.once('data', (d) => resolve(String(d).split('\n')[0]))));
  const client = spawn(process.execPath, [...prof('client'), fileURLToPath(import.meta.url), '--role=client', `--calls=${CALLS}`, `--uri=${WS ? info.wsUri : info.tcpUri}`, ...(WS ? ['--transport=ws'] : [])], { stdio: 'inherit' });
  await new Promise((resolve) => client.once('exit', resolve));
  server.stdin.end();
  await new Promise((resolve) => server.once('exit', resolve));
  for (const f of readdirSync(dir)) summarize(f.replace('.cpuprofile', ''), JSON.parse(readFileSync(dir + f, 'utf8')));
}

/** Prints the top functions by self time, and self time per file. */
function summarize(name, p) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  let total = 0;
  const files = new Map();
  for (const [id, us] of dt) {
    const n = byId.get(id);
    const f = n.callFrame;
    const file = f.url ? f.url.replace(/^.*\/(dist|node_modules)\//, '$1/') : `(${f.functionName || 'native'})`;
    const key = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
    total += us;
  }
  const top = (m, k) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
  console.log(`\n== ${name}: ${(total / 1e6).toFixed(2)} s sampled`);
  for (const [key, us] of top(self, 25)) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
  console.log('  -- by file');
  for (const [file, us] of top(files, 20)) console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${file}`);
}
