// Type tests: how remote references are typed (run by `vitest --typecheck`, and by tsc).
import { expectTypeOf, test } from 'vitest';
import { E, type OcapnNode } from '../../src/index.js';

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
});
