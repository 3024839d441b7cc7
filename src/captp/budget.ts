/**
 * Byte budgets: what a peer can make us hold, counted in bytes, per session with an optional
 * node-wide parent. One object per resource, asked by every allocation, so the limits can be
 * audited in one place (docs/security.md).
 * @module
 */

/** A budget was exceeded; the session that asked aborts with this message as the reason. */
export class BudgetError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetError';
  }
}

/** A count of bytes with a ceiling; a child budget also charges its parent. */
export class ByteBudget {
  #used = 0;

  /**
   * @param name the option that sets `limit`, for messages (e.g. `maxAnswerBytes`).
   * @param limit most bytes held at once.
   * @param parent a node-wide budget charged together with this one.
   */
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly parent?: ByteBudget,
  ) {}

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  /** @throws BudgetError if `n` more bytes would not fit (charges nothing). */
  check(n: number): void {
    if (this.#used + n > this.limit) {
      throw new BudgetError(`${this.#used + n} bytes would exceed ${this.name} (${this.limit})`);
    }
    if (this.parent) {
      try {
        this.parent.check(n);
      } catch (e) {
        throw new BudgetError(`${(e as Error).message}, node-wide`);
      }
    }
  }

  /**
   * Charge `n` bytes (n ≥ 0). Nothing is charged if it fails.
   * @throws BudgetError if this budget or its parent would go over its limit.
   */
  take(n: number): void {
    if (this.#used + n > this.limit) {
      throw new BudgetError(`${this.#used + n} bytes would exceed ${this.name} (${this.limit})`);
    }
    if (this.parent) {
      try {
        this.parent.take(n);
      } catch (e) {
        throw new BudgetError(`${(e as Error).message}, node-wide`);
      }
    }
    this.#used += n;
  }

  /** Give back `n` bytes taken earlier. */
  give(n: number): void {
    this.#used -= n;
    this.parent?.give(n);
  }

  /** Give back everything this budget holds (the session ended). */
  clear(): void {
    this.parent?.give(this.#used);
    this.#used = 0;
  }
}
