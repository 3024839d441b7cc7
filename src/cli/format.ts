/**
 * Reading CLI arguments as OCapN values and printing results.
 * @module
 */
import { Selector, Tagged, isPromise, isRemotable } from '../model/index.js';
import { refInfo } from '../captp/refs.js';

/**
 * One CLI argument as a value: `12` → Integer, `1.5` → Float64, `true`/`false`, `null`,
 * `'name` → Symbol, JSON (integers inside become Integers), anything else → String.
 */
export function parseArg(text: string): unknown {
  if (/^-?\d+$/.test(text)) return BigInt(text);
  if (/^-?\d+\.\d+(e[+-]?\d+)?$/i.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (text.startsWith("'") && text.length > 1) return new Selector(text.slice(1));
  if (/^[[{"]/.test(text)) {
    try {
      const withBig = text.replace(/(?<=[:,[\s]|^)(-?\d+)(?=[,\]}\s]|$)/g, '"__int:$1"');
      return JSON.parse(withBig, (_k, v) => (typeof v === 'string' && v.startsWith('__int:') ? BigInt(v.slice(6)) : v));
    } catch {
      return text;
    }
  }
  return text;
}

/** A readable rendering of a passable (references shown as `<remote object>` etc.). */
export function formatValue(v: unknown, depth = 0): string {
  if (depth > 32) return '…';
  switch (typeof v) {
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `${v}n`;
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0.0' : String(v);
    case 'boolean':
      return String(v);
    case 'function':
      return '<local object>';
  }
  if (v === null) return 'null';
  if (refInfo.has(v as object)) return refInfo.get(v as object)!.kind === 'import-object' ? '<remote object>' : '<remote promise>';
  if (v instanceof Selector) return `'${v.name}`;
  if (v instanceof Uint8Array) return `bytes(${Buffer.from(v).toString('hex')})`;
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x, depth + 1)).join(', ')}]`;
  if (v instanceof Tagged) return `tagged(${JSON.stringify(v.tag)}, ${formatValue(v.payload, depth + 1)})`;
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (isPromise(v)) return '<promise>';
  if (isRemotable(v)) return '<local object>';
  return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${formatValue(x, depth + 1)}`).join(', ')}}`;
}
