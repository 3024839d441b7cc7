/**
 * A conformance suite for the optional members of the netlayer contract (flow control,
 * message limit, proof of identity): run against every shipped netlayer in contract.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/netlayers/index.js';
import { numbered, record, settle } from './helpers.js';

/** One connected pair, with what the contract says about it. */
export interface ContractPair {
  dialled: Connection;
  accepted: Connection;
  /** The expected `provenDesignator` of each end. */
  proven: { dialled: string | undefined; accepted: string | undefined };
  /** The expected `remoteAddress` of each end. */
  address: { dialled: string; accepted: string };
}

/** How to test one netlayer. */
export interface ContractFixture {
  name: string;
  /**
   * Opens a fresh connected pair on fresh netlayers (closed by the fixture's own afterEach).
   * `maxMessageBytes`: the netlayers' own limit, when the netlayer has one.
   */
  pair(options?: { maxMessageBytes?: number }): Promise<ContractPair>;
  /** `bufferedAmount` is exactly the bytes the paused peer has not taken (no kernel buffers). */
  exact: boolean;
  /** The netlayer has its own `maxMessageBytes` ceiling. */
  hasCeiling: boolean;
}

const KIB = 1024;

/** Lets timers and I/O run for `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `conn.bufferedAmount` stops changing (the kernel buffers are full, or there
 * are none), checking every 20 ms; gives up after ~4 s.
 * @returns the stable value.
 */
export async function stableBufferedAmount(conn: Connection): Promise<number> {
  let last = -1;
  let same = 0;
  for (let i = 0; i < 200 && same < 4; i++) {
    await sleep(20);
    const now = conn.bufferedAmount!;
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** `a` and `b` hold the same bytes (cheaper than toEqual for large arrays). */
export function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** Registers the conformance tests for one netlayer. */
export function describeConnectionContract(fixture: ContractFixture): void {
  describe(`${fixture.name}: the optional Connection members`, () => {
    it('has every optional member; bufferedAmount starts at 0', async () => {
      const { dialled, accepted } = await fixture.pair();
      for (const conn of [dialled, accepted]) {
        expect(typeof conn.pauseReading).toBe('function');
        expect(typeof conn.resumeReading).toBe('function');
        expect(typeof conn.setMaxMessageBytes).toBe('function');
        expect('provenDesignator' in conn).toBe(true);
        record(conn);
      }
      await settle();
      expect(dialled.bufferedAmount).toBe(0);
      expect(accepted.bufferedAmount).toBe(0);
    });

    it('sets provenDesignator exactly where the netlayer proved it, and remoteAddress', async () => {
      const { dialled, accepted, proven, address } = await fixture.pair();
      expect(dialled.provenDesignator).toBe(proven.dialled);
      expect(accepted.provenDesignator).toBe(proven.accepted);
      expect(dialled.remoteAddress).toBe(address.dialled);
      expect(accepted.remoteAddress).toBe(address.accepted);
    });

    it('bufferedAmount grows while the peer has paused reading; drain follows resume; order intact', async () => {
      const { dialled, accepted } = await fixture.pair();
      const rd = record(dialled);
      const ra = record(accepted);
      await settle();
      await sleep(10);
      const drainsBefore = rd.drains;
      accepted.pauseReading!();
      accepted.pauseReading!(); // idempotent
      const sent = Array.from({ length: 64 }, (_, i) => numbered(i, 256 * KIB));
      const total = sent.reduce((n, m) => n + m.length, 0);
      let drainInsideSend = false;
      for (const m of sent) {
        dialled.send(m);
        if (rd.drains !== drainsBefore) drainInsideSend = true;
      }
      expect(drainInsideSend).toBe(false);
      const stuck = await stableBufferedAmount(dialled);
      expect(stuck).toBeGreaterThan(0);
      expect(stuck).toBeLessThanOrEqual(total + 64 * 16); // at most a few framing bytes per message
      if (fixture.exact) expect(stuck).toBe(total);
      expect(rd.drains).toBe(drainsBefore); // never emptied while the peer was paused
      expect(ra.messages.length).toBeLessThan(64);

      accepted.resumeReading!();
      accepted.resumeReading!(); // idempotent
      await rd.until(() => rd.drains > drainsBefore && dialled.bufferedAmount === 0, 10_000);
      await ra.until(() => ra.messages.length === 64, 10_000);
      expect(ra.errors).toEqual([]);
      for (let i = 0; i < 64; i++) expect(sameBytes(ra.messages[i], sent[i])).toBe(true);
      expect(dialled.bufferedAmount).toBe(0);
    });

    it('drain comes once per emptying, asynchronously, never after close; 0 after close', async () => {
      const { dialled, accepted } = await fixture.pair();
      const rd = record(dialled);
      const ra = record(accepted);
      await settle();
      await sleep(10);
      const before = rd.drains;
      dialled.send(numbered(1, 64 * KIB));
      expect(dialled.bufferedAmount).toBeGreaterThan(0);
      expect(rd.drains).toBe(before);
      await rd.until(() => rd.drains === before + 1);
      expect(dialled.bufferedAmount).toBe(0);
      await ra.until(() => ra.messages.length === 1);

      accepted.pauseReading!();
      for (let i = 0; i < 64; i++) dialled.send(numbered(i, 256 * KIB));
      await stableBufferedAmount(dialled);
      expect(dialled.bufferedAmount).toBeGreaterThan(0);
      const drains = rd.drains;
      dialled.close();
      expect(dialled.bufferedAmount).toBe(0);
      await rd.until(() => rd.closes.length === 1);
      accepted.resumeReading!();
      await ra.until(() => ra.closes.length === 1, 10_000);
      await sleep(20);
      expect(rd.drains).toBe(drains);
      expect(rd.order.at(-1)).toBe('close');
    });

    it('setMaxMessageBytes checks its argument', async () => {
      const { accepted } = await fixture.pair();
      const set = (v: unknown): void => accepted.setMaxMessageBytes!(v as number);
      expect(() => set('100')).toThrow(TypeError);
      expect(() => set(undefined)).toThrow(TypeError);
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => set(bad)).toThrow(RangeError);
      set(1);
      set(Number.MAX_SAFE_INTEGER);
    });

    it('setMaxMessageBytes refuses a larger message with error(); no message follows', async () => {
      const { dialled, accepted } = await fixture.pair();
      const ra = record(accepted);
      accepted.setMaxMessageBytes!(1000);
      const small = numbered(1, 900);
      dialled.send(small);
      dialled.send(numbered(2, 1000)); // 1000 payload bytes + header > 1000
      dialled.send(numbered(3, 10));
      await ra.until(() => ra.errors.length === 1);
      await sleep(30);
      expect(ra.messages).toHaveLength(1);
      expect(sameBytes(ra.messages[0], small)).toBe(true);
      expect(ra.errors[0].message).toMatch(/(maxMessageBytes|maxValueBytes) \(1000\)/);
      // still writable after error(), as for any malformed input
      dialled.setHandlers({ message: () => undefined, error: () => undefined, close: () => undefined });
      accepted.send(numbered(4));
      accepted.close();
      await ra.until(() => ra.closes.length === 1);
      expect(ra.order).toEqual(['message', 'error', 'close']);
    });

    it('setMaxMessageBytes applies to messages received but not yet delivered', async () => {
      const { dialled, accepted } = await fixture.pair();
      const ra = record(accepted);
      accepted.pauseReading!();
      dialled.send(numbered(1, 5000));
      await sleep(30);
      accepted.setMaxMessageBytes!(1000);
      accepted.resumeReading!();
      await ra.until(() => ra.errors.length === 1);
      expect(ra.messages).toHaveLength(0);
    });

    it('setMaxMessageBytes can raise the limit again, never above the netlayer ceiling', async () => {
      const { dialled, accepted } = await fixture.pair({ maxMessageBytes: 10_000 });
      const ra = record(accepted);
      accepted.setMaxMessageBytes!(100);
      accepted.setMaxMessageBytes!(Number.MAX_SAFE_INTEGER);
      const mid = numbered(1, 9000);
      dialled.send(mid);
      await ra.until(() => ra.messages.length === 1);
      expect(sameBytes(ra.messages[0], mid)).toBe(true);
      dialled.send(numbered(2, 20_000));
      if (fixture.hasCeiling) {
        await ra.until(() => ra.errors.length === 1);
        expect(ra.errors[0].message).toMatch(/10000|maxMessageBytes/);
      } else {
        await ra.until(() => ra.messages.length === 2);
      }
    });
  });
}
