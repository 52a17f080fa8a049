// The attempts at one record (ProcessingAttempts, without a task around it): a record processed
// synchronously is done at once; a record whose processor fails under a retry policy waits for its
// backoff, is given again to the processor that failed — not to the source — in the record context
// it failed in, and counts as consumed only once it succeeded; after the last attempt the handler
// decides, and a failing handler names the record and the attempts.
import { describe, expect, it } from 'vitest';
import { ManualClock, noopLogger } from '@sluice/common';
import type { Processor } from '../src/processor/api.js';
import { Headers } from '../src/processor/headers.js';
import type { EngineConfig } from '../src/engine/config.js';
import { ConsumedOffsets } from '../src/engine/consumed-offsets.js';
import type { CurrentRecordSlot } from '../src/engine/forwarded-context.js';
import { ProcessorRuntimeNode, SourceRuntimeNode, type RuntimeNode } from '../src/engine/nodes.js';
import { PendingForwards } from '../src/engine/pending-forwards.js';
import { ProcessingAttempts } from '../src/engine/processing-attempts.js';
import { ProcessingFailures } from '../src/engine/processing-failures.js';
import type { StampedRecord } from '../src/engine/record-queue.js';

/** A processor that throws on its first `failures` calls, noting the record context it ran in each time. */
function flaky(failures: number, slot: CurrentRecordSlot, seen: { value: unknown; offset: number | undefined; timestamp: number | undefined }[]): Processor<unknown, unknown, unknown, unknown> {
  let calls = 0;
  return {
    process(record) {
      seen.push({ value: record.value, offset: slot.current?.metadata?.offset, timestamp: slot.current?.context.timestamp });
      if (++calls <= failures) throw new Error(`down (call ${calls})`);
    },
  };
}

function setup(failures: number, maxAttempts = 3) {
  const clock = new ManualClock(1_000);
  const config: EngineConfig = {
    applicationId: 'app',
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
    defaultTimestampExtractor: () => 0,
    deserializationExceptionHandler: 'logAndFail',
    processingExceptionHandler: 'logAndFail',
    processingRetry: { maxAttempts, initialBackoffMs: 100, multiplier: 2 },
    appConfigs: {},
    clock,
    logger: noopLogger,
  };
  const slot: CurrentRecordSlot = { current: undefined };
  const seen: { value: unknown; offset: number | undefined; timestamp: number | undefined }[] = [];
  const audited: unknown[] = [];
  const source = new SourceRuntimeNode('src');
  source.addChild(new ProcessorRuntimeNode('audit', { process: (record) => void audited.push(record.value) }));
  source.addChild(new ProcessorRuntimeNode('enrich', flaky(failures, slot, seen)));
  const nodes = new Map<string, RuntimeNode>([['src', source]]);
  const offsets = new ConsumedOffsets();
  const attempts = new ProcessingAttempts({
    taskId: '0_0',
    subtopologyId: 0,
    config,
    nodes,
    failures: new ProcessingFailures('0_0', config, { send: () => undefined }, clock),
    pending: new PendingForwards(),
    slot,
    offsets,
  });
  return { clock, slot, seen, audited, offsets, attempts };
}

const head = (offset: number, value: string): StampedRecord => ({
  raw: { topic: 'orders', partition: 0, offset, timestamp: 500 + offset, key: Buffer.from('k'), value: Buffer.from(value), headers: new Headers() },
  key: 'k',
  value,
  timestamp: 500 + offset,
});

describe('the attempts at a record', () => {
  it('a record its processors take synchronously is done at once, without a promise', () => {
    const { attempts, offsets, slot } = setup(0);
    expect(attempts.process('src', head(7, 'a'))).toBeUndefined();
    expect(offsets.committable()).toEqual(new Map([['orders', 8]]));
    expect(offsets.commitNeeded).toBe(true);
    expect(slot.current).toBeUndefined();
  });

  it('a failed record waits for its backoff, then only the failed processor gets it again, in the context it failed in', async () => {
    const { attempts, offsets, slot, seen, audited, clock } = setup(1);
    expect(attempts.process('src', head(7, 'a'))).toBeUndefined();
    // waiting: not consumed, nothing current, due after the first backoff
    expect(attempts.waiting?.nextAttemptAt).toBe(1_100);
    expect(attempts.waiting?.attempt).toBe(2);
    expect(offsets.committable()).toEqual(new Map());
    expect(slot.current).toBeUndefined();
    clock.advance(100);
    expect(await attempts.attemptAgain()).toBe(true);
    expect(seen).toEqual([
      { value: 'a', offset: 7, timestamp: 507 },
      { value: 'a', offset: 7, timestamp: 507 },
    ]);
    expect(audited).toEqual(['a']);
    expect(attempts.waiting).toBeUndefined();
    expect(offsets.committable()).toEqual(new Map([['orders', 8]]));
    expect(slot.current).toBeUndefined();
  });

  it('the backoff grows with each attempt, and after the last one a failing handler names the record and the attempts', async () => {
    const { attempts, offsets, clock } = setup(5, 3);
    expect(attempts.process('src', head(3, 'b'))).toBeUndefined();
    clock.advance(100);
    expect(await attempts.attemptAgain()).toBe(false);
    expect(attempts.waiting?.nextAttemptAt).toBe(1_100 + 200);
    clock.advance(200);
    await expect(attempts.attemptAgain()).rejects.toThrow(/processor 'enrich' in task 0_0 failed on the record at topic 'orders' partition 0 offset 3 .*after 3 attempts: Error: down \(call 3\)/);
    expect(offsets.committable()).toEqual(new Map());
  });

  it('forgetting the waiting record leaves its offset uncommitted (the consumer fetches it again)', () => {
    const { attempts, offsets } = setup(1);
    expect(attempts.process('src', head(4, 'c'))).toBeUndefined();
    attempts.clear();
    expect(attempts.waiting).toBeUndefined();
    expect(offsets.commitNeeded).toBe(false);
  });
});
