import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ensureBuilt, ROOT } from '../helpers/built.js';

/* End to end: examples/browser/ in Debian's chromium, driven by playwright-core. The page
 * (bundled ocapn-ts/browser) dials the example's Node websocket peer, enlivens its
 * sturdyref, calls it and pipelines a call; we read what the page shows. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/browser: skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

type Page = import('playwright-core').Page;
type Context = import('playwright-core').BrowserContext;

/** Runs `node examples/browser/serve.mjs` (what `npm run demo:browser` runs after the build); resolves once it printed its URLs. */
function startDemo(lines: string[]): Promise<{ child: ChildProcess; url: string; sturdyRef: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples/browser/serve.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /^or +(http:\/\/127\.0\.0\.1:\d+\/)\?sturdyref=(\S+)$/.exec(line);
      if (m !== null) resolve({ child, url: m[1], sturdyRef: decodeURIComponent(m[2]) });
    });
  });
}

describe.skipIf(!hasChromium)(`examples/browser in ${CHROMIUM}`, () => {
  let demo: { child: ChildProcess; url: string; sturdyRef: string } | undefined;
  let context: Context | undefined;
  let profile: string | undefined;
  const lines: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
    profile = mkdtempSync(join(ROOT, '.test-tmp', 'chromium-'));
    const { chromium } = await import('playwright-core');
    [demo, context] = await Promise.all([
      startDemo(lines),
      chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 20_000 }),
    ]);
  }, 25_000);

  afterAll(async () => {
    await context?.close();
    if (demo !== undefined) {
      demo.child.removeAllListeners('exit');
      const exited = new Promise((resolve) => demo!.child.once('exit', resolve));
      demo.child.kill('SIGTERM');
      await exited;
    }
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  async function results(page: Page, url: string): Promise<Record<string, string>> {
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(url);
    await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 10_000 });
    return page.evaluate(() =>
      Object.fromEntries(['status', 'lockdown', 'sturdyref', 'greeting', 'pipelined', 'designator'].map((id) => [id, document.getElementById(id)!.textContent ?? ''])),
    );
  }

  it('calls the Node peer and shows the result and the pipelined result', async () => {
    const page = await context!.newPage();
    const shown = await results(page, demo!.url);
    expect(shown.status).toBe('done');
    expect(shown.lockdown).toBe('no');
    expect(shown.sturdyref).toBe(demo!.sturdyRef);
    expect(shown.greeting).toBe('Hello browser, from a Node peer');
    expect(shown.pipelined).toBe('42');
    expect(shown.designator).toMatch(/^[a-z2-7]{52}$/);
    expect(lines.filter((l) => l.startsWith('[peer]'))).toEqual(['[peer] greet("browser")', '[peer] makeCounter(41)']);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 20_000);

  it('works after SES lockdown() of the page (?lockdown)', async () => {
    const page = await context!.newPage();
    const shown = await results(page, `${demo!.url}?lockdown`);
    expect(shown.status).toBe('done');
    expect(shown.lockdown).toBe('yes');
    expect(shown.greeting).toBe('Hello browser, from a Node peer');
    expect(shown.pipelined).toBe('42');
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 20_000);

  it('takes the sturdyref from the query string, and shows a failed peer-auth as an error', async () => {
    // The same sturdyref with another designator: the server cannot sign for that key.
    const wrong = demo!.sturdyRef.replace(/^ocapn:\/\/([a-z2-7]+)/, (_m, d: string) => `ocapn://${d.startsWith('a') ? 'b' : 'a'}${d.slice(1)}`);
    expect(wrong).not.toBe(demo!.sturdyRef);
    const page = await context!.newPage();
    const shown = await results(page, `${demo!.url}?sturdyref=${encodeURIComponent(wrong)}`);
    expect(shown.sturdyref).toBe(wrong);
    expect(shown.status).toMatch(/^error: .*peer authentication .* failed/);
    expect(shown.greeting).toBe('');
    await page.close();
  }, 20_000);
});
