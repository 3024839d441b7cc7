/**
 * Syrup decoding errors and decoder limits.
 *
 * @module
 */

/**
 * Thrown by the decoders ({@link decode}, {@link scanValue}, {@link SyrupStreamReader}) when the
 * input is not canonical Syrup (ocapn-notes §1.2) or exceeds a {@link DecodeOptions} limit.
 *
 * The message names the rule and the byte offset, e.g.
 * `"Syrup: dictionary keys not in canonical order at byte 17"`.
 */
export class SyrupError extends Error {
  /** Byte offset of the offending byte (relative to the buffer given, or to the stream start). */
  readonly offset: number;
  /** The rule that was broken, without the offset (e.g. `"dictionary keys not in canonical order"`). */
  readonly rule: string;
  constructor(rule: string, offset: number) {
    super(`Syrup: ${rule} at byte ${offset}`);
    this.name = 'SyrupError';
    this.rule = rule;
    this.offset = offset;
  }
}

/** Limits and switches for the Syrup decoders. Every field is optional. */
export interface DecodeOptions {
  /** Most containers (list, dictionary, record, set) open at once. Default 128. */
  maxDepth?: number | undefined;
  /** Longest string, bytestring or symbol, in bytes. Default 16 MiB (16,777,216). */
  maxBytesLength?: number | undefined;
  /**
   * Most items in one container: list items, dictionary entries (key–value pairs), record
   * fields (the label not counted), set items. Default 1,000,000.
   */
  maxContainerLength?: number | undefined;
  /**
   * Largest top-level value, in bytes (enforced by {@link scanValue} and
   * {@link SyrupStreamReader}; {@link decode} is bounded by its input anyway). Default 64 MiB.
   */
  maxValueBytes?: number | undefined;
  /**
   * Longest integer digit run. Bounds the work of big-integer parsing. Default 4096 digits
   * (integers up to about 2^13600). Extension beyond the agreed API.
   */
  maxIntegerDigits?: number | undefined;
  /** Accept Syrup sets `#…$`. Default `true` at this layer (OCapN itself refuses sets). */
  allowSets?: boolean | undefined;
  /**
   * Which dictionary key orders are accepted. `'canonical'` (default): only canonical order
   * (sorted by encoded key bytes). `'canonical-or-js'`: also a dictionary whose keys are all
   * strings in exactly JS string order (UTF-16 code units), as Endo writes structs (notes
   * §15.1); such a dictionary decodes with `order: 'js'`. Any other order, and duplicate
   * keys, are refused in both modes. Sets are always canonical. Extension beyond the agreed API.
   */
  dictOrder?: 'canonical' | 'canonical-or-js' | undefined;
}

/** {@link DecodeOptions} with every default filled in. @internal */
export interface ResolvedOptions {
  readonly maxDepth: number;
  readonly maxBytesLength: number;
  readonly maxContainerLength: number;
  readonly maxValueBytes: number;
  readonly maxIntegerDigits: number;
  readonly allowSets: boolean;
  readonly dictOrder: 'canonical' | 'canonical-or-js';
}

/** Default limits. */
export const DEFAULT_DECODE_OPTIONS: ResolvedOptions = Object.freeze({
  maxDepth: 128,
  maxBytesLength: 16 * 1024 * 1024,
  maxContainerLength: 1_000_000,
  maxValueBytes: 64 * 1024 * 1024,
  maxIntegerDigits: 4096,
  allowSets: true,
  dictOrder: 'canonical',
});

function limit(options: DecodeOptions, key: keyof ResolvedOptions, min: number): number {
  const v = (options as Record<string, unknown>)[key];
  if (v === undefined) return DEFAULT_DECODE_OPTIONS[key] as number;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new RangeError(`Syrup option ${key} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * Validates options and fills defaults. @internal
 * @throws TypeError if `options` is not an object or `allowSets`/`dictOrder` has a wrong value; RangeError for a negative or non-integer limit.
 */
export function resolveOptions(options: DecodeOptions | undefined): ResolvedOptions {
  if (options === undefined) return DEFAULT_DECODE_OPTIONS;
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Syrup decode options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const allowSets = options.allowSets;
  if (allowSets !== undefined && typeof allowSets !== 'boolean') {
    throw new TypeError(`Syrup option allowSets must be a boolean, got ${typeof allowSets}`);
  }
  const dictOrder = options.dictOrder;
  if (dictOrder !== undefined && dictOrder !== 'canonical' && dictOrder !== 'canonical-or-js') {
    throw new TypeError(`Syrup option dictOrder must be 'canonical' or 'canonical-or-js', got ${String(dictOrder)}`);
  }
  return {
    maxDepth: limit(options, 'maxDepth', 0),
    maxBytesLength: limit(options, 'maxBytesLength', 0),
    maxContainerLength: limit(options, 'maxContainerLength', 0),
    maxValueBytes: limit(options, 'maxValueBytes', 1),
    maxIntegerDigits: limit(options, 'maxIntegerDigits', 1),
    allowSets: allowSets ?? true,
    dictOrder: dictOrder ?? 'canonical',
  };
}

/** Describes a byte for error messages: `'x' (0x78)`. @internal */
export function describeByte(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}' (${hex})` : hex;
}
