/**
 * The official OCapN test suite's test objects (notes §12), hosted by `ocapn test-peer`
 * under their fixed swiss numbers.
 * @module
 */
import { E } from '../captp/eventual-send.js';
import { OcapnSturdyRef, Selector } from '../model/index.js';
import type { OcapnNode } from '../node/node.js';

/** Swiss numbers (ASCII bytes) of the suite's objects. */
export const TEST_SWISS = Object.freeze({
  carFactoryBuilder: 'JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ',
  echo: 'IO58l1laTyhcrgDKbEzFOO32MDd6zE5w',
  greeter: 'VMDDd1voKWarCe2GvgLbxbVFysNzRPzx',
  promiseResolver: 'IokCxYmMj04nos2JN1TDoY1bT8dXh6Lr',
  sturdyrefEnlivener: 'gi02I1qghIwPiKGKleCQAOhpy3ZtYRpB',
});

/** The official suite's names of the objects, as the Goblins test peer prints them. */
export const TEST_OBJECT_NAMES = Object.freeze({
  carFactoryBuilder: 'car-factory-builder',
  echo: 'echo',
  greeter: 'greeter',
  promiseResolver: 'promise-resolver',
  sturdyrefEnlivener: 'sturdyref-enlivener',
} satisfies Record<keyof typeof TEST_SWISS, string>);

const nameOf = (v: unknown, what: string): string => {
  if (v instanceof Selector) return v.name;
  if (typeof v === 'string') return v;
  throw new TypeError(`${what} must be a Symbol or String`);
};

/** Register the five test objects on `node`. */
export function registerTestObjects(node: OcapnNode): void {
  // Builder: () → factory; factory(['color 'model]) → car; car() → "Vroom! I am a <color> <model> car!"
  const carFactoryBuilder = () => (spec: unknown, ...extra: unknown[]) => {
    if (!Array.isArray(spec) || spec.length !== 2 || extra.length) throw new TypeError('a car factory takes one List [color model]');
    const [color, model] = [nameOf(spec[0], 'color'), nameOf(spec[1], 'model')];
    return () => `Vroom! I am a ${color} ${model} car!`;
  };
  // Echo: returns its arguments as a List and keeps no reference to them.
  const echo = (...args: unknown[]) => args;
  // Greeter: sends "Hello" to the given reference (answer wanted), and drops that answer.
  const greeter = (ref: unknown) => {
    const answer = E(ref as (...a: unknown[]) => unknown)('Hello');
    answer.catch(() => {});
  };
  // Promise-resolver pair: returns [promise resolver].
  const promiseResolver = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    const resolver = Object.freeze({ fulfill: (v: unknown) => resolve(v), break: (e: unknown) => reject(e) });
    return [promise, resolver];
  };
  // Sturdyref enlivener: given <ocapn-sturdyref …>, connects and fetches.
  const sturdyrefEnlivener = (ref: unknown) => {
    if (!(ref instanceof OcapnSturdyRef)) throw new TypeError('expected an ocapn-sturdyref');
    return node.enliven(ref);
  };
  node.register(carFactoryBuilder, TEST_SWISS.carFactoryBuilder);
  node.register(echo, TEST_SWISS.echo);
  node.register(greeter, TEST_SWISS.greeter);
  node.register(promiseResolver, TEST_SWISS.promiseResolver);
  node.register(sturdyrefEnlivener, TEST_SWISS.sturdyrefEnlivener);
}
