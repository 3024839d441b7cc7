import { describe, it, expect } from 'vitest';
import { join, relative } from 'node:path';
import { ensureBuilt, ROOT } from '../helpers/built.js';

/* `ocapn-ts/browser` (dist/browser.js) bundled for the browser platform, as an app's bundler
 * would: it must reach no Node built-in and neither `ws` nor the Node netlayers. The package
 * root, bundled the same way, does reach them (which is why the browser entry exists). */
const NODE_BUILTINS = ['net', 'tls', 'http', 'https', 'http2', 'crypto', 'fs', 'events', 'buffer', 'stream', 'child_process', 'dgram', 'dns', 'os', 'path', 'url', 'util'];
const NODE_IMPORT = new RegExp(
  String.raw`(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["'](?:node:[^"']+|${NODE_BUILTINS.join('|')})(?:/[^"']*)?["']`,
);

async function bundle(input: string): Promise<{ code: string; modules: string[]; imports: string[]; warnings: string[] }> {
  const { rolldown } = await import('rolldown');
  const warnings: string[] = [];
  const build = await rolldown({ input: join(ROOT, input), platform: 'browser', cwd: ROOT, onLog: (_level, log) => void warnings.push(log.message) });
  try {
    const { output } = await build.generate({ format: 'esm' });
    const chunks = output.filter((o) => o.type === 'chunk');
    return {
      code: chunks.map((c) => c.code).join('\n'),
      modules: chunks.flatMap((c) => Object.keys(c.modules)).map((m) => relative(ROOT, m)),
      imports: chunks.flatMap((c) => [...c.imports, ...c.dynamicImports]),
      warnings,
    };
  } finally {
    await build.close();
  }
}

describe('browser bundle of ocapn-ts/browser', () => {
  it('the import pattern catches Node built-ins in every import form', () => {
    for (const line of ['import { x } from "node:net";', "import 'fs';", 'const m = await import("node:crypto")', "require('events')", 'export * from "http"']) {
      expect(line, line).toMatch(NODE_IMPORT);
    }
    for (const line of ['const kind = "buffer";', 'from "@noble/hashes"', "import './crypto.js'"]) expect(line, line).not.toMatch(NODE_IMPORT);
  });

  it('reaches no Node built-in, no ws, no Node netlayer; picks the noble backend', async () => {
    ensureBuilt();
    const { code, modules, imports, warnings } = await bundle('dist/browser.js');
    expect(imports).toEqual([]);
    expect(code).not.toMatch(NODE_IMPORT);
    expect(warnings.filter((w) => /resolve|node:/i.test(w))).toEqual([]);
    expect(modules).toContain(join('dist', 'netlayers', 'websocket', 'browser-socket.js'));
    expect(modules).toContain(join('dist', 'crypto', 'ed25519-noble.js'));
    expect(modules).toContain(join('node_modules', 'ses', 'index.js'));
    expect(modules).toContain(join('node_modules', '@endo', 'eventual-send', 'shim.js'));
    for (const m of modules) {
      expect(m).not.toMatch(/ed25519-node|node-socket|tcp-testing-only|[/\\]ws[/\\]|websocket[/\\]netlayer\.js/);
    }
  }, 60_000);

  it('the package root, bundled for a browser, does reach Node built-ins', async () => {
    ensureBuilt();
    const { code, imports, warnings } = await bundle('dist/index.js');
    expect([code, imports.join(' '), warnings.join(' ')].join('\n')).toMatch(/node:net|node:http|Could not resolve/);
  }, 60_000);
});
