/**
 * The Syrup value types, as the codec sees them (no OCapN meaning yet).
 *
 * | Syrup        | JS                          |
 * |--------------|-----------------------------|
 * | `t` / `f`    | `boolean`                   |
 * | integer      | `bigint`                    |
 * | Float64 `D`  | `number`                    |
 * | bytestring   | `Uint8Array`                |
 * | string       | `string`                    |
 * | symbol       | {@link SyrupSymbol}         |
 * | list         | `SyrupValue[]`              |
 * | dictionary   | {@link SyrupDict}           |
 * | record       | {@link SyrupRecord}         |
 * | set          | {@link SyrupSet}            |
 *
 * @module
 */

/** Any value the Syrup codec can encode or decode. */
export type SyrupValue =
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | SyrupSymbol
  | SyrupValue[]
  | readonly SyrupValue[]
  | SyrupDict
  | SyrupRecord
  | SyrupSet;

/** A Syrup symbol (`5'fetch`); OCapN calls it a Symbol, Endo a selector. Compare by `name`. */
export class SyrupSymbol {
  readonly name: string;
  constructor(name: string) {
    if (typeof name !== 'string') throw new TypeError(`SyrupSymbol name must be a string, got ${typeof name}`);
    this.name = name;
    Object.freeze(this);
  }
  toString(): string {
    return `'${this.name}`;
  }
}

/** A Syrup record `<label field…>`. OCapN labels are always symbols. */
export class SyrupRecord {
  readonly label: SyrupValue;
  readonly fields: readonly SyrupValue[];
  constructor(label: SyrupValue, fields: readonly SyrupValue[]) {
    this.label = label;
    this.fields = fields;
  }
  /** The label's name when the label is a symbol, else `undefined`. */
  get labelName(): string | undefined {
    return this.label instanceof SyrupSymbol ? this.label.name : undefined;
  }
}

/**
 * The order in which a {@link SyrupDict}'s entries are written.
 * - `'canonical'`: sorted by the encoded key bytes (Syrup's canonical order, ocapn-notes §1.2).
 * - `'js'`: sorted by the keys as JS strings (UTF-16 code units), the order Endo's OCapN
 *   codec writes and insists on (notes §15.1). Every key must then be a string.
 */
export type DictOrder = 'canonical' | 'js';

/**
 * A Syrup dictionary. `entries` may be in any order when encoding: the encoder sorts them in
 * the dictionary's {@link SyrupDict.order} (canonical unless asked otherwise). The decoder
 * returns them in wire order and records which order that was (`'js'` only when a lenient
 * decode met keys in Endo's order that are not also canonical), so that re-encoding a
 * decoded dictionary gives back the bytes received (what signature checks rely on).
 */
export class SyrupDict {
  readonly entries: ReadonlyArray<readonly [SyrupValue, SyrupValue]>;
  /** How the encoder orders the entries. Default `'canonical'`. */
  readonly order: DictOrder;
  /**
   * @param entries the key–value pairs, in any order.
   * @param order how to write them (default `'canonical'`); `'js'` needs string keys.
   * @throws TypeError for an order other than `'canonical'` or `'js'`.
   */
  constructor(entries: ReadonlyArray<readonly [SyrupValue, SyrupValue]>, order: DictOrder = 'canonical') {
    if (order !== 'canonical' && order !== 'js') throw new TypeError(`SyrupDict order must be 'canonical' or 'js', got ${String(order)}`);
    this.entries = entries;
    this.order = order;
  }
}

/** A Syrup set `#…$` (Syrup only; OCapN refuses sets). Items in any order when encoding. */
export class SyrupSet {
  readonly items: readonly SyrupValue[];
  constructor(items: readonly SyrupValue[]) {
    this.items = items;
  }
}

/** Shorthand constructors. */
export const sym = (name: string): SyrupSymbol => new SyrupSymbol(name);
export const rec = (label: string, ...fields: SyrupValue[]): SyrupRecord => new SyrupRecord(new SyrupSymbol(label), fields);
