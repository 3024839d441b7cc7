/**
 * Review (hostile peer → `ocapn call`): the CLI prints why a call failed. A peer's error
 * message with terminal control sequences must be printed escaped, and a break reason that
 * is a Struct with a `toString` field must not crash the CLI's own error printing.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { OcapnNode, Far, listenTcpTestingOnly } from '../../src/index.js';
import { CLI, ensureBuilt, run } from '../helpers/built.js';

vi.setConfig({ testTimeout: 120_000 });

const ESC = '\u001b';
let node: OcapnNode | undefined;
let escUri = '';
let structUri = '';
let bidiUri = '';

describe('ocapn call against a hostile peer', () => {
  beforeAll(async () => {
    ensureBuilt();
    node = new OcapnNode({ netlayers: [await listenTcpTestingOnly({ designator: 'hostile0cli' })] });
    escUri = node.sturdyRefUri(
      Far('Esc', {
        go: () => {
          throw new Error(`${ESC}]0;pwned\u0007${ESC}[2Jboom`);
        },
      }),
    );
    structUri = node.sturdyRefUri(
      Far('Struct', {
        go: () => Promise.reject({ toString: 'not a function', valueOf: 'nor this' }),
      }),
    );
    bidiUri = node.sturdyRefUri(Far('Bidi', { go: () => ['\u202egnp.exe', '\u009b2J'] }));
  }, 60_000);
  afterAll(async () => {
    await node?.close('done');
  });

  it('escapes control characters in a remote error message', async () => {
    const r = await run([CLI, 'call', escUri, 'go']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('boom');
    expect(r.stderr).not.toContain(ESC);
  });

  it('escapes bidi overrides and C1 controls in a result', async () => {
    const r = await run([CLI, 'call', bidiUri, 'go']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gnp.exe');
    expect(r.stdout).not.toMatch(/[\u009b\u202e]/);
  });

  it('prints a Struct break reason without crashing', async () => {
    const r = await run([CLI, 'call', structUri, 'go']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ocapn: /);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
