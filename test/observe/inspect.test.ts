import { describe, it, expect } from 'vitest';
import { inspect } from 'node:util';
import { OcapnNode, E, MemoryNetwork, describeRef, withCallOptions } from '../../src/index.js';
import { isRemotable, isPromise } from '../../src/model/index.js';

describe('util.inspect of remote references', () => {
  it('says what a presence and a remote promise are, without changing what passes', async () => {
    const net = new MemoryNetwork();
    const A = new OcapnNode({ netlayers: [net.netlayer('a1b2c3d4e5f6')] });
    const B = new OcapnNode({ netlayers: [net.netlayer('f6e5d4c3b2a1')] });
    let release!: (v: string) => void;
    const service = {
      greet: (n: string) => `hello ${n}`,
      // A promise inside data arrives as the peer's promise (an import-promise), not flattened.
      box: () => [new Promise<string>((r) => (release = r))],
      echo: (x: unknown) => x,
    };
    const ref = (await A.enliven(B.sturdyRefUri(service))) as object;
    expect(inspect(ref)).toMatch(/^\[RemoteRef import-object [1-9]\d* @f6e5d4c3 \(memory\)\]$/);
    expect(Object.prototype.toString.call(ref)).toMatch(/^\[object RemoteRef import-object \d+ @f6e5d4c3 \(memory\)\]$/);
    expect(describeRef(ref)).toMatch(/^RemoteRef import-object \d+ @f6e5d4c3 \(memory\)$/);
    // Still a remotable and nothing else: no own property at all, no string key, no `then`.
    expect(isRemotable(ref)).toBe(true);
    expect(isPromise(ref)).toBe(false);
    expect(Reflect.ownKeys(ref)).toEqual([]);
    expect(Object.keys(ref)).toEqual([]);
    expect((ref as { toString?: unknown }).toString).toBeUndefined();
    // The debug members are not reachable through E(): a symbol is not a method name.
    await expect(Promise.resolve().then(() => (E(ref) as any)[Symbol.for('nodejs.util.inspect.custom')]())).rejects.toThrow();

    // What E() returns is eventual-send's own promise for the answer (it prints as a Promise);
    // a promise the peer passes inside a value is ours.
    const [answer] = (await E(ref as any).box()) as [Promise<unknown>];
    expect(inspect(answer)).toMatch(/^\[RemotePromise import-promise \d+ @f6e5d4c3 \(memory\)\]$/);
    expect(answer).toBeInstanceOf(Promise);
    expect(Reflect.ownKeys(answer)).toEqual([]);
    // `then` still makes plain promises, and awaiting works as before.
    expect(answer.then(() => 0).constructor).toBe(Promise);
    await new Promise((r) => setTimeout(r, 5));
    release('late');
    expect(await answer).toBe('late');
    expect(inspect(answer)).toMatch(/^\[RemotePromise import-promise \d+ @f6e5d4c3 \(memory\) settled\]$/);

    // A reference passed back arrives as the same object: the prototype did not change what passes.
    expect(await E(ref as any).echo(ref)).toBe(ref);
    const wrapped = withCallOptions(ref, { timeoutMs: 5_000 });
    expect(inspect(wrapped)).toBe(inspect(ref));
    expect(await E(wrapped as any).greet('w')).toBe('hello w');
    expect(describeRef({})).toBeUndefined();
    expect(inspect({ nested: ref })).toMatch(/nested: \[RemoteRef import-object/);
    await Promise.all([A.close(), B.close()]);
  });
});

describe('describeRef of answer promises and unidentified peers', () => {
  it('names the kind, position and peer', async () => {
    const { makeRemotePromise, makePresence } = await import('../../src/captp/refs.js');
    const owner = {
      peerLocation: { designator: 'ab12cd34zzzz', transport: 'websocket' },
      question: () => Promise.resolve(),
      sendOnly: () => {},
      getField: () => Promise.resolve(),
    };
    const { promise, settler } = makeRemotePromise(owner, 'answer', 7);
    expect(inspect(promise)).toBe('[RemotePromise answer 7 @ab12cd34 (websocket)]');
    expect(Object.prototype.toString.call(promise)).toBe('[object RemotePromise answer 7 @ab12cd34 (websocket)]');
    settler.resolve(1);
    expect(await promise).toBe(1);
    expect(inspect(makePresence({ ...owner, peerLocation: undefined }, 3))).toBe('[RemoteRef import-object 3 @?]');
  });
});
