import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, run, ROOT } from '../helpers/built.js';

// Two nodes talk in a child process, once after SES lockdown() and once without SES.
const script = (lockdown: boolean) => `
${lockdown ? "import 'ses'; lockdown({ errorTaming: 'unsafe' });" : ''}
const { OcapnNode, E, MemoryNetwork, Far } = await import(${JSON.stringify(join(ROOT, 'dist/index.js'))});
const net = new MemoryNetwork();
const a = new OcapnNode({ netlayers: [net.netlayer('a')] });
const b = new OcapnNode({ netlayers: [net.netlayer('b')] });
const counter = Far('Counter', { increment: (n) => n + 1n, child: () => Far('Child', { twice: (x) => x * 2n }) });
const ref = await b.enliven(a.sturdyRefUri(counter));
const one = await E(ref).increment(1n);
const four = await E(E(ref).child()).twice(2n);
console.log(JSON.stringify({ lockdown: typeof harden === 'function' && Object.isFrozen(Array.prototype), one: String(one), four: String(four) }));
await a.close(); await b.close();
`;

describe('with and without SES lockdown()', () => {
  for (const lockdown of [true, false]) {
    it(`works ${lockdown ? 'after' : 'without'} lockdown()`, async () => {
      ensureBuilt();
      mkdirSync(join(ROOT, '.test-tmp'), { recursive: true });
      const dir = mkdtempSync(join(ROOT, '.test-tmp', 'ses-'));
      const file = join(dir, 'run.mjs');
      writeFileSync(file, script(lockdown));
      const r = await run([file], 30_000);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout.trim())).toEqual({ lockdown, one: '2', four: '4' });
    }, 60_000);
  }
});
