/** The JS engine's garbage collector, for tests of distributed GC (notes §6.3). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The engine's `gc`, if V8 lets us expose it at run time. */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

/** Runs a full JS garbage collection; `undefined` when V8 does not allow it. */
export const forceGc: (() => void) | undefined = exposeGc();
