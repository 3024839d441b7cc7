/**
 * CLI values: arguments read, and results printed, in the readable notation of the interop
 * vectors (src/syrup/notation-parse.ts; docs/cli.md "Values"), through the value model, so
 * `42` is an Integer, `1.5` a Float64, `'name` a Symbol, `{"k": 1}` a Struct,
 * `<desc:tagged 'tag 1>` a Tagged and `<void>` undefined.
 * @module
 */
import { fromSyrup, toSyrup, type RefHooks } from '../model/index.js';
import { refInfo } from '../captp/refs.js';
import { parseNotation } from '../syrup/notation-parse.js';
import { toNotation } from '../syrup/notation.js';
import { SyrupRecord, SyrupSymbol } from '../syrup/types.js';
import { UsageError } from './netlayers.js';

/** Arguments carry no references: every descriptor record is refused. */
const NO_REFS: RefHooks = {
  isKnownRef: () => false,
  encodeRef: () => {
    throw new TypeError('an argument cannot be a reference');
  },
  decodeRef: () => undefined,
};

/**
 * One CLI argument as a passable.
 * @param text the argument, in the notation (`42`, `"text"`, `'sym`, `[1 2]`, `{"k": t}`, …).
 * @param what how the error names it, e.g. `argument 2`.
 * @throws UsageError when the text is not notation, or not an OCapN value (a Set, an
 *   unknown record label).
 */
export function parseArg(text: string, what = 'argument'): unknown {
  try {
    return fromSyrup(parseNotation(text), NO_REFS);
  } catch (e) {
    const message = (e as Error).message.replace(/^notation: /, '');
    throw new UsageError(`${what} ${JSON.stringify(text)}: ${message}`);
  }
}

const recordOf = (label: string, pos?: number) => new SyrupRecord(new SyrupSymbol(label), pos === undefined ? [] : [BigInt(pos)]);

/** References in results, written as the descriptor they arrived as (`<desc:import-object 1>`). */
const SHOW_REFS: RefHooks = {
  isKnownRef: (v) => refInfo.has(v),
  encodeRef: (v) => {
    const info = refInfo.get(v);
    if (info) return recordOf(`desc:${info.kind}`, info.pos);
    return recordOf(typeof (v as PromiseLike<unknown>).then === 'function' ? 'local-promise' : 'local-object');
  },
  decodeRef: () => undefined,
};

/**
 * A result in the notation: data as written on the wire (`undefined` as `<void>`, an Error
 * as `<desc:error "message">`), references as the descriptor they arrived as.
 */
export function formatValue(v: unknown): string {
  try {
    return toNotation(toSyrup(v, SHOW_REFS, { errorForm: 'desc:error' }));
  } catch (e) {
    return `<unprintable: ${(e as Error).message}>`;
  }
}
