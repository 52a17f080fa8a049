// A task's punctuation (TaskPunctuation, without a task around it): nothing fires on stream time
// before the first record; a due punctuator runs with the punctuation time as its record context
// and no record metadata, and the task then needs a commit; wall-clock schedules start one
// interval after they were made; cancelled ones stay quiet; a failing punctuator fails the task
// naming the processor, the time type and the time.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@sluice/common';
import { ConsumedOffsets } from '../src/engine/consumed-offsets.js';
import type { CurrentRecordSlot } from '../src/engine/forwarded-context.js';
import { PendingForwards } from '../src/engine/pending-forwards.js';
import { TaskPunctuation } from '../src/engine/task-punctuation.js';

function setup() {
  const clock = new ManualClock(1_000);
  const slot: CurrentRecordSlot = { current: undefined };
  const offsets = new ConsumedOffsets();
  const punctuation = new TaskPunctuation('1_2', clock, slot, new PendingForwards(), offsets);
  return { clock, slot, offsets, punctuation };
}

describe("a task's punctuation", () => {
  it('stream time: nothing before the first record, then due punctuators run in the punctuation time and a commit is needed', async () => {
    const { slot, offsets, punctuation } = setup();
    const fired: { at: number; timestamp: number | undefined; metadata: unknown }[] = [];
    punctuation.schedule('window', 10, 'STREAM_TIME', (at) => void fired.push({ at, timestamp: slot.current?.context.timestamp, metadata: slot.current?.metadata }));
    expect(await punctuation.maybePunctuateStreamTime(-1)).toBe(false);
    expect(punctuation.nextStreamTimeDue()).toBe(0);
    expect(await punctuation.maybePunctuateStreamTime(25)).toBe(true);
    expect(fired).toEqual([{ at: 25, timestamp: 25, metadata: undefined }]);
    expect(slot.current).toBeUndefined();
    expect(offsets.commitNeeded).toBe(true);
    // missed intervals are skipped, not replayed: next due at 30
    expect(punctuation.nextStreamTimeDue()).toBe(30);
  });

  it('wall clock: due one interval after scheduling; a cancelled schedule stays quiet', async () => {
    const { clock, punctuation } = setup();
    const fired: string[] = [];
    punctuation.schedule('flush', 50, 'WALL_CLOCK_TIME', () => void fired.push('flush'));
    const quiet = punctuation.schedule('quiet', 50, 'WALL_CLOCK_TIME', () => void fired.push('quiet'));
    quiet.cancel();
    expect(punctuation.nextWallClockDue()).toBe(1_050);
    expect(await punctuation.maybePunctuateSystemTime()).toBe(false);
    clock.advance(50);
    expect(await punctuation.maybePunctuateSystemTime()).toBe(true);
    expect(fired).toEqual(['flush']);
  });

  it('a failing punctuator names the processor, the time type and the time', async () => {
    const { slot, punctuation } = setup();
    punctuation.schedule('expire', 10, 'STREAM_TIME', () => {
      throw new Error('store gone');
    });
    await expect(punctuation.maybePunctuateStreamTime(40)).rejects.toThrow("STREAM_TIME punctuator of processor 'expire' in task 1_2 failed at 40: Error: store gone");
    expect(slot.current).toBeUndefined();
  });
});
