/**
 * Option helpers shared by the public option types.
 * @module
 */

/**
 * Every field of `T` optional, where an explicit `undefined` means "the default": the form
 * option objects take, also under `exactOptionalPropertyTypes` (where `Partial<T>` would
 * refuse `{ timeoutMs: undefined }`).
 */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };
