// Owns what a task has to commit (Kafka's StreamTask keeps the same: consumedOffsets, commitNeeded,
// commitRequested): per input topic the offset of the last record the task is done with —
// processed, skipped by a handler, or passed over by the fetch (transaction markers, aborted
// records) — whether anything changed since the last commit, and whether a processor asked for one.

export class ConsumedOffsets {
  private readonly offsets = new Map<string, number>();
  /** Records were processed (or punctuations ran) since the last commit. */
  commitNeeded = false;
  /** A processor called context.commit() since the last commit. */
  commitRequested = false;

  /** The task is done with the record at `offset` of `topic`. */
  consumed(topic: string, offset: number): void {
    this.offsets.set(topic, offset);
    this.commitNeeded = true;
  }

  /** The fetch of `topic` reached `nextOffset` and nothing before it waits to be processed. */
  advance(topic: string, nextOffset: number): void {
    const last = this.offsets.get(topic);
    if (last === undefined || nextOffset - 1 > last) this.consumed(topic, nextOffset - 1);
  }

  /** The next offset to read, per input topic. */
  committable(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [topic, offset] of this.offsets) out.set(topic, offset + 1);
    return out;
  }

  committed(): void {
    this.commitNeeded = false;
    this.commitRequested = false;
  }
}
