// Owns scheduled punctuations of one task and one time type, and when each fires next: stream-time
// schedules are aligned to 0, wall-clock ones to when they were scheduled; missed intervals are
// skipped, not replayed (Kafka Streams' PunctuationQueue / PunctuationSchedule).

export interface PunctuationSchedule {
  readonly nodeName: string;
  readonly intervalMs: number;
  readonly callback: (timestamp: number) => void | Promise<void>;
  nextTime: number;
  cancelled: boolean;
}

export class PunctuationQueue {
  private readonly schedules: PunctuationSchedule[] = [];

  add(schedule: PunctuationSchedule): void {
    this.schedules.push(schedule);
  }

  get size(): number {
    return this.schedules.length;
  }

  /** The earliest due time, or Infinity. */
  nextDue(): number {
    let min = Infinity;
    for (const s of this.schedules) if (!s.cancelled && s.nextTime < min) min = s.nextTime;
    return min;
  }

  /**
   * The schedules due at `now`, earliest first, each advanced to its next time. Cancelled ones are
   * dropped. The caller runs the callbacks in the returned order.
   */
  due(now: number): PunctuationSchedule[] {
    const out: PunctuationSchedule[] = [];
    for (let i = this.schedules.length - 1; i >= 0; i--) if (this.schedules[i]!.cancelled) this.schedules.splice(i, 1);
    const due = this.schedules.filter((s) => s.nextTime <= now).sort((a, b) => a.nextTime - b.nextTime);
    for (const s of due) out.push(s);
    return out;
  }

  /** After a schedule fired at `now`: the next time is one interval later, skipping missed ones. */
  static advance(s: PunctuationSchedule, now: number): void {
    let next = s.nextTime + s.intervalMs;
    if (now >= next) {
      const missed = Math.floor((now - s.nextTime) / s.intervalMs);
      next = s.nextTime + (missed + 1) * s.intervalMs;
    }
    s.nextTime = next;
  }
}
