/** Every ```js snippet of docs/observability.md runs as written against the built package. */
import { describe, it, expect } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureBuilt, run } from '../helpers/built.js';

const doc = readFileSync(join(ROOT, 'docs/observability.md'), 'utf8');
const snippets = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('docs/observability.md snippets', () => {
  it('has the two runnable snippets', () => {
    expect(snippets).toHaveLength(2);
  });

  it('the complete example prints what the page says', async () => {
    ensureBuilt();
    mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.test-tmp', 'observe-doc-'));
    try {
      writeFileSync(join(dir, 'observe.mjs'), snippets[0]);
      const r = await run([join(dir, 'observe.mjs')]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.slice(0, 4)).toEqual(['open: bob (proven)', '[RemoteRef import-object 1 @bob (memory)]', 'hello alice', 'ocapn://bob.memory 2 true']);
      expect(lines[4]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} → bob op:deliver <desc:export 0> \['fetch :[0-9a-f]{32}…\(32 bytes\)\] 0 <desc:import-object 1>$/);
      expect(lines[5]).toBe('closed: bob: node shutting down');
      expect(lines).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('the capture snippet makes a captures directory', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(ROOT, '.test-tmp', 'observe-doc-'));
    try {
      const file = join(dir, 'capture.mjs');
      writeFileSync(file, snippets[1].replace("captureToDirectory('captures')", `captureToDirectory(${JSON.stringify(join(dir, 'captures'))})`));
      const r = await run([file]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(existsSync(join(dir, 'captures'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});
