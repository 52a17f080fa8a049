// Owns mutual exclusion between the consumer's callbacks (batches, rebalance hooks) and the
// maintenance timer (punctuation, commits), so a task is never used by two of them at once.

export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
