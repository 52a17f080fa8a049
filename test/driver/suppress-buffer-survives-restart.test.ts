// The suppression buffer survives a restart: it is written to `<app>-<store>-changelog` at every
// commit, and a task that restores its stores from the changelogs before processing emits what was
// buffered before the restart. First run: TopologyTestDriver; second run: the engine's StreamTask
// (what the runtime runs), restored from the first run's changelogs as the runtime would restore it.
import { describe, expect, it } from 'vitest';
import { ManualClock, noopLogger } from '@sluice/common';
import { Headers, StreamTask, assertSerdes, failOnInvalidTimestamp, type EngineConfig, type OutgoingRecord, type Topology } from '@sluice/core';
import type { ChangelogRecord, RestoreCallback, StateStore, StateStoreContext } from '@sluice/state';
import { BufferConfig, Consumed, KeyValue, Materialized, Produced, Serdes, StreamsBuilder, Suppressed, TimeWindows, type TopologyTestDriver } from 'sluice';
import { useDrivers } from './window-helpers.js';

const S = Serdes.String();
const L = Serdes.Long();
const APP = 'restart';
const drive = useDrivers(APP);

/** Windowed counts (in-memory store 'counts'), suppressed by a buffer named 'hold', written to 'output'. */
function build(mode: 'final' | 'time-limit'): StreamsBuilder {
  const b = new StreamsBuilder();
  const counts = b
    .stream('input', Consumed.with(S, S))
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
    .count(Materialized.as<string, number>('counts').withStoreType('in_memory'));
  const suppressed =
    mode === 'final'
      ? counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('hold'))
      : counts.suppress(Suppressed.untilTimeLimit(20, BufferConfig.unbounded()).withName('hold'));
  suppressed
    .toStream()
    .map((k, v) => KeyValue.pair(k.toString(), v))
    .to('output', Produced.with(S, L));
  return b;
}

/** The changelog records the driver captured, per changelog topic. */
function changelogsOf(d: TopologyTestDriver): Map<string, ChangelogRecord[]> {
  const out = new Map<string, ChangelogRecord[]>();
  for (const topic of d.producedTopicNames().filter((t) => t.endsWith('-changelog'))) {
    const records = d.createOutputTopic(topic, Serdes.Bytes(), Serdes.Bytes()).readRecordsToList();
    out.set(
      topic,
      records.map((r, offset) => ({ key: r.key!, value: r.value, timestamp: r.timestamp, offset })),
    );
  }
  return out;
}

/** The single task of the app, its stores restored from `changelogs` before processors start. */
async function restartedTask(t: Topology, changelogs: Map<string, ChangelogRecord[]>) {
  const sent: OutgoingRecord[] = [];
  const config: EngineConfig = {
    applicationId: APP,
    defaultKeySerde: S,
    defaultValueSerde: S,
    defaultTimestampExtractor: failOnInvalidTimestamp,
    deserializationExceptionHandler: 'logAndFail',
    processingExceptionHandler: 'logAndFail',
    appConfigs: {},
    clock: new ManualClock(0),
    logger: noopLogger,
  };
  assertSerdes(t, config);
  const task = new StreamTask({ taskId: '0_0', subtopology: t.subtopologies()[0]!, partition: 0, topology: t, config, collector: { send: (r) => void sent.push(r) }, resolveTopic: (x) => x });
  const registered: { store: StateStore; restore: RestoreCallback }[] = [];
  const context: StateStoreContext = {
    applicationId: APP,
    taskId: '0_0',
    partition: 0,
    taskDir: '/nonexistent (in-memory stores only)',
    clock: config.clock,
    logger: noopLogger,
    cache: undefined,
    rocksdb: { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20, maxOpenFiles: 16 },
    register: (store, restore) => void registered.push({ store, restore }),
    logChange: () => undefined,
    streamTime: () => task.streamTime(),
  };
  await task.initializeStores(context);
  for (const r of registered) await r.restore(changelogs.get(`${APP}-${r.store.name}-changelog`) ?? []);
  await task.initializeProcessors();
  let offset = 100;
  return {
    async pipe(key: string, timestamp: number) {
      task.addRecords('input', [{ topic: 'input', partition: 0, offset: offset++, timestamp, key: Buffer.from(key), value: Buffer.from('v'), headers: new Headers() }]);
      await task.process(1);
      await task.flushState();
      task.markCommitted();
    },
    output: () => sent.filter((r) => r.topic === 'output').map((r) => [r.key!.toString(), L.deserialize('output', r.value!), r.timestamp]),
    close: () => task.close(),
  };
}

describe.each(['final', 'time-limit'] as const)('suppression buffer across a restart (%s)', (mode) => {
  it('emits after the restart what was buffered before it', async () => {
    const d = drive(build(mode), { defaultKeySerde: S, defaultValueSerde: S });
    const input = d.createInputTopic('input', S, S);
    await input.pipeInput('a', 'v', 1);
    await input.pipeInput('a', 'v', 5);
    await input.pipeInput('b', 'v', 7);
    expect(d.createOutputTopic('output', S, L).readRecordsToList()).toEqual([]);
    const changelogs = changelogsOf(d);
    expect([...changelogs.keys()].sort()).toEqual([`${APP}-counts-changelog`, `${APP}-hold-store-changelog`]);
    await d.close();

    const task = await restartedTask(build(mode).build(), changelogs);
    // the processors' stream time starts again from the records after the restart; 30 is past both limits
    await task.pipe('c', 30);
    expect(task.output()).toEqual([
      ['[a@0/10]', 2, 5],
      ['[b@0/10]', 1, 7],
    ]);
    await task.close();
  });

  it('without the changelog, nothing buffered before is emitted (the restore is what carries it)', async () => {
    const task = await restartedTask(build(mode).build(), new Map());
    await task.pipe('c', 30);
    expect(task.output()).toEqual([]);
    await task.close();
  });

  it('a buffer with logging disabled writes no changelog', async () => {
    const b = new StreamsBuilder();
    b.stream('input', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded().withLoggingDisabled()).withName('hold'))
      .toStream()
      .foreach(() => undefined);
    const d = drive(b, { defaultKeySerde: S, defaultValueSerde: S });
    await d.createInputTopic('input', S, S).pipeInput('a', 'v', 1);
    expect(d.producedTopicNames()).not.toContain(`${APP}-hold-store-changelog`);
    expect(b.build().stores.get('hold-store')!.builder.loggingEnabled).toBe(false);
  });
});
