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
 * A Syrup dictionary. `entries` may be in any order when encoding (the encoder sorts them
 * by encoded key bytes); the decoder returns them in canonical order.
 */
export class SyrupDict {
  readonly entries: ReadonlyArray<readonly [SyrupValue, SyrupValue]>;
  constructor(entries: ReadonlyArray<readonly [SyrupValue, SyrupValue]>) {
    this.entries = entries;
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
