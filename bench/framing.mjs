// Stream framing cost: one large raw record fed in 5-byte chunks that each end in '>', the
// pattern that made the old FrameReader rescan the whole pending message on every chunk.
// Run: npm run bench:framing   (builds to dist/ first).
// Env: BENCH_MB (message size, default 15), BENCH_BUDGET (seconds the quadratic baseline may
// run at full size before it is stopped and extrapolated, default 10).
//
// Baseline ("rescan from start on every '>'"), reimplemented here only for comparison: keep
// the pending bytes; on every chunk holding a '>', run scanValue over everything pending from
// the start of the message. New: FrameReader, whose scanner resumes where it stopped.
const dist = new URL('../dist/', import.meta.url).href;
const { FrameReader } = await import(`${dist}netlayers/stream/index.js`);
const { scanValue } = await import(`${dist}syrup/index.js`);

const MB = Number(process.env.BENCH_MB ?? 15);
const BUDGET = Number(process.env.BENCH_BUDGET ?? 10);
const CHUNK = 5;
const GT = 0x3e;
// 3 million list items: above the default maxContainerLength (1,000,000), so both sides raise it.
const syrup = { maxContainerLength: 10_000_000 };

/** `<1'x[` then `3"ab>` items (each 5 bytes, ending in '>') then `]>`: ~`bytes` long. */
function message(bytes) {
  const items = Math.max(1, Math.floor((bytes - 7) / 5));
  return new Uint8Array(Buffer.from(`<1'x[${'3"ab>'.repeat(items)}]>`, 'latin1'));
}

/** The old algorithm: returns { done, fed, seconds } (stops early once `budget` seconds pass). */
function baseline(msg, budget = Infinity) {
  const options = { ...syrup, maxValueBytes: msg.length };
  let buf = new Uint8Array(4096);
  let end = 0;
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
  for (let at = 0, k = 0; at < msg.length; at += CHUNK, k++) {
    const chunk = msg.subarray(at, at + CHUNK);
    if (end + chunk.length > buf.length) {
      const next = new Uint8Array(buf.length * 2);
      next.set(buf.subarray(0, end));
      buf = next;
    }
    buf.set(chunk, end);
    end += chunk.length;
    if (chunk.includes(GT) && scanValue(buf.subarray(0, end), 0, options) !== -1) {
      return { done: true, fed: end, seconds: elapsed() };
    }
    if ((k & 0xff) === 0 && elapsed() > budget) return { done: false, fed: end, seconds: elapsed() };
  }
  throw new Error('baseline: message never completed');
}

/** The new FrameReader: seconds to frame `msg`. */
function current(msg) {
  const reader = new FrameReader({ maxMessageBytes: msg.length, syrup });
  const t0 = process.hrtime.bigint();
  let got = 0;
  for (let at = 0; at < msg.length; at += CHUNK) {
    const { messages, error } = reader.push(msg.subarray(at, at + CHUNK));
    if (error) throw error;
    got += messages.length;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (got !== 1) throw new Error(`FrameReader delivered ${got} messages`);
  return { seconds, scanned: reader.scannedBytes };
}

const fmt = (x, d = 3) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const size = (n) => (n >= 1e6 ? `${fmt(n / 1e6, 1)} MB` : `${fmt(n / 1e3, 0)} kB`).padStart(7);
current(message(1 << 20)); // warm-up
current(message(1 << 20));
baseline(message(32 << 10));

console.log(`raw record in ${CHUNK}-byte chunks, each ending in '>' (Node ${process.version})\n`);
console.log('size       baseline (rescan)   FrameReader   ratio    FrameReader scanned bytes / size');
for (const n of [25_000, 50_000, 100_000, 150_000]) {
  const msg = message(n);
  const old = baseline(msg);
  const now = current(msg);
  console.log(
    `${size(msg.length)}  ${fmt(old.seconds).padStart(12)} s  ${fmt(now.seconds).padStart(10)} s  ${fmt(old.seconds / now.seconds, 0).padStart(6)}x   ${fmt(now.scanned / msg.length, 2)}`,
  );
}

const big = message(MB * 1e6);
const now = current(big);
const old = baseline(big, BUDGET);
// The baseline's cost grows with the square of the bytes fed: extrapolate when stopped early.
const oldTotal = old.done ? old.seconds : old.seconds * (big.length / old.fed) ** 2;
console.log(
  `${size(big.length)}  ${old.done ? '' : '~'}${fmt(oldTotal, 0).padStart(old.done ? 12 : 11)} s  ${fmt(now.seconds).padStart(10)} s  ${fmt(oldTotal / now.seconds, 0).padStart(6)}x   ${fmt(now.scanned / big.length, 2)}`,
);
if (!old.done) {
  console.log(
    `\nbaseline stopped after ${fmt(old.seconds, 1)} s, having framed ${fmt(old.fed / 1e6, 2)} MB of ${fmt(big.length / 1e6, 1)} MB;` +
      ' its total is extrapolated as time x (size / fed)^2.',
  );
}

// The reported attack: a 15 MB prefix, then a few bytes with a '>' every 50 ms. Each such
// chunk cost the baseline one scan of everything pending; FrameReader only its new bytes.
const prefix = big.subarray(0, big.length - 2);
const runs = 5;
const t0 = process.hrtime.bigint();
for (let i = 0; i < runs; i++) scanValue(prefix, 0, { ...syrup, maxValueBytes: big.length });
const perChunkOld = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
const perChunkNew = (now.seconds * 1e6) / Math.ceil(big.length / CHUNK);
console.log(
  `\none more chunk after a ${size(prefix.length).trim()} prefix: baseline ${fmt(perChunkOld, 1)} ms (one rescan),` +
    ` FrameReader ~${fmt(perChunkNew, 2)} µs (average per chunk above)`,
);
