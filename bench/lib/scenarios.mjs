// The scenarios of `npm run bench`. Each returns plain numbers; run.mjs prints and saves them.
import * as c from './clients.mjs';
import { WARM_BLOCK, heapNow, nowMs, roundTrip, sequential, throughput, warmThroughput, warmUp } from './measure.mjs';
import { drive, rawEchoPipe, startTestPeer, testPeerPipe } from './wire.mjs';

/** The clients compared in the round-trip and throughput scenarios, in table order. */
export function clientMakers(info) {
  const bytes = c.echoCallBytes();
  const all = {
    rawTcp: () => c.rawTcpClient(info.ports.rawTcp, bytes),
    rawWs: () => c.rawWsClient(info.ports.rawWs, bytes),
    jsonLines: () => c.jsonLinesClient(info.ports.jsonLines),
    ocapnTcp: () => c.ocapnClient(info.tcpUri, 'tcp'),
    ocapnWs: () => c.ocapnClient(info.wsUri, 'ws'),
    endoCaptp: () => c.endoClient(info.ports.endo),
    capnweb: () => c.capnwebClient(info.ports.capnweb),
  };
  return info.clients ? Object.fromEntries(Object.entries(all).filter(([k]) => info.clients.includes(k))) : all;
}

/** Round trip (p50, p99 µs) of one call, sequentially, for every client. */
export async function roundTrips(info, size) {
  const out = {};
  for (const [name, make] of Object.entries(clientMakers(info))) {
    const client = await make();
    out[name] = await roundTrip((i) => client.call(i), size.rttCalls, size.warmCapMs);
    await client.close();
  }
  return out;
}

/** calls/s at window 200 and unbounded, for every client. */
export async function throughputs(info, size) {
  const out = {};
  for (const [name, make] of Object.entries(clientMakers(info))) {
    const client = await make();
    const call = (i) => client.call(i);
    const warm200 = await warmThroughput(call, Math.min(2000, size.calls), 200, size.warmCapMs);
    const cpu0 = process.cpuUsage();
    const server0 = await info.serverCpu();
    const stats0 = client.node?.sessions[0]?.stats();
    const window200 = await throughput(call, size.calls, 200);
    const stats1 = client.node?.sessions[0]?.stats();
    const server1 = await info.serverCpu();
    const cpu1 = process.cpuUsage(cpu0);
    const warmUnbounded = await warmThroughput(call, Math.min(10_000, size.calls), Infinity, size.warmCapMs);
    const unbounded = await throughput(call, size.calls, Infinity);
    // CPU time (both processes, user + system) per call of the window-200 run.
    const cpuUsPerCall = (cpu1.user + cpu1.system + server1 - server0) / size.calls;
    out[name] = { window200, unbounded, cpuUsPerCall, warmCalls: warm200.calls + warmUnbounded.calls, warmMs: warm200.ms + warmUnbounded.ms };
    // ocapn-ts clients: CapTP messages per call each way in the window-200 run (a call is at
    // least a deliver and a fulfil; GC messages add the rest).
    if (stats0 && stats1) {
      out[name].messagesPerCall = { out: (stats1.messagesOut - stats0.messagesOut) / size.calls, in: (stats1.messagesIn - stats0.messagesIn) / size.calls };
    }
    await client.close();
  }
  return out;
}

/**
 * The server's cost alone (issue 12's first target): `ocapn test-peer` in its own process and
 * the raw TCP echo, each fed the same pre-encoded echo calls by a byte-level client (./wire.mjs).
 * Per server: warm-up, `rttCalls` sequential calls, warm-up, `peerCalls` calls at window 200.
 * @returns {{ rawTcp: object, testPeer: object }} each `{ sequential, window200 }` of
 *   `{ p50Us, p99Us, callsPerSec }` (window 200: each call's own time, write to reply),
 *   plus `warmCalls`, `warmMs`.
 */
export async function testPeer(info, size) {
  const peer = await startTestPeer();
  try {
    const out = {};
    for (const [name, open] of [
      ['rawTcp', () => rawEchoPipe(info.ports.rawTcp)],
      ['testPeer', () => testPeerPipe(peer.sturdyRef)],
    ]) {
      const pipe = await open();
      const w1 = await warmUp(async () => (await drive(pipe, WARM_BLOCK, 1)).p50Us, size.warmCapMs);
      const seq = await drive(pipe, size.rttCalls, 1);
      const w2 = await warmUp(async () => 1 / (await drive(pipe, 2000, 200)).callsPerSec, size.warmCapMs);
      const window200 = await drive(pipe, size.peerCalls, 200);
      out[name] = { sequential: seq, window200, warmCalls: w1.blocks * WARM_BLOCK + w2.blocks * 2000, warmMs: w1.ms + w2.ms };
      pipe.close();
    }
    return out;
  } finally {
    await peer.close();
  }
}

/** A three-party handoff plus its first call: A gives B a reference to C's Carol; B calls her. */
export async function handoff(size) {
  const times = [];
  for (let k = 0; k < size.handoffs + 1; k++) {
    const { listenTcpTestingOnly } = await import(new URL('../../dist/index.js', import.meta.url).href);
    const mk = async () => new c.OcapnNode({ netlayers: [await listenTcpTestingOnly({ host: '127.0.0.1' })] });
    const [A, B, C] = [await mk(), await mk(), await mk()];
    const carolRef = await A.enliven(C.sturdyRefUri({ hello: (who) => `hello ${who}` }));
    const bobRef = await A.enliven(B.sturdyRefUri({ callIt: (target) => c.E(target).hello('B') }));
    await c.E(carolRef).hello('A'); // A–C and A–B sessions are up; B–C is not
    const t0 = nowMs();
    const r = await c.E(bobRef).callIt(carolRef);
    const ms = nowMs() - t0;
    if (r !== 'hello B') throw new Error(`handoff: unexpected ${r}`);
    if (k > 0) times.push(ms); // the first is warm-up
    await Promise.all([A.close(), B.close(), C.close()]);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] };
}

/** Opens `count` client nodes' sessions to `uri`, `batch` handshakes at a time. */
async function openSessions(uri, count, batch = 100) {
  const clients = [];
  for (let i = 0; i < count; i += batch) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => c.ocapnClient(uri)))));
  }
  return clients;
}

/** Heap per idle session (server side), and the time to open them. */
export async function idleSessions(info, size) {
  const probe = await c.ocapnClient(info.tcpUri);
  const before = Number(await c.E(probe.ref).heap());
  const t0 = nowMs();
  const clients = await openSessions(info.tcpUri, size.idleSessions);
  const openMs = nowMs() - t0;
  const after = Number(await c.E(probe.ref).heap());
  const live = Number(await c.E(probe.ref).sessions());
  await Promise.all(clients.map((x) => x.close()));
  await probe.close();
  return { sessions: size.idleSessions, live, bytesPerSession: (after - before) / size.idleSessions, openMs };
}

/**
 * A table of `n` live exports: the server exports n objects (in lists of 1,000) that the client
 * holds. Heap per export (server) and per import (client), and calls/s with the table live
 * beside calls/s before it.
 */
export async function exportTable(info, size) {
  const client = await c.ocapnClient(info.tcpUri);
  const call = (i) => client.call(i);
  await throughput(call, 2000, 200);
  const emptyCallsPerSec = await throughput(call, size.calls / 2, 200);
  const serverBefore = Number(await c.E(client.ref).heap());
  const clientBefore = heapNow();
  const held = [];
  const t0 = nowMs();
  for (let i = 0; i < size.exports; i += 1000) held.push(await c.E(client.ref).makeMany(Math.min(1000, size.exports - i)));
  const buildMs = nowMs() - t0;
  const serverAfter = Number(await c.E(client.ref).heap());
  const clientAfter = heapNow();
  const liveCallsPerSec = await throughput(call, size.calls / 2, 200);
  const n = held.reduce((k, l) => k + l.length, 0);
  await client.close();
  return {
    exports: n,
    bytesPerExport: (serverAfter - serverBefore) / n,
    bytesPerImport: (clientAfter - clientBefore) / n,
    buildMs,
    emptyCallsPerSec,
    liveCallsPerSec,
  };
}

/** Heap (client and server) after `few` calls and after `many` calls on one session. */
export async function heapGrowth(info, size) {
  const client = await c.ocapnClient(info.tcpUri);
  const call = (i) => client.call(i);
  await throughput(call, size.fewCalls, 200);
  const few = { client: heapNow(), server: Number(await c.E(client.ref).heap()) };
  await throughput(call, size.manyCalls - size.fewCalls, 200);
  const many = { client: heapNow(), server: Number(await c.E(client.ref).heap()) };
  await client.close();
  return { fewCalls: size.fewCalls, manyCalls: size.manyCalls, few, many };
}

/** calls/s over k concurrent sessions (window 200 split between them), for each k. */
export async function scaling(info, size) {
  const out = {};
  for (const k of size.sessionCounts) {
    const clients = await openSessions(info.tcpUri, k);
    const per = Math.max(1, Math.ceil(size.scalingCalls / k));
    const window = Math.max(1, Math.ceil(200 / k));
    const t0 = nowMs();
    await Promise.all(clients.map((cl) => throughput((i) => cl.call(i), per, window)));
    out[k] = (per * k) / ((nowMs() - t0) / 1000);
    await Promise.all(clients.map((x) => x.close()));
  }
  return out;
}

/** Round trip of one call with a 1 MiB bytestring argument, beside a raw TCP echo of its bytes. */
export async function bigArgument(info, size) {
  const blob = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
  const raw = await c.rawTcpClient(info.ports.rawTcp, c.echoCallBytes(blob));
  for (let i = 0; i < 2; i++) await raw.call(); // warm-up: two calls (each moves 2 MiB)
  const rawRtt = await sequential(() => raw.call(), size.bigCalls);
  raw.close();
  const client = await c.ocapnClient(info.tcpUri);
  for (let i = 0; i < 2; i++) await client.call(i, blob);
  const rtt = await sequential((i) => client.call(i, blob), size.bigCalls);
  await client.close();
  return { ocapnTcp: rtt, rawTcp: rawRtt };
}
