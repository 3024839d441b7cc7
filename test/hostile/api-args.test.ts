/**
 * Bad arguments from our own API user: each throws (or rejects with) a TypeError or
 * RangeError whose message says what was wrong, and a failed call leaves the session up.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { OcapnNode, E, GOBLINS, MemoryNetwork } from '../../src/index.js';
import { Bench, watchProcessFaults } from './harness.js';

watchProcessFaults();

/** Run `f` and return what it threw (or the rejection of what it returned). */
async function failure(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure, but the call succeeded');
}

async function expectArgError(f: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): Promise<void> {
  const e = await failure(f);
  expect(e).toBeInstanceOf(type);
  expect(e.message).toMatch(message);
}

describe('new OcapnNode(options)', () => {
  const net = new MemoryNetwork();
  const nl = () => net.netlayer();

  it('rejects missing or empty netlayers', async () => {
    await expectArgError(() => new OcapnNode(undefined as any), TypeError, /netlayers: a non-empty array/);
    await expectArgError(() => new OcapnNode({} as any), TypeError, /netlayers: a non-empty array/);
    await expectArgError(() => new OcapnNode({ netlayers: [] }), TypeError, /netlayers: a non-empty array/);
    await expectArgError(() => new OcapnNode({ netlayers: nl() as any }), TypeError, /netlayers: a non-empty array/);
  });

  it('rejects something that is not a netlayer', async () => {
    const shape = /each of options\.netlayers must be a Netlayer \(transport, location, accept, connect, close\)/;
    await expectArgError(() => new OcapnNode({ netlayers: [{} as any] }), TypeError, shape);
    await expectArgError(() => new OcapnNode({ netlayers: [null as any] }), TypeError, shape);
    await expectArgError(() => new OcapnNode({ netlayers: ['memory' as any] }), TypeError, shape);
  });

  it('rejects two netlayers of one transport', async () => {
    await expectArgError(() => new OcapnNode({ netlayers: [nl(), nl()] }), TypeError, /two netlayers with transport memory/);
  });

  it('rejects a bad profile', async () => {
    await expectArgError(() => new OcapnNode({ netlayers: [nl()], profile: 'gobbler' as any }), TypeError, /unknown compatibility profile "gobbler" \(auto, goblins, endo, suite, suite-rdo, spec-2026-09\)/);
    const shape = /a compatibility profile must be one of auto, goblins, endo, suite, suite-rdo, spec-2026-09 or a CompatProfile object/;
    await expectArgError(() => new OcapnNode({ netlayers: [nl()], profile: 42 as any }), TypeError, shape);
    await expectArgError(() => new OcapnNode({ netlayers: [nl()], profile: {} as any }), TypeError, shape);
    await expectArgError(() => new OcapnNode({ netlayers: [nl()], profile: { ...GOBLINS, listenFields: 4 } as any }), TypeError, shape);
    // A well-formed custom profile is fine.
    await new OcapnNode({ netlayers: [nl()], profile: { ...GOBLINS, gcBatch: true } }).close();
  });

  it('rejects bad limits, naming the limit', async () => {
    const bad: Array<[unknown, typeof TypeError | typeof RangeError, RegExp]> = [
      [{ maxDepth: -1 }, RangeError, /maxDepth must be a positive integer, got -1/],
      [{ maxDepth: 0 }, RangeError, /maxDepth must be a positive integer, got 0/],
      [{ maxAnswers: 1.5 }, RangeError, /maxAnswers must be a positive integer, got 1\.5/],
      [{ maxImports: Number.NaN }, RangeError, /maxImports must be a positive integer, got NaN/],
      [{ maxBytesLength: Infinity }, RangeError, /maxBytesLength must be a positive integer, got Infinity/],
      [{ maxContainerLength: '16' }, RangeError, /maxContainerLength must be a positive integer, got 16/],
      [{ maxDepth: 1001 }, RangeError, /maxDepth must be at most 1000 \(deeper values overflow the JS stack in the value codec\), got 1001/],
      [{ maxDeepth: 8 }, TypeError, /unknown session limit "maxDeepth"/],
      [{ toString: 8 }, TypeError, /unknown session limit "toString"/],
      [{ handshakeTimeoutMs: 2 ** 31 }, RangeError, /handshakeTimeoutMs must be at most 2147483647, got 2147483648/],
      [42, TypeError, /session limits must be an object, got number/],
      ['maxDepth', TypeError, /session limits must be an object, got string/],
      [null, TypeError, /session limits must be an object, got null/],
    ];
    for (const [limits, type, message] of bad) {
      await expectArgError(() => new OcapnNode({ netlayers: [nl()], limits: limits as any }), type, message);
    }
  });

  it('accepts good limits', () => {
    const node = new OcapnNode({ netlayers: [nl()], limits: { maxDepth: 1000, maxAnswers: 1, maxImports: undefined, handshakeTimeoutMs: 2 ** 31 - 1 } });
    expect(node.sessions).toEqual([]);
    return node.close();
  });
});

describe('register, sturdyRefUri, enliven, connect', () => {
  let bench: Bench;
  beforeAll(async () => {
    bench = await Bench.start();
  });
  afterAll(() => bench.close());

  it('register rejects an empty or mistyped swiss number', async () => {
    await expectArgError(() => bench.node.register({}, new Uint8Array(0)), RangeError, /swiss number must not be empty/);
    await expectArgError(() => bench.node.register({}, ''), RangeError, /swiss number must not be empty/);
    await expectArgError(() => bench.node.sturdyRefUri({}, ''), RangeError, /swiss number must not be empty/);
    await expectArgError(() => bench.node.register({}, 42 as any), TypeError, /swiss number must be a Uint8Array or a string/);
    await expectArgError(() => bench.node.register({}, [1, 2] as any), TypeError, /swiss number must be a Uint8Array or a string/);
  });

  it('register refuses to rebind a swiss number to another object', async () => {
    await expectArgError(() => bench.node.register({ other: true }, 'hostile-echo'), TypeError, /already registered to another object/);
  });

  it('enliven rejects what is not a sturdyref', async () => {
    const peerUri = `ocapn://${bench.node.location.designator}.memory`;
    await expectArgError(() => bench.client.enliven(peerUri), TypeError, /enliven needs a sturdyref/);
    await expectArgError(() => bench.client.enliven('https://example.com/s/abc'), TypeError, /ocapn/);
    await expectArgError(() => bench.client.enliven('not a uri'), TypeError, /\S/);
    await expectArgError(() => bench.client.enliven(42 as any), TypeError, /enliven needs a sturdyref/);
    await expectArgError(() => bench.client.enliven(null as any), TypeError, /enliven needs a sturdyref/);
    await expectArgError(() => bench.client.enliven({ peer: bench.node.location } as any), TypeError, /enliven needs a sturdyref/);
  });

  it('connect rejects a transport it has no netlayer for', async () => {
    await expectArgError(() => bench.client.connect({ transport: 'onion', designator: 'x', hints: false }), TypeError, /no netlayer for transport onion/);
  });
});

describe('E(ref).method(...) with unpassable arguments', () => {
  let bench: Bench;
  let sent: number;
  beforeAll(async () => {
    bench = await Bench.start();
  });
  afterAll(() => bench.close());

  const unpassable: Array<[string, () => unknown, RegExp]> = [
    ['a JS Symbol', () => Symbol('nope'), /a JS symbol cannot be passed \(Symbol\(nope\)\); use selector\(name\) for an OCapN Symbol/],
    ['a cyclic object', () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    }, /nests deeper than 256 levels \(a cycle\?\)/],
    ['a cyclic array', () => {
      const a: unknown[] = [];
      a.push(a);
      return a;
    }, /nests deeper than 256 levels \(a cycle\?\)/],
    ['a string with a lone surrogate', () => 'a\ud800b', /lone surrogate/],
    ['a Float32Array', () => new Float32Array(2), /Float32Array cannot be passed; use a Uint8Array/],
    ['a DataView', () => new DataView(new ArrayBuffer(2)), /DataView cannot be passed; use a Uint8Array/],
    ['an ArrayBuffer', () => new ArrayBuffer(2), /ArrayBuffer cannot be passed; use a Uint8Array/],
  ];
  for (const [name, make, message] of unpassable) {
    it(`${name}: the promise rejects with a TypeError, nothing is sent, the session stays up`, async () => {
      const session = bench.client.sessions[0];
      const exportsBefore = session.exports.size;
      const spy = session.connection.send.bind(session.connection);
      sent = 0;
      session.connection.send = (b: Uint8Array) => {
        sent++;
        spy(b);
      };
      try {
        await expectArgError(() => (E(bench.healthyRef as any) as any).echo('fine', make()), TypeError, message);
        expect(sent).toBe(0);
      } finally {
        delete (session.connection as { send?: unknown }).send;
      }
      expect(session.exports.size).toBe(exportsBefore);
      await bench.assertHealthy();
    });
  }

  // CaptpSession.question encodes the arguments in order, exporting each local reference as it
  // is met. When a later argument fails (a JS Symbol), nothing is sent, so the exports already
  // made must be undone, or they would stay with a send count the peer never reports back.
  it('a local function, then a JS Symbol: the function does not stay exported', async () => {
    const session = bench.client.sessions[0];
    const exportsBefore = session.exports.size;
    await expectArgError(() => (E(bench.healthyRef as any) as any).echo(() => 1, Symbol('late')), TypeError, /a JS symbol cannot be passed/);
    expect(session.exports.size).toBe(exportsBefore);
  });
});
