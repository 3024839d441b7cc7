/**
 * Bugs found by the session fuzzer (fuzz-sessions-*.test.ts), kept as regression tests.
 *
 * Bug 1: a message whose target names a missing export or answer gets a rejected promise
 * from the target lookup (dispatch.ts lookupTarget). When a later check on the same message
 * throws (an argument that is not an OCapN value, an answer position already in use, a full
 * table), the session aborts, as it should, but that rejected promise is never handled: an
 * unhandled rejection. In a Node process without an `unhandledRejection` handler (the
 * default), that ends the whole process: one message from any peer that completed a
 * handshake takes the node down (seen: `node` exits with "ReferenceError: no export at
 * position 999" after `<op:deliver <desc:export 999> [<not-a-value>] #f #f>`).
 */
import { describe, it, expect } from 'vitest';
import { Bench, answerDesc, assertAborts, deliver, exportDesc, rec, settle, sym, watchProcessFaults } from './harness.js';

const { faults } = watchProcessFaults();

/** Run `attack` on a fresh bench; the session must abort (reason `reason`) and leave no fault. */
async function expectCleanAbort(reason: RegExp, attack: (peer: Awaited<ReturnType<Bench['attacker']>>) => void, options = {}): Promise<void> {
  faults.length = 0;
  const bench = await Bench.start(options);
  try {
    const peer = await bench.attacker();
    attack(peer);
    await assertAborts(bench, peer, reason);
    await settle();
    expect(faults).toEqual([]);
  } finally {
    await bench.close();
  }
}

describe('fuzz bug 1: a missing target plus an aborting check leaks an unhandled rejection', () => {
  it('op:deliver to a missing export with an argument that is not an OCapN value', async () => {
    await expectCleanAbort(/unknown record <not-a-value>/, (peer) => {
      peer.send(deliver(exportDesc(999), [rec('not-a-value')], false, false));
    });
  });

  it('op:deliver to a missing answer with an answer position already in use', async () => {
    await expectCleanAbort(/already in use/, (peer) => {
      peer.send(deliver(exportDesc(0), [sym('fetch'), new TextEncoder().encode('nothing')], 5n, false));
      peer.send(deliver(answerDesc(77), [sym('echo')], 5n, false));
    });
  });

  it('op:get on a missing export with a new answer position already in use', async () => {
    await expectCleanAbort(/already in use/, (peer) => {
      peer.send(rec('op:get', exportDesc(999), 'x', 1n));
      peer.send(rec('op:get', exportDesc(999), 'x', 1n));
    });
  });

  it('op:listen on a missing export when the import table is full', async () => {
    await expectCleanAbort(
      /import table is full/,
      (peer) => {
        peer.send(rec('op:listen', exportDesc(0), rec('desc:import-object', 1n), false));
        peer.send(rec('op:listen', exportDesc(999), rec('desc:import-object', 2n), false));
      },
      { limits: { maxImports: 1 } },
    );
  });
});
