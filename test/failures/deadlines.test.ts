/**
 * Per-call deadlines and cancellation (src/captp/call-options.ts, questions.ts) against a
 * byte-level peer on the in-memory netlayer: `withCallOptions(ref, {timeoutMs, signal})` and
 * NodeOptions.callTimeoutMs. The answer breaks, its position is released on the wire
 * (op:gc-answers, checked with the node's `tap`), a late answer is ignored, and the session
 * goes on. Liveness is off here so that only the deadline acts.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { E, CallTimeoutError, OcapnNode, MemoryNetwork, withCallOptions } from '../../src/index.js';
import { toNotation, type SyrupRecord } from '../../src/syrup/index.js';
import { watchProcessFaults } from '../hostile/harness.js';
import { delivery, quietPeerBench, settleResolver, sleep, timed, type QuietBench } from '../helpers/quiet-peer.js';

watchProcessFaults();

let bench: QuietBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const start = (options: object = {}) => quietPeerBench({ liveness: false, ...options });

/** The node's outgoing messages in notation, from its tap. */
const sent = (b: QuietBench): string[] => b.wire.filter((e) => e.direction === 'out').map((e) => toNotation(e.message));

/** Read the peer's next messages until one with `label` (GC included). */
async function nextLabelled(b: QuietBench, label: string): Promise<SyrupRecord> {
  for (;;) {
    const m = await b.peer.next();
    if (m.labelName === label) return m;
  }
}

/** The session still works: a call the peer answers resolves. */
async function assertSessionWorks(b: QuietBench): Promise<void> {
  const p = (E(b.boot) as any).ping();
  let d;
  do d = delivery(await b.peer.next());
  while (d?.method !== 'ping');
  settleResolver(b.peer, d.resolver!, 'fulfill', 'pong');
  expect(await p).toBe('pong');
  expect(b.open.session.isActive).toBe(true);
}

describe('withCallOptions: a deadline', () => {
  it('breaks with CallTimeoutError, sends op:gc-answers for that answer, ignores a late answer', async () => {
    bench = await start();
    const outcome = timed((E(withCallOptions(bench.boot, { timeoutMs: 50 })) as any).hang(1n));
    const call = delivery(await bench.peer.next())!;
    expect(call.method).toBe('hang');
    expect(typeof call.answerPos).toBe('bigint');
    const { ok, value, ms } = await outcome;
    expect(ok).toBe(false);
    expect(value).toBeInstanceOf(CallTimeoutError);
    expect((value as Error).name).toBe('CallTimeoutError');
    expect((value as Error).message).toMatch(/did not answer within 50 ms/);
    expect(ms).toBeGreaterThanOrEqual(45);
    // The answer position is released on the wire (seen by the node's tap and by the peer).
    const gc = await nextLabelled(bench, 'op:gc-answers');
    expect(gc.fields[0]).toEqual([call.answerPos]);
    expect(sent(bench)).toContain(`<op:gc-answers [${call.answerPos}]>`);
    // A late answer is ignored: no second settlement, no fault, and the session goes on.
    settleResolver(bench.peer, call.resolver!, 'fulfill', 'too late');
    await sleep(5);
    await assertSessionWorks(bench);
  });

  it('a call answered in time is not affected by its deadline', async () => {
    bench = await start();
    const p = (E(withCallOptions(bench.boot, { timeoutMs: 200 })) as any).quick();
    const call = delivery(await bench.peer.next())!;
    settleResolver(bench.peer, call.resolver!, 'fulfill', 'in time');
    expect(await p).toBe('in time');
    await sleep(300);
    expect(bench.open.session.isActive).toBe(true);
  });

  it('applies to field gets too (op:get with op:listen)', async () => {
    bench = await start();
    const outcome = await timed(E.get(withCallOptions(bench.boot, { timeoutMs: 30 }) as any).someField);
    expect(outcome.value).toBeInstanceOf(CallTimeoutError);
    const labels = [(await bench.peer.next()).labelName, (await bench.peer.next()).labelName];
    expect(labels).toEqual(['op:get', 'op:listen']);
    expect((await nextLabelled(bench, 'op:gc-answers')).fields[0]).toHaveLength(1);
  });

  it('the wrapper is the same reference when passed, and other calls through the original have no deadline', async () => {
    bench = await start();
    const wrapped = withCallOptions(bench.boot, { timeoutMs: 20 });
    expect(bench.node.whenBroken(wrapped)).toBe(bench.node.whenBroken(bench.boot));
    const plain = (E(bench.boot) as any).plain();
    plain.catch(() => {});
    await sleep(100);
    let settled = false;
    plain.then(() => (settled = true), () => (settled = true));
    await sleep(0);
    expect(settled).toBe(false);
  });
});

describe('withCallOptions: an AbortSignal', () => {
  it('aborting breaks the call with the signal’s reason and releases the answer', async () => {
    bench = await start();
    const controller = new AbortController();
    const p = (E(withCallOptions(bench.boot, { signal: controller.signal })) as any).hang();
    const call = delivery(await bench.peer.next())!;
    const reason = new Error('user went away');
    controller.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect((await nextLabelled(bench, 'op:gc-answers')).fields[0]).toEqual([call.answerPos]);
    settleResolver(bench.peer, call.resolver!, 'fulfill', 'late');
    await assertSessionWorks(bench);
  });

  it('abort() without a reason breaks with an AbortError', async () => {
    bench = await start();
    const controller = new AbortController();
    const p = (E(withCallOptions(bench.boot, { signal: controller.signal })) as any).hang();
    controller.abort();
    const e = await p.catch((x: unknown) => x);
    expect((e as DOMException).name).toBe('AbortError');
  });

  it('an already-aborted signal fails at once, before the peer could answer', async () => {
    bench = await start();
    const reason = new Error('aborted before the call');
    const p = (E(withCallOptions(bench.boot, { signal: AbortSignal.abort(reason) })) as any).hang();
    let settled: unknown = 'pending';
    p.catch((e: unknown) => (settled = e));
    // A few microtasks (E's own turn), no macrotask: no answer could have arrived.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(settled).toBe(reason);
  });

  // Found while writing these tests: the op:deliver goes out and then op:gc-answers follows,
  // so the peer runs a call its caller had already cancelled (fetch() with an aborted signal
  // sends nothing). Fixed: ask() and askPart() check the signal before sending anything.
  it('a call whose signal is already aborted is not sent to the peer', async () => {
    bench = await start();
    const p = (E(withCallOptions(bench.boot, { signal: AbortSignal.abort(new Error('cancelled')) })) as any).transferMoney(100n);
    await expect(p).rejects.toThrow('cancelled');
    await sleep(5);
    expect(sent(bench).filter((m) => m.startsWith('<op:deliver'))).toEqual([]);
    await expect(bench.peer.next(50)).rejects.toThrow(/timed out/);
  });

  it('a deadline and a signal together: whichever comes first', async () => {
    bench = await start();
    const controller = new AbortController();
    const outcome = await timed((E(withCallOptions(bench.boot, { timeoutMs: 30, signal: controller.signal })) as any).hang());
    expect(outcome.value).toBeInstanceOf(CallTimeoutError);
    controller.abort(new Error('after the deadline'));
    await sleep(5);
    expect(bench.open.session.isActive).toBe(true);
  });
});

describe('NodeOptions.callTimeoutMs', () => {
  it('applies to every call; withCallOptions overrides it per reference', async () => {
    bench = await start({ callTimeoutMs: 40 });
    const [a, b] = await Promise.all([timed((E(bench.boot) as any).one()), timed((E(bench.boot) as any).two())]);
    expect(a.value).toBeInstanceOf(CallTimeoutError);
    expect(b.value).toBeInstanceOf(CallTimeoutError);
    expect((a.value as Error).message).toMatch(/within 40 ms/);
    const longer = (E(withCallOptions(bench.boot, { timeoutMs: 2000 })) as any).three();
    let d;
    do d = delivery(await bench.peer.next());
    while (d?.method !== 'three');
    await sleep(100);
    settleResolver(bench.peer, d.resolver!, 'fulfill', 3n);
    expect(await longer).toBe(3n);
  });
});

describe('NodeOptions.callTimeoutMs with a signal-only withCallOptions', () => {
  it('a reference given only a signal keeps the node default deadline', async () => {
    bench = await start({ callTimeoutMs: 40 });
    const controller = new AbortController();
    const outcome = await timed((E(withCallOptions(bench.boot, { signal: controller.signal })) as any).hang());
    expect(outcome.value).toBeInstanceOf(CallTimeoutError);
    expect((outcome.value as Error).message).toMatch(/within 40 ms/);
  });
});

describe('bad call options throw', () => {
  it('TypeError / RangeError naming what was wrong', async () => {
    bench = await start();
    const { boot } = bench;
    for (const timeoutMs of [0, -1, 1.5, 2 ** 31, Number.NaN, '100', 100n]) {
      expect(() => withCallOptions(boot, { timeoutMs } as never), String(timeoutMs)).toThrow(RangeError);
      expect(() => withCallOptions(boot, { timeoutMs } as never)).toThrow(/timeoutMs/);
    }
    expect(() => withCallOptions(boot, { signal: {} } as never)).toThrow(TypeError);
    expect(() => withCallOptions(boot, { signal: {} } as never)).toThrow(/signal must be an AbortSignal/);
    expect(() => withCallOptions(boot, null as never)).toThrow(TypeError);
    expect(() => withCallOptions(boot, 5 as never)).toThrow(TypeError);
    expect(() => withCallOptions({ local: true }, {})).toThrow(TypeError);
    expect(() => withCallOptions(null, {})).toThrow(TypeError);
    expect(() => withCallOptions(bench!.node.register({}), {})).toThrow(/remote reference/);
    // The extremes are accepted.
    expect(() => withCallOptions(boot, { timeoutMs: 1 })).not.toThrow();
    expect(() => withCallOptions(boot, { timeoutMs: 2 ** 31 - 1 })).not.toThrow();
    const net = new MemoryNetwork();
    for (const callTimeoutMs of [0, -5, 0.5, 'soon', 2 ** 31]) {
      expect(() => new OcapnNode({ netlayers: [net.netlayer()], callTimeoutMs } as never), String(callTimeoutMs)).toThrow(RangeError);
    }
  });
});
