// The task's choice of its next record among several inputs (Kafka's PartitionGroup.readyToProcess):
// an empty input whose lag is unknown or above 0 is waited for, an input known to be caught up is
// waited for up to max.task.idle.ms from when it ran dry (not again after every record), and -1
// never waits.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@sluice/common';
import { PartitionGroup } from '../src/engine/partition-group.js';
import type { RawRecord } from '../src/engine/record-queue.js';

function group(maxTaskIdleMs: number, lags: Map<string, number | undefined>, clock = new ManualClock(0)) {
  const g = new PartitionGroup({
    stamp: (_q, raw) => ({ raw, key: raw.key?.toString(), value: raw.value?.toString(), timestamp: raw.timestamp }),
    skipped: () => undefined,
    clock,
    maxTaskIdleMs,
    lag: (topic) => lags.get(topic),
  });
  g.addQueue('clicks', 'clicks-source');
  g.addQueue('customers', 'customers-source');
  return g;
}

const raw = (topic: string, offset: number, timestamp: number): RawRecord => ({ topic, partition: 0, offset, timestamp, key: Buffer.from('k'), value: Buffer.from(`${topic}-${offset}`), headers: {} as never });

describe('a task with two inputs picks its next record', () => {
  it('waits while the empty input lag is not known yet, and while it is above 0', () => {
    const lags = new Map<string, number | undefined>([['customers', undefined], ['clicks', 0]]);
    const g = group(0, lags);
    g.queue('clicks')!.add([raw('clicks', 0, 100)]);
    expect(g.next()).toBeUndefined();
    lags.set('customers', 5);
    expect(g.next()).toBeUndefined();
    // the table's records arrive (older): they go first, then the click
    lags.set('customers', 0);
    g.queue('customers')!.add([raw('customers', 0, 10)]);
    expect(g.next()?.head.raw.topic).toBe('customers');
    expect(g.next()?.head.raw.topic).toBe('clicks');
    expect(g.enforced).toBe(true);
  });

  it('with max.task.idle.ms 0 goes on at once when the empty input is caught up', () => {
    const g = group(0, new Map([['customers', 0], ['clicks', 0]]));
    g.queue('clicks')!.add([raw('clicks', 0, 100)]);
    expect(g.next()?.head.raw.offset).toBe(0);
  });

  it('waits max.task.idle.ms from when the input ran dry, not again after every record', () => {
    const clock = new ManualClock(1_000);
    const g = group(200, new Map([['customers', 0], ['clicks', 0]]), clock);
    g.queue('clicks')!.add([raw('clicks', 0, 100), raw('clicks', 1, 101), raw('clicks', 2, 102)]);
    expect(g.next()).toBeUndefined();
    clock.advance(199);
    expect(g.next()).toBeUndefined();
    clock.advance(1);
    expect(g.next()?.head.raw.offset).toBe(0);
    // still dry: the deadline has passed, so the rest goes on without waiting again
    expect(g.next()?.head.raw.offset).toBe(1);
    expect(g.next()?.head.raw.offset).toBe(2);
    // the input got data and ran dry again: a new wait starts
    g.queue('customers')!.add([raw('customers', 0, 50)]);
    g.queue('clicks')!.add([raw('clicks', 3, 103)]);
    expect(g.next()?.head.raw.topic).toBe('customers');
    expect(g.next()).toBeUndefined();
    clock.advance(200);
    expect(g.next()?.head.raw.offset).toBe(3);
  });

  it('with max.task.idle.ms -1 never waits, not even for an input that lags', () => {
    const g = group(-1, new Map([['customers', 7], ['clicks', 0]]));
    g.queue('clicks')!.add([raw('clicks', 0, 100)]);
    expect(g.next()?.head.raw.offset).toBe(0);
  });
});
