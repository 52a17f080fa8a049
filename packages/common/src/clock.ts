// Owns time: the only place Date.now and timers are touched. Everything else takes a Clock, so
// TopologyTestDriver can run the real task code against a fake clock.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): Cancellable;
  setInterval(fn: () => void, ms: number): Cancellable;
}

export interface Cancellable {
  cancel(): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    return { cancel: () => clearInterval(t) };
  },
};

/** A clock that only moves when told to; timers fire, in time order, as it is advanced. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; every: number | undefined; fn: () => void }>();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): Cancellable {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Cancellable {
    return this.add(fn, ms, Math.max(1, ms));
  }

  /** Move time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    const target = this.current + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= target && t.at < nextAt) {
          nextAt = t.at;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId)!;
      this.current = Math.max(this.current, timer.at);
      if (timer.every === undefined) this.timers.delete(nextId);
      else timer.at += timer.every;
      timer.fn();
    }
    this.current = target;
  }

  private add(fn: () => void, ms: number, every: number | undefined): Cancellable {
    const id = ++this.seq;
    this.timers.set(id, { at: this.current + Math.max(0, ms), every, fn });
    return { cancel: () => this.timers.delete(id) };
  }
}
