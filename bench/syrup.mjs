// Syrup codec throughput beside JSON.stringify / JSON.parse of equivalent data.
// Run: npm run bench   (builds to dist/ first). Override the build with SYRUP_DIST=/path/to/dist/syrup.
// JSON equivalents: records and lists → arrays (label first), symbols and strings → strings,
// integers → numbers, bytestrings → base64 strings, dictionaries → objects.
import { Buffer } from 'node:buffer';
import { pathToFileURL } from 'node:url';

const dist = process.env.SYRUP_DIST ?? new URL('../dist/syrup/', import.meta.url).href;
const base = dist.endsWith('/') ? dist : `${dist}/`;
const url = base.startsWith('file:') ? base : new URL(base, `file://${process.cwd()}/`).href;
const { encode, decode, sym, rec, SyrupDict } = await import(`${url}index.js`);

let SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const te = new TextEncoder();
const td = new TextDecoder();

function bytes(n, seed = 1) {
  const b = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}
const b64 = (b) => Buffer.from(b).toString('base64');

/** Runs fn over the inputs in a loop for about SECONDS; returns ops per second. */
function measure(fn, inputs) {
  const n = inputs.length;
  const w0 = process.hrtime.bigint(); // warm-up: up to 2,000 calls or SECONDS / 2
  for (let i = 0; i < 2000 && i < n * 50 && Number(process.hrtime.bigint() - w0) / 1e9 < SECONDS / 2; i++) fn(inputs[i % n]);
  let ops = 0;
  let batch = 1;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    for (let i = 0; i < batch; i++) fn(inputs[(ops + i) % n]);
    ops += batch;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    if (elapsed < SECONDS / 10) batch *= 2;
  }
  return ops / elapsed;
}

// Shape 1: small CapTP-like messages (a mix of four).
function smallMessages() {
  const syrup = [];
  const json = [];
  for (let i = 0; i < 64; i++) {
    const swiss = bytes(32, i + 1);
    switch (i % 4) {
      case 0:
        syrup.push(rec('op:deliver', rec('desc:export', 0n), [sym('fetch'), swiss], BigInt(i), rec('desc:import-object', BigInt(i + 1))));
        json.push(['op:deliver', ['desc:export', 0], ['fetch', b64(swiss)], i, ['desc:import-object', i + 1]]);
        break;
      case 1:
        syrup.push(rec('op:deliver', rec('desc:export', BigInt(i)), [sym('greet'), 'hello world', 42n, 1.5], false, false));
        json.push(['op:deliver', ['desc:export', i], ['greet', 'hello world', 42, 1.5], false, false]);
        break;
      case 2:
        syrup.push(rec('op:gc-answers', [BigInt(i)]));
        json.push(['op:gc-answers', [i]]);
        break;
      default:
        syrup.push(rec('op:listen', rec('desc:export', BigInt(i)), rec('desc:import-object', BigInt(i + 7)), false));
        json.push(['op:listen', ['desc:export', i], ['desc:import-object', i + 7], false]);
    }
  }
  return { syrup, json };
}

// Shape 2: one 1 MiB bytestring-heavy message.
function bigMessage() {
  const blob = bytes(1024 * 1024, 7);
  return {
    syrup: [rec('op:deliver', rec('desc:export', 5n), [sym('put'), 'upload.bin', blob], 3n, rec('desc:import-object', 2n))],
    json: [['op:deliver', ['desc:export', 5], ['put', 'upload.bin', b64(blob)], 3, ['desc:import-object', 2]]],
  };
}

// Shape 3: deep and wide: dictionaries of lists, 5 levels, 6 entries each (~7,800 leaves).
function deepWide() {
  const build = (d) => {
    if (d === 0) {
      return {
        s: rec('leaf', sym('x'), 'value', 12345n, bytes(8, 3)),
        j: ['leaf', 'x', 'value', 12345, b64(bytes(8, 3))],
      };
    }
    const se = [];
    const je = {};
    for (let i = 0; i < 6; i++) {
      const c = build(d - 1);
      se.push([`key${i}`, [c.s, BigInt(d * i), `s${i}`, 0.25 * i, true]]);
      je[`key${i}`] = [c.j, d * i, `s${i}`, 0.25 * i, true];
    }
    return { s: new SyrupDict(se), j: je };
  };
  const t = build(5);
  return { syrup: [t.s], json: [t.j] };
}

const fmt = (x, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
/**
 * Measures the three shapes for about `seconds` per function; returns one row per shape
 * (values/s of Syrup encode/decode and JSON.stringify/parse, and bytes per value).
 */
export function codecRows(seconds = SECONDS) {
  SECONDS = seconds;
  const rows = [];
  for (const [name, shape] of [
  ['small CapTP messages', smallMessages()],
  ['1 MiB bytestring message', bigMessage()],
  ['deep-and-wide (5 levels x 6)', deepWide()],
]) {
  const enc = shape.syrup.map((v) => encode(v));
  const str = shape.json.map((v) => JSON.stringify(v));
  const syrupBytes = enc.reduce((n, b) => n + b.length, 0) / enc.length;
  const jsonBytes = str.reduce((n, s) => n + Buffer.byteLength(s), 0) / str.length;
  const r = {
    name,
    syrupBytes,
    jsonBytes,
    encode: measure(encode, shape.syrup),
    stringify: measure(JSON.stringify, shape.json),
    decode: measure((b) => decode(b), enc),
    parse: measure(JSON.parse, str),
    stringifyUtf8: measure((v) => te.encode(JSON.stringify(v)), shape.json),
    parseUtf8: measure((b) => JSON.parse(td.decode(b)), str.map((x) => te.encode(x))),
  };
  rows.push(r);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of codecRows()) {
    const { name, syrupBytes, jsonBytes } = r;
  console.log(`\n${name}: Syrup ${fmt(syrupBytes, 0)} B/value, JSON ${fmt(jsonBytes, 0)} B/value`);
  const line = (label, ops, bytesPer, jsonLabel, jops, jbytes) =>
    console.log(
      `  ${label.padEnd(7)} ${fmt(ops, 0).padStart(12)} values/s ${fmt((ops * bytesPer) / 1e6).padStart(9)} MB/s` +
        `   | ${jsonLabel.padEnd(14)} ${fmt(jops, 0).padStart(12)} values/s ${fmt((jops * jbytes) / 1e6).padStart(9)} MB/s` +
        `   | ratio ${fmt(ops / jops, 2)}x`,
    );
  line('encode', r.encode, syrupBytes, 'JSON.stringify', r.stringify, jsonBytes);
  line('decode', r.decode, syrupBytes, 'JSON.parse', r.parse, jsonBytes);
  line('', r.encode, syrupBytes, '+TextEncoder', r.stringifyUtf8, jsonBytes);
  line('', r.decode, syrupBytes, '+TextDecoder', r.parseUtf8, jsonBytes);
  }
console.log('\nratio = Syrup values/s ÷ JSON values/s on equivalent data. JSON.stringify/parse rows work on JS strings;');
console.log('the +TextEncoder/+TextDecoder rows add the UTF-8 step JSON needs to reach the wire (Syrup works on bytes).');
}
