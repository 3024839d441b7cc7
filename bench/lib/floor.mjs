// What one `E(ref).echo(i, "text")` costs before any CapTP work: the floor under every
// library-to-library figure. Both figures are CPU µs per call in this process, 200 calls in
// flight, so they can be subtracted:
// - `eFloor`: E() on a HandledPromise presence whose handler answers at once with a fresh
//   HandledPromise (what our handler returns: a promise that pipelines), settled a microtask later;
// - `inProcess`: the same call between two ocapn-ts nodes over the in-process memory netlayer
//   (CapTP on both sides, Syrup encode/decode, no sockets).
// `inProcess − eFloor` is what CapTP itself costs per call (client and server together).
import { E, OcapnNode, MemoryNetwork } from './clients.mjs';
import { throughput } from './measure.mjs';

/** CPU µs per call of `call(i)` with `window` in flight, best of `rounds` runs of `n` calls (after one warm-up run). */
async function cpuPerCall(call, n, rounds = 3, window = 200) {
  await throughput(call, n, window);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    await throughput(call, n, window);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / n);
  }
  return best;
}

/** A presence whose handler answers every method call with a HandledPromise settled a microtask later. */
function floorPresence() {
  const { HandledPromise } = globalThis;
  const handler = {
    applyMethod(_p, _prop, args) {
      let resolve;
      const answer = new HandledPromise((r) => (resolve = r), handler);
      queueMicrotask(() => resolve(args));
      return answer;
    },
  };
  let presence;
  // eslint-disable-next-line no-new
  new HandledPromise((_res, _rej, resolveWithPresence) => {
    presence = resolveWithPresence(handler);
  });
  return presence;
}

/** `{ eFloor, inProcess, captp }` in CPU µs per call (see the top of this file). */
export async function floor(size) {
  const n = size.floorCalls;
  const presence = floorPresence();
  const eFloor = await cpuPerCall((i) => E(presence).echo(BigInt(i), 'text'), n);
  const net = new MemoryNetwork({ deliver: 'macrotask' });
  const limits = { maxAnswers: 250_000, maxQuestions: 250_000, maxPending: 250_000 };
  const a = new OcapnNode({ netlayers: [net.netlayer('floor-a')], limits });
  const b = new OcapnNode({ netlayers: [net.netlayer('floor-b')], limits });
  const ref = await a.enliven(b.sturdyRefUri({ echo: (...args) => args }));
  const inProcess = await cpuPerCall((i) => E(ref).echo(BigInt(i), 'text'), n);
  await Promise.all([a.close(), b.close()]);
  return { eFloor, inProcess, captp: inProcess - eFloor };
}
