/**
 * The per-session tables (CapTP Specification; notes §6.1, §6.3): exports with their wire
 * counts, imports with their received counts, and answers.
 * @module
 */

import type { ByteBudget } from './budget.js';

/** Raised when a table limit is reached. */
export class TableLimitError extends RangeError {
  constructor(table: string, limit: number) {
    super(`${table} table is full (limit ${limit})`);
    this.name = 'TableLimitError';
  }
}

interface ExportEntry {
  readonly value: unknown;
  /** How many times we have sent this reference since the peer last reported it (notes §6.3). */
  count: number;
}

/** Objects and promises we export, by position; 0 is the bootstrap object and is never collected. */
export class ExportTable {
  private readonly byPos = new Map<number, ExportEntry>();
  private readonly byValue = new Map<unknown, number>();
  private next = 1;
  /** Positions sent while a journal is open (see {@link mark}), innermost last. */
  private readonly journal: number[] = [];
  private journalDepth = 0;
  constructor(private readonly limit: number, bootstrap: unknown) {
    this.byPos.set(0, { value: bootstrap, count: 0 });
    this.byValue.set(bootstrap, 0);
  }
  /** Position for `value`, adding it if new; counts one more send. */
  exportValue(value: unknown): number {
    let pos = this.byValue.get(value);
    if (pos === undefined) {
      if (this.byPos.size >= this.limit) throw new TableLimitError('export', this.limit);
      pos = this.next++;
      this.byPos.set(pos, { value, count: 0 });
      this.byValue.set(value, pos);
    }
    this.byPos.get(pos)!.count++;
    if (this.journalDepth > 0) this.journal.push(pos);
    return pos;
  }

  /**
   * Start recording the sends {@link exportValue} counts, so they can be undone if the message
   * carrying them is never sent. Journals nest: what an inner one keeps, the outer one undoes
   * too. Pair every mark with {@link endMark}; no allocation per journal.
   * @returns the mark to pass to {@link rollback} and {@link endMark}.
   */
  mark(): number {
    this.journalDepth++;
    return this.journal.length;
  }
  /** Undo the sends recorded since `mark` (each released once). */
  rollback(mark: number): void {
    const j = this.journal;
    for (let i = j.length - 1; i >= mark; i--) this.release(j[i], 1);
    j.length = mark;
  }
  /** Close the journal opened by `mark`; its sends stay recorded for an enclosing one. */
  endMark(_mark: number): void {
    if (--this.journalDepth === 0) this.journal.length = 0;
  }
  has(pos: number): boolean {
    return this.byPos.has(pos);
  }
  get(pos: number): unknown {
    return this.byPos.get(pos)?.value;
  }
  /** Apply an `op:gc-exports` delta; frees the entry at zero. Unknown positions are ignored. */
  release(pos: number, delta: number): void {
    if (pos === 0) return;
    const e = this.byPos.get(pos);
    if (!e) return;
    e.count -= delta;
    if (e.count <= 0) {
      this.byPos.delete(pos);
      this.byValue.delete(e.value);
    }
  }
  get size(): number {
    return this.byPos.size;
  }
  clear(): void {
    this.byPos.clear();
    this.byValue.clear();
  }
}

interface ImportEntry<T extends object> {
  /** The JS object standing for the import; absent while it has only been counted (resolvers). */
  ref: WeakRef<T> | undefined;
  /** Times received since we last sent op:gc-exports for this position. */
  count: number;
  readonly token: object;
}

/**
 * References the peer exported to us, held weakly: when the JS object is collected (or
 * released explicitly) the session reports the received count with op:gc-exports.
 */
export class ImportTable<T extends object> {
  private readonly byPos = new Map<number, ImportEntry<T>>();
  constructor(private readonly limit: number) {}
  /** The live reference at `pos`, counting one more receipt; `undefined` if none is alive. */
  take(pos: number): T | undefined {
    const e = this.byPos.get(pos);
    const v = e?.ref?.deref();
    if (e && v) {
      e.count++;
      return v;
    }
    return undefined;
  }
  /** Record a new reference at `pos` (received once), carrying over an unreported count. Returns its token. */
  put(pos: number, value: T): object {
    const old = this.byPos.get(pos);
    if (!old && this.byPos.size >= this.limit) throw new TableLimitError('import', this.limit);
    const token = {};
    this.byPos.set(pos, { ref: new WeakRef(value), count: (old?.count ?? 0) + 1, token });
    return token;
  }
  /**
   * Count one receipt of `pos` without making a JS object for it (the peer's resolvers, which
   * we only ever send fulfill/break). Returns the entry's token.
   */
  count(pos: number): object {
    const e = this.byPos.get(pos);
    if (e) {
      e.count++;
      return e.token;
    }
    if (this.byPos.size >= this.limit) throw new TableLimitError('import', this.limit);
    const token = {};
    this.byPos.set(pos, { ref: undefined, count: 1, token });
    return token;
  }
  /**
   * Release a counted-only entry (see {@link count}): returns the count to report, or 0 when a
   * live JS object now stands for `pos` (its collection will report the whole count).
   */
  releaseCounted(pos: number): number {
    const e = this.byPos.get(pos);
    if (!e || e.ref?.deref()) return 0;
    this.byPos.delete(pos);
    return e.count;
  }
  /** Remove the entry at `pos` if it still has `token`; returns the count to report, or 0. */
  drop(pos: number, token?: object): number {
    const e = this.byPos.get(pos);
    if (!e || (token && e.token !== token)) return 0;
    this.byPos.delete(pos);
    return e.count;
  }
  get size(): number {
    return this.byPos.size;
  }
  /**
   * Whether a JS object stands for some import (a presence or promise whose collection would
   * report it), rather than only counted entries (resolvers). Walks the table until it finds one.
   */
  holdsObjects(): boolean {
    for (const e of this.byPos.values()) if (e.ref !== undefined) return true;
    return false;
  }
  clear(): void {
    this.byPos.clear();
  }
}

/**
 * Answer promises the peer asked us to hold, by the positions it chose, each with the bytes
 * it is charged against the session's answer budget (the message that opened it, plus the
 * result we sent) until op:gc-answers releases it.
 */
export class AnswerTable {
  private readonly byPos = new Map<number, { promise: Promise<unknown>; bytes: number }>();
  constructor(
    private readonly limit: number,
    private readonly budget: ByteBudget,
  ) {}
  has(pos: number): boolean {
    return this.byPos.has(pos);
  }
  get(pos: number): Promise<unknown> | undefined {
    return this.byPos.get(pos)?.promise;
  }
  /** @throws BudgetError if an answer charged `bytes` would not fit in the budget. */
  checkRoom(bytes: number): void {
    this.budget.check(bytes);
  }
  /** Open answer `pos` (not in use), charged `bytes`. @throws TableLimitError, BudgetError. */
  set(pos: number, p: Promise<unknown>, bytes: number): void {
    if (this.byPos.size >= this.limit) throw new TableLimitError('answer', this.limit);
    this.budget.take(bytes);
    this.byPos.set(pos, { promise: p, bytes });
  }
  /** Charge answer `pos` (if still held) `bytes` more. @throws BudgetError. */
  charge(pos: number, bytes: number): void {
    const entry = this.byPos.get(pos);
    if (!entry) return;
    this.budget.take(bytes);
    entry.bytes += bytes;
  }
  delete(pos: number): void {
    const entry = this.byPos.get(pos);
    if (!entry) return;
    this.byPos.delete(pos);
    this.budget.give(entry.bytes);
  }
  get size(): number {
    return this.byPos.size;
  }
  clear(): void {
    this.byPos.clear();
    this.budget.clear();
  }
}
