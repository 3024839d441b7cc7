// `npm run bench [-- --quick] [-- --only=a,b]`: every benchmark of ocapn-ts in one run, each
// figure beside a baseline measured in the same run, as a ratio. Prints a table and writes
// bench/results.json. The servers run in a child process (bench/lib/servers.mjs), the clients
// here; everything talks over 127.0.0.1. See docs/performance.md for what each figure means.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { codecRows } from './syrup.mjs';
import * as s from './lib/scenarios.mjs';
import { floor } from './lib/floor.mjs';
import { targets } from './lib/targets.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const out = args.find((a) => a.startsWith('--out='))?.slice(6) ?? new URL('results.json', import.meta.url).pathname;

const SIZE = { ...(QUICK
  ? { warmCapMs: 1_000, rttCalls: 300, peerCalls: 10_000, calls: 2_000, handoffs: 2, idleSessions: 100, exports: 2_000, fewCalls: 1_000, manyCalls: 10_000, sessionCounts: [1, 10, 50], scalingCalls: 1_000, bigCalls: 2, codecSeconds: 0.05, floorCalls: 5_000 }
  : { warmCapMs: 5_000, rttCalls: 3_000, peerCalls: 100_000, calls: 100_000, handoffs: 7, idleSessions: 10_000, exports: 100_000, fewCalls: 10_000, manyCalls: 1_000_000, sessionCounts: [1, 10, 100, 1000], scalingCalls: 40_000, bigCalls: 20, codecSeconds: 0.5, floorCalls: 50_000 }) };

// --calls=N overrides the throughput size; --clients=a,b limits the round-trip and throughput clients.
const callsArg = args.find((a) => a.startsWith('--calls='));
if (callsArg) SIZE.calls = Number(callsArg.slice(8));
SIZE.clients = args.find((a) => a.startsWith('--clients='))?.slice(10).split(',');

const child = spawn(process.execPath, [new URL('lib/servers.mjs', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
const info = JSON.parse(await new Promise((resolve, reject) => {
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
  });
  child.once('exit', (code) => reject(new Error(`bench servers exited (${code})`)));
}));

// The servers' CPU time on request (see servers.mjs): lets throughput report CPU µs per call,
// which a loaded machine disturbs far less than wall-clock rates.
const cpuReplies = [];
let cpuBuf = '';
child.stdout.on('data', (d) => {
  cpuBuf += d;
  let i;
  while ((i = cpuBuf.indexOf('\n')) >= 0) {
    const line = cpuBuf.slice(0, i);
    cpuBuf = cpuBuf.slice(i + 1);
    if (line.startsWith('{"user"')) cpuReplies.shift()?.(JSON.parse(line));
  }
});
info.clients = SIZE.clients;
info.serverCpu = () =>
  new Promise((resolve) => {
    cpuReplies.push((u) => resolve(u.user + u.system));
    child.stdin.write('cpu\n');
  });

const results = { quick: QUICK, node: process.version, cpus: os.cpus().length, date: new Date().toISOString(), size: SIZE, scenarios: {} };
const rows = [];
const ratio = (a, b) => a / b;
/** One table row: figure, value, unit, baseline name and value, ratio (value ÷ baseline). */
const row = (section, figure, value, unit, baseName, baseValue) =>
  rows.push({ section, figure, value, unit, baseline: baseName, baseValue, ratio: baseValue === undefined ? undefined : ratio(value, baseValue) });

const steps = {
  async roundTrip() {
    const r = await s.roundTrips(info, SIZE);
    results.scenarios.roundTrip = r;
    for (const q of ['p50Us', 'p99Us']) {
      for (const [name, base] of [['rawTcp'], ['rawWs'], ['jsonLines', 'rawTcp'], ['ocapnTcp', 'rawTcp'], ['endoCaptp', 'rawTcp'], ['ocapnWs', 'rawWs'], ['capnweb', 'rawWs']]) {
        if (r[name] && (!base || r[base])) row('round trip', `${name} ${q.slice(0, 3)}`, r[name][q], 'µs', base, base && r[base][q]);
      }
    }
  },
  async throughput() {
    const r = await s.throughputs(info, SIZE);
    results.scenarios.throughput = r;
    for (const w of ['window200', 'unbounded']) {
      for (const [name, base] of [['rawTcp'], ['rawWs'], ['jsonLines', 'rawTcp'], ['ocapnTcp', 'rawTcp'], ['ocapnTcp', 'jsonLines'], ['endoCaptp', 'jsonLines'], ['ocapnWs', 'rawWs'], ['capnweb', 'rawWs']]) {
        if (r[name] && (!base || r[base])) row('throughput', `${name} ${w}`, r[name][w], 'calls/s', base, base && r[base][w]);
      }
    }
    // Issue 12's library-to-library targets: sequential (one call awaited before the next,
    // calls/s of the round-trip run) and concurrent (window 200) against JSON lines.
    const rt = results.scenarios.roundTrip;
    for (const name of ['jsonLines', 'ocapnTcp', 'ocapnWs', 'endoCaptp', 'capnweb']) {
      const base = name === 'jsonLines' ? undefined : 'jsonLines';
      if (rt?.[name] && rt.jsonLines) row('library vs JSON lines', `${name} sequential`, rt[name].callsPerSec, 'calls/s', base, base && rt.jsonLines.callsPerSec);
      if (r[name] && r.jsonLines) row('library vs JSON lines', `${name} concurrent (window 200)`, r[name].window200, 'calls/s', base, base && r.jsonLines.window200);
    }
    for (const name of ['ocapnTcp', 'ocapnWs']) {
      const m = r[name]?.messagesPerCall;
      if (m) row('throughput', `${name} CapTP messages per call, out + in`, m.out + m.in, 'msgs', 'deliver + fulfil', 2);
    }
    for (const [name, base] of [['rawTcp'], ['rawWs'], ['jsonLines', 'rawTcp'], ['ocapnTcp', 'rawTcp'], ['ocapnTcp', 'jsonLines'], ['endoCaptp', 'jsonLines'], ['ocapnWs', 'rawWs'], ['capnweb', 'rawWs']]) {
      if (r[name] && (!base || r[base])) row('cpu per call', `${name} client+server, window200`, r[name].cpuUsPerCall, 'µs CPU', base, base && r[base].cpuUsPerCall);
    }
  },
  async testPeer() {
    const r = await s.testPeer(info, SIZE);
    results.scenarios.testPeer = r;
    const sec = 'test peer: server alone';
    for (const [mode, label] of [['sequential', 'sequential'], ['window200', 'window 200']]) {
      for (const q of ['p50Us', 'p99Us']) {
        row(sec, `rawTcp ${label} ${q.slice(0, 3)}`, r.rawTcp[mode][q], 'µs');
        row(sec, `ocapn test-peer ${label} ${q.slice(0, 3)}`, r.testPeer[mode][q], 'µs', 'rawTcp', r.rawTcp[mode][q]);
      }
    }
    row(sec, 'rawTcp window 200', r.rawTcp.window200.callsPerSec, 'msgs/s');
    row(sec, 'ocapn test-peer window 200', r.testPeer.window200.callsPerSec, 'calls/s', 'rawTcp', r.rawTcp.window200.callsPerSec);
  },
  async floor() {
    const r = await floor(SIZE);
    results.scenarios.floor = r;
    row('cpu per call', 'E() alone (HandledPromise presence, in-process)', r.eFloor, 'µs CPU');
    row('cpu per call', 'ocapn-ts in-process (memory netlayer)', r.inProcess, 'µs CPU', 'E() alone', r.eFloor);
    row('cpu per call', 'CapTP share (in-process − E() alone)', r.captp, 'µs CPU', 'in-process', r.inProcess);
  },
  async codec() {
    const r = codecRows(SIZE.codecSeconds);
    results.scenarios.codec = r;
    for (const x of r) {
      row('syrup codec', `encode: ${x.name}`, x.encode, 'values/s', 'JSON.stringify', x.stringify);
      row('syrup codec', `decode: ${x.name}`, x.decode, 'values/s', 'JSON.parse', x.parse);
    }
  },
  async handoff() {
    const r = await s.handoff(SIZE);
    const rtt = results.scenarios.roundTrip?.ocapnTcp.p50Us ?? (await s.roundTrips(info, { rttCalls: 200 })).ocapnTcp.p50Us;
    r.roundTrips = (r.ms * 1000) / rtt;
    results.scenarios.handoff = r;
    row('handoff', 'handoff + first call', r.ms, 'ms', 'one call p50', rtt / 1000);
  },
  async memory() {
    const idle = await s.idleSessions(info, SIZE);
    const table = await s.exportTable(info, SIZE);
    const growth = await s.heapGrowth(info, SIZE);
    results.scenarios.memory = { idle, table, growth };
    row('memory', `heap per live export (of ${table.exports})`, table.bytesPerExport, 'B');
    row('memory', `heap per import (of ${table.exports})`, table.bytesPerImport, 'B');
    row('memory', `heap per idle session (${idle.sessions} on one node)`, idle.bytesPerSession, 'B');
    row('memory', `open ${idle.sessions} idle sessions`, idle.openMs, 'ms');
    row('memory', `server heap after ${growth.manyCalls} calls`, growth.many.server, 'B', `after ${growth.fewCalls}`, growth.few.server);
    row('memory', `client heap after ${growth.manyCalls} calls`, growth.many.client, 'B', `after ${growth.fewCalls}`, growth.few.client);
    row('scaling', `calls/s with ${table.exports} live exports`, table.liveCallsPerSec, 'calls/s', 'no table', table.emptyCallsPerSec);
    row('scaling', `build ${table.exports}-export table`, table.buildMs, 'ms');
  },
  async scaling() {
    const r = await s.scaling(info, SIZE);
    const big = await s.bigArgument(info, SIZE);
    results.scenarios.scaling = { sessions: r, bigArgument: big };
    for (const k of SIZE.sessionCounts) row('scaling', `calls/s, ${k} sessions`, r[k], 'calls/s', '1 session', r[1]);
    row('scaling', '1 MiB argument p50', big.ocapnTcp.p50Us / 1000, 'ms', 'raw TCP echo', big.rawTcp.p50Us / 1000);
  },
};

const t0 = Date.now();
for (const [name, step] of Object.entries(steps)) {
  if (only && !only.includes(name)) continue;
  const t = Date.now();
  try {
    await step();
    process.stderr.write(`bench: ${name} done in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    // One failed scenario is reported and the run goes on (the quick test then fails on it).
    results.errors = { ...results.errors, [name]: String(err?.stack ?? err) };
    process.stderr.write(`bench: ${name} FAILED after ${((Date.now() - t) / 1000).toFixed(1)} s: ${err?.message ?? err}\n`);
    process.exitCode = 1;
  }
}
child.stdin.end();
results.rows = rows;
results.targets = targets(results.scenarios);
results.seconds = (Date.now() - t0) / 1000;
writeFileSync(out, `${JSON.stringify(results, (_, v) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`);

const num = (x) => (x === undefined ? '' : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 }));
console.log(`ocapn-ts bench ${QUICK ? '(quick) ' : ''}— Node ${process.version}, ${os.cpus().length} CPUs, ${results.seconds.toFixed(0)} s`);
console.log(`${'figure'.padEnd(52)} ${'value'.padStart(14)} ${'unit'.padEnd(8)} ${'baseline'.padEnd(16)} ${'baseline value'.padStart(14)} ${'ratio'.padStart(7)}`);
let section;
for (const r of rows) {
  if (r.section !== section) console.log(`-- ${(section = r.section)}`);
  console.log(`${r.figure.padEnd(52)} ${num(r.value).padStart(14)} ${r.unit.padEnd(8)} ${(r.baseline ?? '').padEnd(16)} ${num(r.baseValue).padStart(14)} ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`.padStart(7)}`);
}
console.log('-- issue 12 targets');
for (const t of results.targets) console.log(`${t.target.padEnd(66)} ${t.measured.padEnd(44)} ${t.met === undefined ? 'not measured' : t.met ? 'met' : 'NOT MET'}`);
console.log(`results: ${out}`);
