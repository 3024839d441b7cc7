/** The Goblins 0.18 demo server's objects, shared by the tcp and WebSocket replays. */
import { E, type OcapnNode } from '../../src/index.js';

/** The Goblins server's objects (README "Demo steps"; notes §12), as the server answered them. */
export function registerGoblinsServerObjects(node: OcapnNode): void {
  node.register((...args: unknown[]) => args, 'IO58l1laTyhcrgDKbEzFOO32MDd6zE5w');
  node.register((name: unknown) => `Hello ${String(name)}, I am Goblins node S`, 'hello-greeter-swiss-num-00000001');
  node.register(
    () => (spec: unknown) => {
      const [color, model] = (spec as { name: string }[]).map((s) => s.name);
      return () => `Vroom! I am a ${color} ${model} car!`;
    },
    'JadQ0++RzsD4M+40uLxTWVaVqM10DcBJ',
  );
  // Goblins' greeter calls the given ref with "Hello" (answer wanted) and answers #t at once.
  node.register((ref: unknown) => {
    E(ref as (...a: unknown[]) => unknown)('Hello').catch(() => {});
    return true;
  }, 'VMDDd1voKWarCe2GvgLbxbVFysNzRPzx');
  node.register(() => {
    let fulfill!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => ((fulfill = res), (reject = rej)));
    promise.catch(() => {});
    return [promise, Object.freeze({ fulfill: (v: unknown) => fulfill(v), break: (e: unknown) => reject(e) })];
  }, 'IokCxYmMj04nos2JN1TDoY1bT8dXh6Lr');
}
