/**
 * Orders and endings (notes §9.2 step 4, §9.4 step 6): deposit before or after the withdraw,
 * the gifter's session ending before its deposit, and the exporter going away midway. Nothing
 * may hang: every pending promise settles.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { OcapnNode, E, MemoryNetwork } from '../../src/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import {
  scene,
  deposit,
  signedGive,
  signedReceive,
  withdraw,
  helloOnAnswer,
  giftId,
  giftObject,
  seed,
  settle,
  Scripted,
  rec,
  sym,
  type Scene,
} from './scripted.js';

/** Settle `p` within `ms` or fail the test ("nothing hangs"). */
async function within<T>(p: Promise<T>, ms = 3000): Promise<{ ok: true; value: T } | { ok: false; reason: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ ok: true as const, value }), (reason: unknown) => ({ ok: false as const, reason })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rawScene(): Promise<Scene> {
  const s = await scene();
  cleanups.push(() => s.close());
  return s;
}

describe('exporter: deposit and withdraw in either order (scripted G and R)', () => {
  it('deposit first: the withdraw is fulfilled at once with the gift', async () => {
    const s = await rawScene();
    deposit(s.G, giftId(1), s.giftPos);
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
    const hello = helloOnAnswer(s.R, w.answerPos, 'R');
    expect((await s.R.resolution(w.resolverPos)).kind).toBe('fulfill');
    expect((await s.R.resolution(hello)).text).toBe('"hello R, I am the gift"');
  });

  it('withdraw first: it waits, then is fulfilled when the deposit arrives', async () => {
    const s = await rawScene();
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
    const hello = helloOnAnswer(s.R, w.answerPos, 'R');
    await settle(50);
    expect(s.R.resolved(w.resolverPos)).toBe(false);
    expect(s.R.resolved(hello)).toBe(false);
    deposit(s.G, giftId(1), s.giftPos);
    const res = await s.R.resolution(w.resolverPos);
    expect(res.kind).toBe('fulfill');
    expect(res.text).toMatch(/^<desc:import-object \d+>$/);
    expect((await s.R.resolution(hello)).text).toBe('"hello R, I am the gift"');
    // The waiting withdrawal was used up by that deposit: the same gift cannot be had again.
    const again = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 1n }));
    expect((await s.R.resolution(again.resolverPos)).kind).toBe('break');
  });

  it('two withdrawals waiting for two gifts are matched by gift-id, whatever the deposit order', async () => {
    const s = await rawScene();
    const other = await s.G.fetch('carol');
    const w1 = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
    const w2 = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(2) }), { count: 1n }));
    const h1 = helloOnAnswer(s.R, w1.answerPos, 'R');
    const h2 = helloOnAnswer(s.R, w2.answerPos, 'R');
    deposit(s.G, giftId(2), other);
    deposit(s.G, giftId(1), s.giftPos);
    expect((await s.R.resolution(h1)).text).toBe('"hello R, I am the gift"');
    expect((await s.R.resolution(h2)).text).toBe('"hello R, I am Carol"');
  });

  it('the G–E session closes before the deposit: the waiting withdraw breaks; E–R lives on', async () => {
    const s = await rawScene();
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
    const hello = helloOnAnswer(s.R, w.answerPos, 'R');
    await settle();
    expect(s.R.resolved(w.resolverPos)).toBe(false);
    s.G.peer.conn.close();
    expect((await s.R.resolution(w.resolverPos)).kind).toBe('break');
    expect((await s.R.resolution(hello)).kind).toBe('break');
    expect(await s.R.normalCall('R')).toBe('"hello R, I am Carol"');
    expect(s.R.ended).toBe(false);
  });

  it('the gifter aborts G–E (op:abort) before the deposit: the waiting withdraw breaks', async () => {
    const s = await rawScene();
    const w = withdraw(s.R, signedReceive(s, s.R, signedGive(s, s.G, { giftId: giftId(1) }), { count: 0n }));
    await settle();
    s.G.peer.send(rec('op:abort', 'gifter leaving'));
    expect((await s.R.resolution(w.resolverPos)).kind).toBe('break');
    expect(await s.R.normalCall('R')).toBe('"hello R, I am Carol"');
  });

  it('the G–E session closes after the deposit, before the withdraw: the gift is gone, the withdraw breaks', async () => {
    const s = await rawScene();
    deposit(s.G, giftId(1), s.giftPos);
    await settle();
    const give = signedGive(s, s.G, { giftId: giftId(1) });
    s.G.peer.conn.close();
    await settle();
    const w = withdraw(s.R, signedReceive(s, s.R, give, { count: 0n }));
    expect((await s.R.resolution(w.resolverPos)).kind).toBe('break');
    expect(await s.R.normalCall('R')).toBe('"hello R, I am Carol"');
  });
});

describe('a real receiver B and exporter E, with a scripted gifter G', () => {
  /** G (scripted) holds a gift on E and gives it to B's `callIt`. Returns G's resolver for B's answer. */
  async function setup() {
    const net = new MemoryNetwork();
    const Enode = new OcapnNode({ netlayers: [net.netlayer('E')] });
    const B = new OcapnNode({ netlayers: [net.netlayer('B')] });
    cleanups.push(() => Enode.close(), () => B.close());
    Enode.register(giftObject('the gift'), 'gift');
    B.register({ callIt: (target: unknown) => E(target as { hello(w: string): string }).hello('node B') }, 'bob');
    const ge = await RawPeer.dial(net.netlayer('G'), Enode.location, seed(0x47));
    const gb = await RawPeer.dial(net.netlayer('G2B'), B.location, seed(0x48));
    cleanups.push(() => ge.conn.close(), () => gb.conn.close());
    await ge.handshake();
    await gb.handshake();
    const GE = new Scripted(ge);
    const GB = new Scripted(gb);
    const giftPos = await GE.fetch('gift');
    const bobPos = await GB.fetch('bob');
    // The give is addressed to B's key in G–B (its receiver-key), names E and G–E.
    const sceneLike = { E: Enode, grKey: { publicKey: gb.peerKey!, privateKey: new Uint8Array(32) } } as unknown as Scene;
    const give = signedGive(sceneLike, GE, { giftId: giftId(7) });
    const call = GB.call(rec('desc:export', bobPos), [sym('callIt'), give.toSyrup()]);
    return { net, Enode, B, GE, GB, giftPos, call };
  }

  it('B withdraws before G deposits: B’s call waits, then goes through when the deposit arrives', async () => {
    const { Enode, B, GE, GB, giftPos, call } = await setup();
    await settle(50);
    // B has opened B–E and is waiting on its withdraw.
    expect(B.sessionWith(Enode.location)?.isActive).toBe(true);
    expect(GB.resolved(call.resolverPos)).toBe(false);
    deposit(GE, giftId(7), giftPos);
    const res = await GB.resolution(call.resolverPos);
    expect(res).toMatchObject({ kind: 'fulfill', text: '"hello node B, I am the gift"' });
  });

  it('G–E ends before the deposit: B’s call breaks, nothing hangs', async () => {
    const { GE, GB, call } = await setup();
    await settle(50);
    GE.peer.conn.close();
    const res = await GB.resolution(call.resolverPos);
    expect(res.kind).toBe('break');
    expect(GB.ended).toBe(false);
  });
});

describe('three nodes: the exporter goes away midway', () => {
  async function three() {
    const net = new MemoryNetwork();
    const A = new OcapnNode({ netlayers: [net.netlayer('A')] });
    const B = new OcapnNode({ netlayers: [net.netlayer('B')] });
    const C = new OcapnNode({ netlayers: [net.netlayer('C')] });
    cleanups.push(() => A.close(), () => B.close(), () => C.close());
    let reached!: () => void;
    const carolReached = new Promise<void>((r) => (reached = r));
    const carol = {
      hello: (who: string) => `hello ${who}, I am Carol`,
      // Never answers: the call stays in flight until something breaks it.
      slow: () => {
        reached();
        return new Promise(() => {});
      },
    };
    const bob = {
      callIt: (target: unknown) => E(target as typeof carol).hello('node B'),
      callSlow: (target: unknown) => E(target as typeof carol).slow(),
      ping: () => 'pong',
    };
    const carolRef = await A.enliven<typeof carol>(C.sturdyRefUri(carol));
    const bobRef = await A.enliven<typeof bob>(B.sturdyRefUri(bob));
    return { net, A, B, C, carolRef, bobRef, carolReached };
  }

  it('B–C severed while B’s call to Carol is in flight: A’s promise breaks; A–B and A–C live on', async () => {
    const { net, B, C, carolRef, bobRef, carolReached } = await three();
    expect(await E(bobRef).callIt(carolRef)).toBe('hello node B, I am Carol');
    const p = E(bobRef).callSlow(carolRef);
    await within(carolReached);
    expect(B.sessionWith(C.location)?.isActive).toBe(true);
    expect(net.sever('B', 'C')).toBeGreaterThan(0);
    const r = await within(p);
    expect(r.ok).toBe(false);
    expect(String((r as { reason: unknown }).reason)).toMatch(/./);
    expect(await E(bobRef).ping()).toBe('pong');
    expect(await E(carolRef).hello('A')).toBe('hello A, I am Carol');
    // B can reach Carol again through a new handoff (a new B–C session).
    expect(await within(E(bobRef).callIt(carolRef))).toEqual({ ok: true, value: 'hello node B, I am Carol' });
  });

  it('B–C severed before B withdraws: the withdraw and the call on it break', async () => {
    const { net, B, C, carolRef, bobRef } = await three();
    expect(await E(bobRef).callIt(carolRef)).toBe('hello node B, I am Carol');
    // Sever the moment B picks the B–C session for its next withdraw-gift (it reuses the
    // active one through sessionWith; a new one would come from connect).
    let severed = 0;
    const origConnect = B.connect.bind(B);
    B.connect = (peer) => {
      const s = origConnect(peer);
      void s.then(() => {
        if (!severed) severed = net.sever('B', 'C');
      });
      return s;
    };
    const origSessionWith = B.sessionWith.bind(B);
    B.sessionWith = (peer) => {
      const s = origSessionWith(peer);
      if (s && !severed) severed = net.sever('B', 'C');
      return s;
    };
    const r = await within(E(bobRef).callIt(carolRef));
    expect(severed).toBeGreaterThan(0);
    expect(r.ok).toBe(false);
    expect(C.sessions.some((s) => s.peerLocation?.designator === 'B')).toBe(false);
  });

  it('C closes while B’s call is in flight: every promise breaks, nothing hangs', async () => {
    const { A, C, carolRef, bobRef, carolReached } = await three();
    const p = E(bobRef).callSlow(carolRef);
    const q = E(carolRef).slow();
    await within(carolReached);
    await C.close('exporter going away');
    const [rp, rq] = await Promise.all([within(p), within(q)]);
    expect(rp.ok).toBe(false);
    expect(rq.ok).toBe(false);
    expect(String((rq as { reason: unknown }).reason)).toMatch(/exporter going away|closed/);
    // A's session with B is untouched.
    expect(await E(bobRef).ping()).toBe('pong');
    expect(A.sessions.some((s) => s.peerLocation?.designator === 'C')).toBe(false);
  });

  it('C closes before A hands Carol to B: A’s call to B breaks, nothing hangs', async () => {
    const { C, carolRef, bobRef } = await three();
    await C.close('gone');
    const r = await within(E(bobRef).callIt(carolRef));
    expect(r.ok).toBe(false);
    expect(await E(bobRef).ping()).toBe('pong');
  });
});
