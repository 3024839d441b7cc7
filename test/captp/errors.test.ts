/**
 * Remote errors keep their name, message and data fields by default (issue 11.1;
 * docs/value-model.md "Errors"), no stack ever crosses the wire, and the node reports every
 * error an exported method throws to `onMethodError`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { E, MemoryNetwork, OcapnNode, RemoteError, composeProfile, type ProfileChoice } from '../../src/index.js';
import { createWebSocketDialer, listenWebSocket } from '../../src/netlayers/websocket/index.js';
import { errorFromString, errorToString, fromSyrup, toSyrup, type RefHooks } from '../../src/model/codec.js';
import { SyrupDict, SyrupRecord, SyrupSymbol } from '../../src/syrup/index.js';

const noRefs: RefHooks = {
  isKnownRef: () => false,
  encodeRef: () => {
    throw new Error('no references here');
  },
  decodeRef: () => undefined,
};
const rec = (label: string, ...fields: unknown[]) => new SyrupRecord(new SyrupSymbol(label), fields as never);

/** An error like those libraries throw: a subclass name, a `code`, and a nested data field. */
function badInput(): Error {
  return Object.assign(new TypeError('bad input'), { code: 'E_BAD_INPUT', detail: { field: 'age', limits: [0n, 150n] } });
}

const service = {
  fail: () => {
    throw badInput();
  },
  failLater: async () => {
    await null;
    throw new RangeError('too late');
  },
  ok: () => 'fine',
};

let nodes: OcapnNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

async function caught(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('two ocapn-ts nodes with default options', () => {
  it('the caller gets the name, message and code of what the method threw (memory netlayer)', async () => {
    const net = new MemoryNetwork();
    const host = new OcapnNode({ netlayers: [net.netlayer('host')] });
    const caller = new OcapnNode({ netlayers: [net.netlayer('caller')] });
    nodes.push(host, caller);
    const ref = await caller.enliven(host.sturdyRefUri(service));
    const e = await caught(E(ref as any).fail());
    expect(e).toBeInstanceOf(RemoteError);
    expect(e.message).toBe('bad input');
    expect(e.name).toBe('TypeError');
    expect(e.code).toBe('E_BAD_INPUT');
    const late = await caught(E(ref as any).failLater());
    expect([late.name, late.message]).toEqual(['RangeError', 'too late']);
    // A missing method and a wrong swiss number say what went wrong too.
    const missing = await caught(E(ref as any).nope());
    expect([missing.name, missing.message]).toEqual(['TypeError', 'target has no method "nope"']);
  });

  it('over WebSocket with mutual peer-auth the host knows its caller is ocapn-ts, and still sends only name, code and message', async () => {
    const host = new OcapnNode({ netlayers: [await listenWebSocket({ port: 0 })] });
    const caller = new OcapnNode({ netlayers: [createWebSocketDialer()] });
    nodes.push(host, caller);
    const ref = await caller.enliven(host.sturdyRefUri(service));
    const e = await caught(E(ref as any).fail());
    expect([e.name, e.message, e.code]).toEqual(['TypeError', 'bad input', 'E_BAD_INPUT']);
    // Any peer can look like ocapn-ts: other data fields only go where a profile asks for them.
    expect(e.detail).toBeUndefined();
    expect(host.sessions[0].detector?.identified).toBe('ocapn-ts');
    // And the caller knows its host is: only an ocapn-ts server offers the mutual proof.
    expect(caller.sessions[0].detector?.identified).toBe('ocapn-ts');
    expect(caller.sessions[0].profile.gcBatch).toBe(true);
  });

  it('a host that chooses the rich form for a peer it trusts sends every data field', async () => {
    const host = new OcapnNode({ netlayers: [await listenWebSocket({ port: 0 })], profileFor: () => composeProfile('goblins', { errorForm: 'rich' }) });
    const caller = new OcapnNode({ netlayers: [createWebSocketDialer()] });
    nodes.push(host, caller);
    const ref = await caller.enliven(host.sturdyRefUri(service));
    const e = await caught(E(ref as any).fail());
    expect([e.name, e.message, e.code]).toEqual(['TypeError', 'bad input', 'E_BAD_INPUT']);
    expect(e.detail).toEqual({ field: 'age', limits: [0n, 150n] });
  });
});

describe('no stack crosses the wire', () => {
  const profiles: ProfileChoice[] = ['auto', 'goblins', 'endo', 'suite', 'suite-rdo', composeProfile('goblins', { errorForm: 'rich' })];
  for (const profile of profiles) {
    it(`profile ${typeof profile === 'string' ? profile : 'goblins + rich errors'}`, async () => {
      const net = new MemoryNetwork();
      const out: string[] = [];
      const host = new OcapnNode({ netlayers: [net.netlayer('host')], profile, tap: (ev) => ev.direction === 'out' && out.push(Buffer.from(ev.bytes).toString('latin1')) });
      const caller = new OcapnNode({ netlayers: [net.netlayer('caller')] });
      nodes.push(host, caller);
      const ref = await caller.enliven(host.sturdyRefUri(service));
      const thrown = badInput();
      expect(thrown.stack).toMatch(/\n\s+at /);
      await caught(E(ref as any).fail());
      await caught(E(ref as any).failLater());
      const wire = out.join('\n');
      expect(wire).not.toMatch(/\n\s+at |errors\.test|node:internal|file:\/\//);
      expect(wire).not.toContain(thrown.stack!.split('\n')[1]!.trim());
    });
  }
});

describe('onMethodError', () => {
  it('receives each error an exported method throws, with the method and the peer; nothing is printed by default', async () => {
    const net = new MemoryNetwork();
    const seen: Array<{ e: unknown; method: string | undefined; peer: string | undefined }> = [];
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {});
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const host = new OcapnNode({
        netlayers: [net.netlayer('host')],
        onMethodError: (e, { method, peer }) => seen.push({ e, method, peer: peer?.designator }),
      });
      const quiet = new OcapnNode({ netlayers: [net.netlayer('quiet')] });
      const caller = new OcapnNode({ netlayers: [net.netlayer('caller')] });
      nodes.push(host, quiet, caller);
      const ref = await caller.enliven(host.sturdyRefUri(service));
      await caught(E(ref as any).fail());
      await caught(E(ref as any).failLater());
      expect(await E(ref as any).ok()).toBe('fine');
      const fn = await caller.enliven(host.sturdyRefUri(() => {
        throw new Error('plain function');
      }));
      await caught(E(fn as any)());
      expect(seen.map((s) => [s.method, (s.e as Error).message, s.peer])).toEqual([
        ['fail', 'bad input', 'caller'],
        ['failLater', 'too late', 'caller'],
        [undefined, 'plain function', 'caller'],
      ]);
      expect(seen[0].e).toBeInstanceOf(TypeError);
      // No hook: nothing printed.
      const q = await caller.enliven(quiet.sturdyRefUri(service));
      await caught(E(q as any).fail());
      expect(printed).not.toHaveBeenCalled();
      expect(warned).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
      warned.mockRestore();
    }
  });

  it('a throwing hook changes nothing for the caller or the session', async () => {
    const net = new MemoryNetwork();
    const host = new OcapnNode({
      netlayers: [net.netlayer('host')],
      onMethodError: () => {
        throw new Error('hook bug');
      },
    });
    const caller = new OcapnNode({ netlayers: [net.netlayer('caller')] });
    nodes.push(host, caller);
    const ref = await caller.enliven(host.sturdyRefUri(service));
    expect((await caught(E(ref as any).fail())).message).toBe('bad input');
    expect(await E(ref as any).ok()).toBe('fine');
  });

  it('refuses a hook that is not a function', () => {
    const net = new MemoryNetwork();
    expect(() => new OcapnNode({ netlayers: [net.netlayer('x')], onMethodError: 'log' as never })).toThrow(TypeError);
  });
});

describe('the error forms (docs/value-model.md "Errors")', () => {
  it('String form: "Name: message" and "Name [code]: message", read back into a RemoteError', () => {
    expect(errorToString(new TypeError('bad input'))).toBe('TypeError: bad input');
    expect(errorToString(badInput())).toBe('TypeError [E_BAD_INPUT]: bad input');
    expect(errorToString(Object.assign(new Error('x'), { code: 42 }))).toBe('Error [42]: x');
    const back = errorFromString('TypeError [E_BAD_INPUT]: bad input')!;
    expect([back.name, back.message, (back as any).code, back.label]).toEqual(['TypeError', 'bad input', 'E_BAD_INPUT', 'string']);
    expect((errorFromString('Error [42]: x') as any).code).toBe(42);
    expect(errorFromString('RangeError: multi\nline')!.message).toBe('multi\nline');
    // Ordinary Strings stay Strings.
    for (const s of ['oh-no', 'note: x', 'Hello', '', 'TypeError']) expect(errorFromString(s)).toBeUndefined();
  });

  it('each form written and read', () => {
    const e = badInput();
    expect(toSyrup(e, noRefs, { errorForm: 'string' })).toBe('TypeError [E_BAD_INPUT]: bad input');
    expect(toSyrup(e, noRefs, { errorForm: 'mystery' })).toEqual(rec('exn:fail:mystery'));
    expect(toSyrup(e, noRefs, { errorForm: 'desc:error' })).toEqual(rec('desc:error', 'bad input'));
    const rich = toSyrup(e, noRefs, { errorForm: 'rich' }) as SyrupRecord;
    expect(rich.fields[0]).toBe('bad input');
    const back = fromSyrup(rich, noRefs) as any;
    expect([back.name, back.message, back.code]).toEqual(['TypeError', 'bad input', 'E_BAD_INPUT']);
    expect(back.detail).toEqual({ field: 'age', limits: [0n, 150n] });
    expect(back.stack).not.toContain('bad input\n    at Object.fail');
  });

  it('the rich form carries own data fields only: no references, no stack, no cause', () => {
    const e = Object.assign(new Error('m', { cause: new Error('inner') }), { code: 'X', callback: () => 1, when: new Date(0), nested: { f: () => 2 } });
    const rich = toSyrup(e, noRefs, { errorForm: 'rich' }) as SyrupRecord;
    const fields = rich.fields[1] as SyrupDict;
    expect(fields.entries.map(([k]) => k).sort()).toEqual(['code', 'name']);
  });

  it('what the other implementations send becomes a RemoteError', () => {
    const endo = fromSyrup(rec('desc:error', 'boom'), noRefs) as RemoteError;
    expect([endo.name, endo.message, endo.label]).toEqual(['RemoteError', 'boom', 'desc:error']);
    const mystery = fromSyrup(rec('exn:fail:mystery'), noRefs) as RemoteError;
    expect([mystery.name, mystery.label]).toEqual(['RemoteError', 'exn:fail:mystery']);
    const other = fromSyrup(rec('exn:fail:contract', 'expected a number', 7n), noRefs) as RemoteError;
    expect([other.name, other.message]).toEqual(['exn:fail:contract', 'expected a number']);
    // A peer cannot set the reserved names through the fields.
    const sneaky = fromSyrup(rec('desc:error', 'm', new SyrupDict([['name', 'X'], ['stack', 'fake'], ['label', 'y'], ['code', 1n]])), noRefs) as any;
    expect([sneaky.name, sneaky.label, sneaky.code]).toEqual(['X', 'desc:error', 1n]);
    expect(sneaky.stack).not.toBe('fake');
    expect(() => fromSyrup(rec('desc:error', 'm', 'not a struct'), noRefs)).toThrow(/Struct/);
    expect(() => fromSyrup(rec('desc:error', 1n), noRefs)).toThrow(/String/);
  });
});
