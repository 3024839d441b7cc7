// Issue 12's targets, checked against one run's scenarios (the summary block at the end of
// `npm run bench`'s table). A target whose scenario did not run is `met: undefined`.

const x = (v) => `${v.toFixed(2)}×`;
const pct = (v) => `${(v * 100).toFixed(1)} %`;

/** `{ target, measured, met }` for `check(...)`'s value, or not measured if a value is missing. */
function target(text, values, check) {
  if (values.some((v) => v === undefined || !Number.isFinite(v))) return { target: text, measured: '—', met: undefined };
  const [measured, met] = check(...values);
  return { target: text, measured, met };
}

/**
 * The figures where `ours` and `theirs` are compared ("ahead on every scenario"): round trip
 * p50/p99 and CPU per call (lower is better), sequential, window-200 and unbounded calls/s
 * (higher is better).
 */
function aheadOf(sc, ours, theirs) {
  const rt = sc.roundTrip;
  const tp = sc.throughput;
  if (!rt?.[ours] || !rt[theirs] || !tp?.[ours] || !tp[theirs]) return { measured: '—', met: undefined };
  const figures = [
    ['p50', rt[ours].p50Us, rt[theirs].p50Us, -1],
    ['p99', rt[ours].p99Us, rt[theirs].p99Us, -1],
    ['sequential', rt[ours].callsPerSec, rt[theirs].callsPerSec, 1],
    ['window 200', tp[ours].window200, tp[theirs].window200, 1],
    ['unbounded', tp[ours].unbounded, tp[theirs].unbounded, 1],
    ['CPU/call', tp[ours].cpuUsPerCall, tp[theirs].cpuUsPerCall, -1],
  ];
  const behind = figures.filter(([, a, b, sign]) => (a - b) * sign <= 0).map(([name]) => name);
  const measured = `ahead on ${figures.length - behind.length} of ${figures.length}${behind.length ? `; behind: ${behind.join(', ')}` : ''}`;
  return { measured, met: behind.length === 0 };
}

/** Every issue-12 target with its measured value and whether it is met. */
export function targets(sc) {
  const tp = sc.testPeer;
  const rt = sc.roundTrip;
  const th = sc.throughput;
  const out = [
    target('test-peer p50 round trip ≤ 2× raw echo (sequential)', [tp?.testPeer.sequential.p50Us, tp?.rawTcp.sequential.p50Us], (a, b) => [x(a / b), a / b <= 2]),
    target('test-peer calls/s ≥ 10 % of raw echo msgs/s (window 200)', [tp?.testPeer.window200.callsPerSec, tp?.rawTcp.window200.callsPerSec], (a, b) => [pct(a / b), a / b >= 0.1]),
  ];
  for (const name of ['ocapnTcp', 'ocapnWs']) {
    out.push(target(`library: ${name} concurrent ≥ 0.5× JSON lines (window 200)`, [th?.[name]?.window200, th?.jsonLines?.window200], (a, b) => [x(a / b), a / b >= 0.5]));
    out.push(target(`library: ${name} sequential ≥ 0.8× JSON lines`, [rt?.[name]?.callsPerSec, rt?.jsonLines?.callsPerSec], (a, b) => [x(a / b), a / b >= 0.8]));
  }
  out.push({ target: 'ahead of @endo/captp on every scenario (ocapnTcp vs endoCaptp)', ...aheadOf(sc, 'ocapnTcp', 'endoCaptp') });
  out.push({ target: 'ahead of capnweb on every scenario (ocapnWs vs capnweb)', ...aheadOf(sc, 'ocapnWs', 'capnweb') });
  const small = sc.codec?.find((r) => r.name.startsWith('small'));
  out.push(target('Syrup small-message encode ≥ 1× JSON.stringify', [small?.encode, small?.stringify], (a, b) => [x(a / b), a / b >= 1]));
  const g = sc.memory?.growth;
  // "No growth beyond noise": heap after the many calls at most 10 % above the heap after the few.
  out.push(
    target(`no heap growth over ${g ? g.manyCalls.toLocaleString('en-US') : '1,000,000'} calls (≤ 1.10× after ${g ? g.fewCalls.toLocaleString('en-US') : '10,000'})`, [g?.many.server / g?.few.server, g?.many.client / g?.few.client], (srv, cli) => [
      `server ${x(srv)}, client ${x(cli)}`,
      srv <= 1.1 && cli <= 1.1,
    ]),
  );
  return out;
}
