import { describe, it, expect } from 'vitest';
import { join, relative } from 'node:path';
import { ensureBuilt, ROOT } from '../helpers/built.js';

/* The '#ed25519' selection, seen by a bundler: bundling the built crypto entry for a browser
 * must pick the noble backend and reach no Node built-in; for Node it picks node:crypto.
 * Rolldown is the bundler inside Vite (a dependency of vitest). */
async function bundle(platform: 'browser' | 'node'): Promise<{ code: string; modules: string[]; imports: string[] }> {
  const { rolldown } = await import('rolldown');
  const build = await rolldown({ input: join(ROOT, 'dist/crypto/index.js'), platform, cwd: ROOT, logLevel: 'silent' });
  try {
    const { output } = await build.generate({ format: 'esm' });
    const chunks = output.filter((o) => o.type === 'chunk');
    return {
      code: chunks.map((c) => c.code).join('\n'),
      modules: chunks.flatMap((c) => Object.keys(c.modules)).map((m) => relative(ROOT, m)),
      imports: chunks.flatMap((c) => c.imports),
    };
  } finally {
    await build.close();
  }
}

describe('browser bundle of ocapn-ts crypto', () => {
  it('selects the noble backend and imports no Node built-in', async () => {
    ensureBuilt();
    const { code, modules, imports } = await bundle('browser');
    expect(modules).toContain(join('dist', 'crypto', 'ed25519-noble.js'));
    expect(modules).not.toContain(join('dist', 'crypto', 'ed25519-node.js'));
    expect(imports).toEqual([]);
    expect(code).not.toMatch(/(?:from|import\(|require\()\s*["']node:/);
    expect(code).not.toMatch(/["'](?:crypto|buffer)["']/);
  }, 60_000);

  it('for Node, selects the node:crypto backend', async () => {
    ensureBuilt();
    const { modules, imports } = await bundle('node');
    expect(modules).toContain(join('dist', 'crypto', 'ed25519-node.js'));
    expect(modules).not.toContain(join('dist', 'crypto', 'ed25519-noble.js'));
    expect(imports).toContain('node:crypto');
  }, 60_000);
});
