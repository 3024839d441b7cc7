/**
 * `ocapn trace` on captures of a real three-node handoff (three in-process nodes over
 * tcp-testing-only on 127.0.0.1, each writing captures with captureToDirectory), as text and as
 * an HTML sequence diagram rendered in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; skipped with a printed reason if it is missing). The screenshot goes to
 * test-output/.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OcapnNode, E, Far, listenTcpTestingOnly, captureToDirectory, parseCapture, tapAll } from '../../src/index.js';
import { CLI, ROOT, ensureBuilt, run } from '../helpers/built.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/observe: HTML rendering skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

let dir = '';
let files: string[] = [];

async function threeNodeHandoff(captureDir: string): Promise<void> {
  const tap = captureToDirectory(captureDir);
  const listen = (designator: string) => listenTcpTestingOnly({ designator });
  const [na, nb, nc] = await Promise.all([listen('alice0000node'), listen('bob00000node'), listen('carol000node')]);
  const A = new OcapnNode({ netlayers: [na], tap: tapAll(tap) });
  const B = new OcapnNode({ netlayers: [nb], tap });
  const C = new OcapnNode({ netlayers: [nc], tap });
  try {
    const carol = Far('Carol', { hello: (who: string) => `hello ${who}, I am Carol` });
    const bob = Far('Bob', {
      callIt: (target: unknown) => E(target as any).hello('node B'),
      // Answers after a round trip to Carol, so the pipelined call below must wait for it.
      makeCounter: async (target: unknown) => {
        await E(target as any).hello('counter maker');
        let n = 0;
        return Far('Counter', { inc: () => ++n });
      },
    });
    const carolRef = await A.enliven(C.sturdyRefUri(carol));
    const bobRef = await A.enliven(B.sturdyRefUri(bob));
    expect(await E(bobRef as any).callIt(carolRef)).toBe('hello node B, I am Carol');
    expect(await E(E(bobRef as any).makeCounter(carolRef)).inc()).toBe(1);
  } finally {
    await Promise.all([A.close(), B.close(), C.close()]);
  }
}

beforeAll(async () => {
  ensureBuilt();
  mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
  dir = mkdtempSync(join(ROOT, '.test-tmp', 'observe-'));
  await threeNodeHandoff(dir);
  await new Promise((r) => setTimeout(r, 20));
  files = readdirSync(dir).sort().map((f) => join(dir, f));
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('captures of a three-node handoff', () => {
  it('one capture per session end, each starting with the header and both op:start-session', () => {
    // Sessions A–C, A–B, B–C: six ends.
    expect(files).toHaveLength(6);
    for (const f of files) {
      expect(f).toMatch(/\.ocapn-capture$/);
      const { header, records } = parseCapture(readFileSync(f, 'utf8'));
      expect(header.local).toMatch(/^ocapn:\/\/(alice0000node|bob00000node|carol000node)\.tcp-testing-only\?/);
      expect(records.length).toBeGreaterThanOrEqual(3);
      expect(new Set(records.slice(0, 2).map((r) => r.d))).toEqual(new Set(['in', 'out']));
      for (let i = 1; i < records.length; i++) expect(records[i].t).toBeGreaterThanOrEqual(records[i - 1].t);
    }
  });

  it('ocapn trace merges them: each message once, gifts and the pipelined wait marked', async () => {
    const r = await run([CLI, 'trace', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const nodes = lines.filter((l) => l.startsWith('# node '));
    expect(nodes.map((l) => l.split(' ')[2]).sort()).toEqual(['alice000', 'bob00000', 'carol000']);
    const messages = lines.filter((l) => !l.startsWith('#'));
    const sent = files.reduce((n, f) => n + parseCapture(readFileSync(f, 'utf8')).records.filter((x) => x.d === 'out').length, 0);
    expect(messages).toHaveLength(sent);
    for (const l of messages) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d{3} (alice000|bob00000|carol000) → (alice000|bob00000|carol000) op:/);
    expect(messages.find((l) => / alice000 → carol000 op:deliver <desc:export 0> \['deposit-gift /.test(l))).toMatch(/\[gift: deposit-gift; session [0-9a-f]{8}\]$/);
    expect(messages.some((l) => / bob00000 → carol000 op:deliver <desc:export 0> \['withdraw-gift /.test(l) && l.includes('[gift: withdraw-gift, desc:handoff-receive, desc:handoff-give'))).toBe(true);
    expect(messages.some((l) => / alice000 → bob00000 op:deliver .*desc:handoff-give/.test(l))).toBe(true);
    // A's inc() on the answer of makeCounter(), and B's calls to Carol on the answers of its
    // two withdraw-gift questions.
    const piped = messages.filter((l) => l.includes('[pipelined on answer'));
    expect(piped).toHaveLength(3);
    expect(piped.filter((l) => / alice000 → bob00000 op:deliver <desc:answer (\d+)> \['inc\] .*\[pipelined on answer \1, resolved [\d.]+ ms later\]$/.test(l))).toHaveLength(1);
    expect(piped.filter((l) => / bob00000 → carol000 op:deliver <desc:answer (\d+)> \['hello "[A-Za-z ]+"\] .*\[pipelined on answer \1, resolved [\d.]+ ms later\]$/.test(l))).toHaveLength(2);
    expect(messages.filter((l) => /\[answers \d+\]$/.test(l)).length).toBeGreaterThanOrEqual(3);
    // One file alone: that session's messages both ways.
    const one = await run([CLI, 'trace', '--time', 'none', files[0]]);
    expect(one.code).toBe(0);
    expect(one.stdout.split('\n').filter((l) => l.startsWith('# node '))).toHaveLength(2);
    expect(one.stdout).toMatch(/\n\S+ → \S+ op:start-session "1\.0" /);
  }, 60_000);

  it('ocapn trace reports unreadable input and usage errors', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '{"ocapn-capture":1,"local":"ocapn://x.memory","opened":1}\nnot json\n');
    const r = await run([CLI, 'trace', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`ocapn: ${bad}: line 2: not JSON`);
    rmSync(bad);
    const none = await run([CLI, 'trace']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('trace needs at least one capture file');
  }, 40_000);
});

describe.skipIf(!hasChromium)(`ocapn trace --html in ${CHROMIUM}`, () => {
  it('draws three lanes and one arrow per message, gifts and the wait marked', async () => {
    const r = await run([CLI, 'trace', '--html', ...files]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/<script|<link|src=|href="http/);
    const out = join(ROOT, 'test-output');
    mkdirSync(out, { recursive: true });
    const htmlPath = join(out, 'observe-trace.html');
    writeFileSync(htmlPath, r.stdout);
    const text = await run([CLI, 'trace', '--time', 'none', ...files]);
    const expectedArrows = text.stdout.split('\n').filter((l) => / → /.test(l) && !l.startsWith('#')).length;

    mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
    const profile = mkdtempSync(join(ROOT, '.test-tmp', 'chromium-'));
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 20_000 });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (req) => requests.push(req.url()));
      await page.goto(`file://${htmlPath}`);
      const dom = await page.evaluate(() => {
        const lanes = Array.from(document.querySelectorAll('svg g.lane'));
        const laneX = lanes.map((g) => Number(g.querySelector('line')!.getAttribute('x1')));
        const msgs = Array.from(document.querySelectorAll('svg g.msg'));
        const ends = msgs.map((g) => {
          const l = g.querySelector('line')!;
          return [Number(l.getAttribute('x1')), Number(l.getAttribute('x2'))];
        });
        return {
          lanes: lanes.length,
          laneNames: lanes.map((g) => g.querySelector('text')!.textContent),
          laneX,
          arrows: msgs.length,
          gifts: document.querySelectorAll('svg g.msg.gift').length,
          pipelined: document.querySelectorAll('svg g.msg.pipelined').length,
          waits: document.querySelectorAll('svg rect.wait').length,
          ends,
          giftSessions: Array.from(document.querySelectorAll('svg g.msg.gift')).map((g) => g.getAttribute('data-session')),
          visibleHeight: document.querySelector('svg')!.getBoundingClientRect().height,
        };
      });
      expect(dom.lanes).toBe(3);
      expect(dom.laneNames.sort()).toEqual(['alice000 (tcp-testing-only)', 'bob00000 (tcp-testing-only)', 'carol000 (tcp-testing-only)']);
      expect(dom.arrows).toBe(expectedArrows);
      expect(dom.arrows).toBeGreaterThan(20);
      expect(dom.gifts).toBeGreaterThanOrEqual(3);
      expect(new Set(dom.giftSessions).size).toBeGreaterThanOrEqual(2);
      expect(dom.pipelined).toBe(3);
      expect(dom.waits).toBe(3);
      // Every arrow starts at one lane and ends (minus its head) at another.
      for (const [x1, x2] of dom.ends) {
        expect(dom.laneX).toContain(x1);
        expect(dom.laneX.some((x) => Math.abs(x - x2) <= 2 && x !== x1)).toBe(true);
      }
      expect(dom.visibleHeight).toBeGreaterThan(dom.arrows * 20);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      const shot = join(out, 'observe-trace.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
      console.log(`test/observe: trace diagram screenshot: ${shot}`);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 90_000);
});
