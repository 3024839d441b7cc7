// exactOptionalPropertyTypes: a user project with it on can pass an explicit `undefined` to
// every optional field of our public option types (type check of exact/options.check.ts
// against dist/*.d.ts), and an explicit `undefined` means the default at run time.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../helpers/built.js';
import { OcapnNode, MemoryNetwork } from '../../src/index.js';
import { resolveReconnectOptions } from '../../src/node/reconnect.js';

describe('exactOptionalPropertyTypes', () => {
  it('every public options type accepts { field: undefined } (tsc on the built .d.ts)', () => {
    ensureBuilt();
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    let out = '';
    try {
      out = execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'test/types/exact/tsconfig.json')], { encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(out).toBe('');
  }, 120_000);

  it('an explicit undefined means the default at run time', async () => {
    const net = new MemoryNetwork();
    const node = new OcapnNode({
      netlayers: [net.netlayer('a')],
      profile: undefined,
      callTimeoutMs: undefined,
      limits: { maxQuestions: undefined },
      nodeLimits: { maxSessions: undefined },
      handoff: { maxGiftsPerSession: undefined },
      liveness: { timeoutMs: undefined },
      tap: undefined,
      maxSwissBytes: undefined,
      closeDrainMs: undefined,
    });
    expect(node.sturdyRefUri({ hi: () => 'hi' })).toMatch(/^ocapn:\/\//);
    const resolved = resolveReconnectOptions({ maxAttempts: undefined, initialDelayMs: undefined, onStateChange: undefined });
    expect(resolved.maxAttempts).toBe(resolveReconnectOptions(undefined).maxAttempts);
    expect(resolved.initialDelayMs).toBeGreaterThan(0);
    await node.close();
  });
});
