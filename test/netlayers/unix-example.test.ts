/**
 * The netlayer author's kit on a third-party netlayer: the Unix-socket example of
 * docs/netlayers.md ("Writing a netlayer") passes checkNetlayerConformance.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkNetlayerConformance } from '../../src/index.js';
import { unixNetlayer } from '../../examples/unix-netlayer/netlayer.js';

const dir = mkdtempSync(join(tmpdir(), 'ocapn-unix-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

it.skipIf(process.platform === 'win32')('the Unix-socket example netlayer passes every conformance check', async () => {
  const report = await checkNetlayerConformance(async () => ({ listener: await unixNetlayer(join(dir, `l${++n}.sock`)), dialer: await unixNetlayer() }), {
    messages: 2000, // CI; the default (10,000) passes too
  });
  expect(report.checks.filter((c) => !c.ok || c.skipped), JSON.stringify(report.checks, null, 2)).toEqual([]);
  expect(report.checks).toHaveLength(5);
  expect(report.ok).toBe(true);
}, 120_000);
