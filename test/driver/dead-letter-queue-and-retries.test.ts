// Issue 14 §1–2 in the test driver: records the built-in handlers skip go to the dead letter queue
// with their original bytes and Kafka's __streams.errors.* headers (KIP-1034); custom handlers may
// be async and return dead-letter records of their own; a failing processor is retried with backoff
// while the task's later records wait, then the handler decides.
import { describe, expect, it } from 'vitest';
import { Consumed, DEAD_LETTER_HEADERS, Named, Produced, Serdes, StreamsBuilder, TopologyTestDriver, type Record, type TestOutputTopic } from 'sluice';

const S = Serdes.String();
const B = Serdes.ByteArray();

function header(topic: TestOutputTopic<Buffer, Buffer>) {
  return topic.readRecordsToList().map((r) => ({
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
    exception: r.headers.lastHeader(DEAD_LETTER_HEADERS.exception)?.value?.toString(),
    message: r.headers.lastHeader(DEAD_LETTER_HEADERS.message)?.value?.toString(),
    stacktrace: r.headers.lastHeader(DEAD_LETTER_HEADERS.stacktrace)?.value?.toString() ?? '',
    topic: r.headers.lastHeader(DEAD_LETTER_HEADERS.topic)?.value?.toString(),
    partition: r.headers.lastHeader(DEAD_LETTER_HEADERS.partition)?.value?.toString(),
    offset: r.headers.lastHeader(DEAD_LETTER_HEADERS.offset)?.value?.toString(),
    trace: r.headers.lastHeader('trace')?.value?.toString(),
  }));
}

describe('dead letter queue (KIP-1034)', () => {
  it('a record that cannot be deserialized goes to the DLQ with its original bytes and headers when the handler continues', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, Serdes.Json<{ n: number }>())).mapValues((v) => String(v.n)).to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), { deserializationExceptionHandler: 'logAndContinue', deadLetterQueueTopicName: 'app-dlq', logger: silent });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('a', '{"n":1}');
    await input.pipeInput('b', 'not json');
    await input.pipeInput('c', '{"n":3}');
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['1', '3']);
    const dlq = header(driver.createOutputTopic('app-dlq', B, B));
    expect(dlq).toHaveLength(1);
    expect(dlq[0]).toMatchObject({ key: 'b', value: 'not json', topic: 'in', partition: '0', offset: '1' });
    expect(dlq[0]!.message).toMatch(/JSON/i);
    expect(dlq[0]!.stacktrace.length).toBeGreaterThan(10);
    await driver.close();
  });

  it('a processing failure goes to the DLQ as the source record read, not the value the processor saw', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValues((v) => v.toUpperCase())
      .mapValues((v) => {
        if (v === 'BAD') throw new RangeError('no bad values');
        return v;
      })
      .to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), { processingExceptionHandler: 'logAndContinue', deadLetterQueueTopicName: 'app-dlq', logger: silent });
    const input = driver.createInputTopic('in', S, S);
    await input.pipeInput('k1', 'ok');
    await input.pipeInput('k2', 'bad');
    await input.pipeInput('k3', 'fine');
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['OK', 'FINE']);
    expect(header(driver.createOutputTopic('app-dlq', B, B))).toMatchObject([{ key: 'k2', value: 'bad', exception: 'RangeError', message: 'no bad values', topic: 'in', offset: '1' }]);
    await driver.close();
  });

  it('a failing handler stops processing with the record coordinates; nothing goes to the DLQ', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).mapValues(() => {
      throw new Error('boom');
    });
    const driver = new TopologyTestDriver(builder.build(), { deadLetterQueueTopicName: 'app-dlq', logger: silent });
    await expect(driver.createInputTopic('in', S, S).pipeInput('k', 'v')).rejects.toThrow(/failed on the record at topic 'in' partition 0 offset 0 .*boom/);
    expect(driver.createOutputTopic('app-dlq', B, B).readRecordsToList()).toEqual([]);
    await driver.close();
  });

  it('an async custom handler decides, and its own dead-letter records are written', async () => {
    const seen: string[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v.startsWith('x')) throw new Error(`cannot take ${v}`);
        return v;
      })
      .to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), {
      logger: silent,
      processingExceptionHandler: async (ctx) => {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(`${ctx.nodeName}@${ctx.offset}`);
        return { response: 'CONTINUE', deadLetterQueueRecords: [{ topic: 'my-dlq', key: ctx.source!.key, value: Buffer.from(`failed: ${(ctx.error as Error).message}`) }] };
      },
    });
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['a', 'x1', 'b', 'x2']) await input.pipeInput('k', v);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['a', 'b']);
    expect(driver.createOutputTopic('my-dlq', S, S).readValuesToList()).toEqual(['failed: cannot take x1', 'failed: cannot take x2']);
    expect(seen).toEqual(['KSTREAM-MAPVALUES-0000000001@1', 'KSTREAM-MAPVALUES-0000000001@3']);
    await driver.close();
  });

  it('a handler answer that is neither CONTINUE nor FAIL is refused with what to return', async () => {
    const builder = new StreamsBuilder();
    builder.stream('in', Consumed.with(S, S)).mapValues(() => {
      throw new Error('boom');
    });
    const driver = new TopologyTestDriver(builder.build(), { logger: silent, processingExceptionHandler: () => 'SKIP' as never });
    await expect(driver.createInputTopic('in', S, S).pipeInput('k', 'v')).rejects.toThrow(/must return 'CONTINUE', 'FAIL' or \{ response/);
    await driver.close();
  });
});

describe('retries with exponential backoff', () => {
  /** A processor that fails `failures` times per record before it succeeds (a service briefly down). */
  function flaky(failures: number, calls: string[]) {
    const tries = new Map<string, number>();
    return {
      get: () => ({
        process(this: { ctx?: unknown }, r: Record<string, string>) {
          const n = (tries.get(r.value) ?? 0) + 1;
          tries.set(r.value, n);
          calls.push(`${r.value}#${n}`);
          if (n <= failures) throw new Error(`service unavailable (${r.value}, try ${n})`);
          (this as unknown as { ctx: { forward(r: unknown): void } }).ctx.forward(r);
        },
        init(this: { ctx?: unknown }, ctx: unknown) {
          this.ctx = ctx;
        },
      }),
    };
  }

  it('retries the failing processor after its backoff, keeping the order of the partition', async () => {
    const calls: string[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .process<string, string>(flaky(2, calls) as never, Named.as('call-service'))
      .to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), { logger: silent, processingRetry: { maxAttempts: 5, initialBackoffMs: 100, multiplier: 2 } });
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', S, S);
    await input.pipeInput('k', 'a');
    await input.pipeInput('k', 'b');
    expect(out.readValuesToList()).toEqual([]); // 'a' waits for its retry, 'b' waits behind it
    expect(calls).toEqual(['a#1']);
    await driver.advanceWallClockTime(99);
    expect(calls).toEqual(['a#1']);
    await driver.advanceWallClockTime(1); // 100 ms: second try, fails; next in 200 ms
    expect(calls).toEqual(['a#1', 'a#2']);
    await driver.advanceWallClockTime(200); // third try succeeds; then 'b' fails its first try
    expect(out.readValuesToList()).toEqual(['a']);
    expect(calls).toEqual(['a#1', 'a#2', 'a#3', 'b#1']);
    await driver.advanceWallClockTime(100);
    await driver.advanceWallClockTime(200);
    expect(out.readValuesToList()).toEqual(['b']);
    await driver.close();
  });

  it('after the last attempt the handler decides (here: continue, dead-lettered); per-processor policy wins', async () => {
    const calls: string[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .process<string, string>(flaky(10, calls) as never, Named.as('call-service'))
      .to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), {
      logger: silent,
      processingExceptionHandler: 'logAndContinue',
      deadLetterQueueTopicName: 'dlq',
      processingRetry: { maxAttempts: 10, processors: { 'call-service': { maxAttempts: 2, initialBackoffMs: 50 } } },
    });
    await driver.createInputTopic('in', S, S).pipeInput('k', 'a');
    await driver.advanceWallClockTime(50);
    expect(calls).toEqual(['a#1', 'a#2']);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual([]);
    expect(header(driver.createOutputTopic('dlq', B, B))).toMatchObject([{ value: 'a', message: 'service unavailable (a, try 2)' }]);
    await driver.close();
  });

  it('processors a policy names false are not retried', async () => {
    const calls: string[] = [];
    const builder = new StreamsBuilder();
    builder
      .stream('in', Consumed.with(S, S))
      .process<string, string>(flaky(1, calls) as never, Named.as('call-service'))
      .to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(builder.build(), { logger: silent, processingRetry: { processors: { 'call-service': false } } });
    await expect(driver.createInputTopic('in', S, S).pipeInput('k', 'a')).rejects.toThrow(/service unavailable/);
    expect(calls).toEqual(['a#1']);
    await driver.close();
  });
});

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
