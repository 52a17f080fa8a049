// Owns the promises a record's forwards created (asynchronous processors downstream): the task awaits
// all of them before it takes the next record, so a forgotten `await` in a user processor can
// neither reorder records nor let a commit overtake work in flight; the first failure among them
// is rethrown once all have settled.

export class PendingForwards {
  private readonly pending = new Set<Promise<void>>();
  private readonly failures: unknown[] = [];

  get size(): number {
    return this.pending.size;
  }

  /** Something is in flight or failed: the record is not finished synchronously. */
  get busy(): boolean {
    return this.pending.size > 0 || this.failures.length > 0;
  }

  track(p: Promise<void>): void {
    this.pending.add(p);
    p.then(
      () => this.pending.delete(p),
      (err: unknown) => {
        this.pending.delete(p);
        this.failures.push(err);
      },
    );
  }

  /** Wait for every tracked promise; rethrow the first failure among them. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    if (this.failures.length > 0) {
      const first = this.failures[0];
      this.failures.length = 0;
      throw first;
    }
  }

  /** Wait for every tracked promise and forget their failures (an error is being handled already). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    this.failures.length = 0;
  }
}
