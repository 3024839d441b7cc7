// Type tests: how remote references are typed (run by `vitest --typecheck`, and by tsc in
// `npm run typecheck`, which enforces every @ts-expect-error below).
import { expectTypeOf, test } from 'vitest';
import {
  E,
  Far,
  Tagged,
  selector,
  RemoteError,
  OcapnSturdyRef,
  type Selector,
  type OcapnNode,
  type Remote,
  type RemoteValue,
  type CallResult,
} from '../../src/index.js';

interface Account {
  deposit(n: bigint): bigint;
  owner(): string;
}
interface Counter {
  increment(n: bigint): bigint;
  makeAccount(owner: string): Account;
}

declare const node: OcapnNode;

test('a remote reference to T offers T methods returning promises', async () => {
  const counter = await node.enliven<Counter>('ocapn://x.tcp-testing-only/s/AAAA');
  expectTypeOf(E(counter).increment(1n)).resolves.toEqualTypeOf<bigint>();
  const account = E(counter).makeAccount('alice');
  expectTypeOf(E(account).deposit(5n)).resolves.toEqualTypeOf<bigint>();
  expectTypeOf(E(account).owner()).resolves.toEqualTypeOf<string>();
  // @ts-expect-error: not a method of Counter
  E(counter).decrement(1n);
  // @ts-expect-error: wrong argument type
  E(counter).increment('one');
  // @ts-expect-error: too few arguments
  E(counter).increment();
});

test('a remote reference is opaque: forgetting E() is a compile error', async () => {
  const counter = await node.enliven<Counter>('ocapn://x.tcp-testing-only/s/AAAA');
  // @ts-expect-error: no direct methods
  counter.increment(1n);
  // @ts-expect-error: no direct methods on a returned reference either
  (await E(counter).makeAccount('bob')).deposit(1n);
  // @ts-expect-error: a Remote<Counter> is not a Counter
  const local: Counter = counter;
  void local;
  expectTypeOf(counter).not.toHaveProperty('increment');
  // A function reference is not callable without E() either.
  const fn = await node.enliven<(x: bigint) => string>('ocapn://x.tcp-testing-only/s/AAAA');
  // @ts-expect-error: a Remote is not callable
  fn(1n);
  expectTypeOf(E(fn)(1n)).resolves.toEqualTypeOf<string>();
});

test('an object with any method comes back as a Remote, never as its fields', async () => {
  interface Svc {
    make(): { id: number; rename(name: string): void };
  }
  const svc = await node.enliven<Svc>('ocapn://x.tcp-testing-only/s/AAAA');
  const item = await E(svc).make();
  expectTypeOf(item).toEqualTypeOf<Remote<{ id: number; rename(name: string): void }>>();
  // @ts-expect-error: .id is not there: the object stayed on the peer
  void item.id;
  expectTypeOf(E(item).rename('x')).resolves.toEqualTypeOf<void>();
  // A class instance with methods and a Far object are references too.
  class Widget {
    size = 3;
    grow(): number {
      return ++this.size;
    }
  }
  expectTypeOf<RemoteValue<Widget>>().toEqualTypeOf<Remote<Widget>>();
  const far = Far('greeter', { greet: (who: string) => `hi ${who}` });
  expectTypeOf<RemoteValue<typeof far>>().toEqualTypeOf<Remote<{ greet: (who: string) => string }>>();
  expectTypeOf<RemoteValue<() => void>>().toEqualTypeOf<Remote<() => void>>();
});

test('data stays data: atoms, bytes, lists, Structs, Tagged, Selectors, sturdyrefs', () => {
  expectTypeOf<CallResult<number>>().toEqualTypeOf<number>();
  expectTypeOf<CallResult<bigint>>().toEqualTypeOf<bigint>();
  expectTypeOf<CallResult<string>>().toEqualTypeOf<string>();
  expectTypeOf<CallResult<boolean>>().toEqualTypeOf<boolean>();
  expectTypeOf<CallResult<null>>().toEqualTypeOf<null>();
  expectTypeOf<CallResult<undefined>>().toEqualTypeOf<undefined>();
  expectTypeOf<CallResult<Uint8Array>>().toEqualTypeOf<Uint8Array>();
  expectTypeOf<CallResult<Buffer>>().toEqualTypeOf<Uint8Array>();
  expectTypeOf<CallResult<Tagged>>().toEqualTypeOf<Tagged>();
  expectTypeOf<CallResult<Selector>>().toEqualTypeOf<Selector>();
  expectTypeOf<CallResult<OcapnSturdyRef>>().toEqualTypeOf<OcapnSturdyRef>();
  expectTypeOf<CallResult<bigint[]>>().toEqualTypeOf<bigint[]>();
  expectTypeOf<CallResult<readonly [string, number]>>().toEqualTypeOf<readonly [string, number]>();
  interface Item {
    id: number;
    name: string;
    tags?: string[];
  }
  expectTypeOf<CallResult<Item>>().toEqualTypeOf<{ id: number; name: string; tags?: string[] }>();
  // Nested: a Struct holding an object with methods holds a Remote to it.
  expectTypeOf<CallResult<{ count: bigint; account: Account }>>().toEqualTypeOf<{ count: bigint; account: Remote<Account> }>();
  expectTypeOf<CallResult<Account[]>>().toEqualTypeOf<Remote<Account>[]>();
  // Tagged and Selectors are made as values and pass through.
  void selector('x');
  void new Tagged('t', 1n);
});

test('promises flatten, errors reject, refused values are never', () => {
  expectTypeOf<CallResult<Promise<bigint>>>().toEqualTypeOf<bigint>();
  expectTypeOf<CallResult<Promise<Promise<Account>>>>().toEqualTypeOf<Remote<Account>>();
  expectTypeOf<CallResult<Error>>().toEqualTypeOf<never>();
  expectTypeOf<CallResult<bigint | Error>>().toEqualTypeOf<bigint>();
  // Inside data a promise stays a promise, and an Error arrives as a RemoteError.
  expectTypeOf<CallResult<{ later: Promise<bigint> }>>().toEqualTypeOf<{ later: Promise<bigint> }>();
  expectTypeOf<CallResult<{ why: TypeError }>>().toEqualTypeOf<{ why: RemoteError }>();
  expectTypeOf<CallResult<Map<string, number>>>().toEqualTypeOf<never>();
  expectTypeOf<CallResult<Date>>().toEqualTypeOf<never>();
  expectTypeOf<CallResult<symbol>>().toEqualTypeOf<never>();
  expectTypeOf<CallResult<Float64Array>>().toEqualTypeOf<never>();
  expectTypeOf<CallResult<void>>().toEqualTypeOf<void>();
});

test('generic methods: type parameters are erased to their constraints', async () => {
  interface Store {
    echo<V>(v: V): V;
    first<V extends bigint | string>(items: V[]): V;
  }
  const store = await node.enliven<Store>('ocapn://x.tcp-testing-only/s/AAAA');
  expectTypeOf(E(store).echo(5n)).resolves.toEqualTypeOf<unknown>();
  expectTypeOf(E(store).first([1n])).resolves.toEqualTypeOf<string | bigint>();
  // @ts-expect-error: the constraint still applies to arguments
  E(store).first([1]);
});

test('overloaded methods keep each signature (up to four)', async () => {
  interface Lookup {
    find(id: bigint): Account;
    find(name: string): string[];
  }
  const lookup = await node.enliven<Lookup>('ocapn://x.tcp-testing-only/s/AAAA');
  expectTypeOf(E(lookup).find(1n)).resolves.toEqualTypeOf<Remote<Account>>();
  expectTypeOf(E(lookup).find('x')).resolves.toEqualTypeOf<string[]>();
  // @ts-expect-error: no overload takes a boolean
  E(lookup).find(true);
});

test('non-passable arguments are refused', async () => {
  interface Sink {
    put(v: unknown): void;
    putAll(vs: unknown[]): void;
    putRecord(r: { value: unknown }): void;
    subscribe(listener: { notify(msg: string): void }): void;
  }
  const sink = await node.enliven<Sink>('ocapn://x.tcp-testing-only/s/AAAA');
  E(sink).put(1n);
  E(sink).put({ a: [1, 'x', new Uint8Array(2)] });
  // @ts-expect-error: a JS symbol is not an OCapN Symbol
  E(sink).put(Symbol('x'));
  // @ts-expect-error: Map is refused by the model
  E(sink).put(new Map());
  // @ts-expect-error: Date is refused by the model
  E(sink).putAll([new Date()]);
  // @ts-expect-error: typed arrays other than Uint8Array are refused, also inside a Struct
  E(sink).putRecord({ value: new Float32Array(1) });
  // Objects with methods, functions and Far objects are passed as references...
  E(sink).subscribe({ notify: (msg) => void expectTypeOf(msg).toEqualTypeOf<string>() });
  E(sink).subscribe(Far('listener', { notify: (_msg: string) => {} }));
  // ...and so is a Remote to one (or a promise for one) received from elsewhere.
  const listener = await node.enliven<{ notify(msg: string): void }>('ocapn://x.tcp-testing-only/s/BBBB');
  E(sink).subscribe(listener);
  E(sink).subscribe(Promise.resolve(listener));
  // @ts-expect-error: a listener with the wrong method type
  E(sink).subscribe({ notify: (_n: bigint) => {} });
});

test('pipelining: E() on an unresolved result type-checks', async () => {
  const counter = await node.enliven<Counter>('ocapn://x.tcp-testing-only/s/AAAA');
  const account = E(counter).makeAccount('alice'); // not awaited
  expectTypeOf(account).toEqualTypeOf<Promise<Remote<Account>>>();
  expectTypeOf(E(account).deposit(1n)).resolves.toEqualTypeOf<bigint>();
  expectTypeOf(E(E(counter).makeAccount('x')).owner()).resolves.toEqualTypeOf<string>();
  // @ts-expect-error: the pipelined target has Account's methods only
  E(account).increment(1n);
});

test('E.sendOnly, E.get and E on local objects', async () => {
  const counter = await node.enliven<Counter>('ocapn://x.tcp-testing-only/s/AAAA');
  expectTypeOf(E.sendOnly(counter).increment(1n)).toEqualTypeOf<void>();
  // @ts-expect-error: sendOnly checks arguments too
  E.sendOnly(counter).increment('1');
  const item = await node.enliven<{ id: number; rename(n: string): void }>('ocapn://x.tcp-testing-only/s/AAAA');
  expectTypeOf(E.get(item).id).resolves.toEqualTypeOf<number>();
  const local = { twice: (n: bigint) => 2n * n };
  expectTypeOf(E(local).twice(2n)).resolves.toEqualTypeOf<bigint>();
  // An untyped reference offers no methods: give enliven a type parameter.
  const untyped = await node.enliven('ocapn://x.tcp-testing-only/s/AAAA');
  // @ts-expect-error: Remote<unknown> has no known methods
  E(untyped).anything();
});
