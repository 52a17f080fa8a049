// The TaskManager is the only way into tasks: an assignment becomes tasks restored in the background
// (their inputs paused until then), fetched records reach their task, commits go through the
// committer, tasks that leave are closed with a checkpoint, a topic that matched a pattern later joins
// its task, and under exactly-once a failed transaction rolls its tasks back when the failure may
// pass and stops the worker when it cannot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KafkaClientError, ProcessingError, systemClock, type Logger } from '@sluice/common';
import { Headers, Topology, failOnInvalidTimestamp, type EngineConfig, type Processor, type ProcessorContext, type Record, type RawRecord } from '@sluice/core';
import { Serdes } from '@sluice/serdes';
import { OffsetCheckpoint, StateDirectory, Stores, type KeyValueStore } from '@sluice/state';
import { TopologyTasks } from '../src/assignment/topology-tasks.js';
import { resolveConfig } from '../src/config.js';
import type { FetchedBatch, GroupConsumer, GroupControl, PartitionReader, ProduceAck, ProduceRecord, Producer, TopicPartition, TopicPartitionOffset, TransactionalProducer } from '../src/ports.js';
import { ProducerChannel } from '../src/record-collector.js';
import { AtLeastOnceCommitter, type Committer } from '../src/tasks/commit-at-least-once.js';
import { ExactlyOnceCommitter } from '../src/tasks/commit-exactly-once.js';
import { TaskFactory } from '../src/tasks/task-factory.js';
import { TaskManager } from '../src/tasks/task-manager.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const S = Serdes.String();
const L = Serdes.Long();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

class Counter implements Processor<string, string, string, number> {
  private ctx!: ProcessorContext<string, number>;
  private store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, number>) {
    this.ctx = ctx;
    this.store = ctx.getStateStore<KeyValueStore<string, number>>('counts');
  }
  async process(r: Record<string, string>) {
    const n = ((await this.store.get(r.key)) ?? 0) + 1;
    await this.store.put(r.key, n);
    return this.ctx.forward(r.withValue(n));
  }
}

function topology(): Topology {
  return new Topology()
    .addSource('src', /^in(-.*)?$/, { keySerde: S, valueSerde: S })
    .addProcessor('counter', { get: () => new Counter(), stores: () => [Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('counts', 'in_memory'), S, L)] }, 'src')
    .addSink('out', 'out', { keySerde: S, valueSerde: L }, 'counter');
}

class MemoryProducer implements TransactionalProducer {
  readonly written: ProduceRecord[] = [];
  commits = 0;
  aborts = 0;
  failCommitWith: unknown;
  private open = false;
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    this.open = true;
    this.written.push(...records);
    return records.map((r) => ({ topic: r.topic, partition: r.partition ?? 0, baseOffset: this.written.length - 1, count: 1 }));
  }
  async partitionCount() {
    return 2;
  }
  async close() {}
  async beginTransaction() {
    this.open = true;
  }
  async sendOffsets() {}
  async commitTransaction() {
    if (this.failCommitWith) throw this.failCommitWith;
    this.commits++;
    this.open = false;
  }
  async abortTransaction() {
    this.aborts++;
    this.open = false;
  }
  inTransaction() {
    return this.open;
  }
}

function setup(guarantee: 'at_least_once' | 'exactly_once', lagOf: (tp: TopicPartition) => number | undefined = () => 0) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-tm-'));
  dirs.push(stateDir);
  const config = resolveConfig({ applicationId: 'app', bootstrapServers: 'b:9092', processingGuarantee: guarantee, stateDir, logger: quiet });
  const engine: EngineConfig = {
    applicationId: 'app',
    defaultKeySerde: undefined,
    defaultValueSerde: undefined,
    defaultTimestampExtractor: failOnInvalidTimestamp,
    deserializationExceptionHandler: 'logAndFail',
    processingExceptionHandler: 'logAndFail',
    appConfigs: {},
    clock: systemClock,
    logger: quiet,
  };
  const top = topology();
  const sourceTopics = new Map([[0, ['in']]]);
  const topologyTasks = new TopologyTasks(top.subtopologies(), sourceTopics);
  const producer = new MemoryProducer();
  const channel = new ProducerChannel(producer as Producer, { handler: 'logAndFail', deadLetterQueueTopic: undefined, logger: quiet });
  const committed: TopicPartitionOffset[] = [];
  const seeks: string[] = [];
  const paused = new Set<string>();
  const consumer = {
    commitOffsets: async (offsets: readonly TopicPartitionOffset[]) => void committed.push(...offsets),
    groupMetadata: () => ({ generationId: 1, memberId: 'm', groupInstanceId: null }),
    committed: async (tps: readonly TopicPartition[]) => tps.map((tp) => ({ ...tp, offset: 0 })),
    seek: (tp: TopicPartition, offset: number) => void seeks.push(`${tp.topic}-${tp.partition}@${offset}`),
    pause: (tps: readonly TopicPartition[]) => tps.forEach((tp) => paused.add(`${tp.topic}-${tp.partition}`)),
    resume: (tps: readonly TopicPartition[]) => tps.forEach((tp) => paused.delete(`${tp.topic}-${tp.partition}`)),
    enforceRebalance: () => undefined,
    lag: () => 0,
  } as unknown as GroupConsumer;
  const committer: Committer =
    guarantee === 'exactly_once' ? new ExactlyOnceCommitter(channel, producer, async () => producer, () => consumer, 'app') : new AtLeastOnceCommitter(channel, () => consumer);
  const stateDirectory = new StateDirectory({ stateDir, applicationId: 'app' });
  const factory = new TaskFactory({
    config,
    engine,
    topology: top,
    changelogTopics: new Map([['counts', 'app-counts-changelog']]),
    channel,
    cache: undefined,
    taskDir: (id) => stateDirectory.taskDir(id),
    lockTask: (id) => void stateDirectory.lock(id),
    unlockTask: (id) => stateDirectory.unlock(id),
    checkpointFor: (id) => OffsetCheckpoint.forTaskDir(stateDirectory.taskDir(id)),
    logger: quiet,
    onRestoreProgress: () => undefined,
    lag: lagOf,
  });
  const fatal: unknown[] = [];
  const tm = new TaskManager({
    config,
    topologyTasks,
    factory,
    committer,
    consumer: () => consumer,
    isRepartitionTopic: () => false,
    logger: quiet,
    exclusive: (fn) => fn(),
    onTaskRunning: () => undefined,
    onFatal: (err) => void fatal.push(err),
  });
  const reader: PartitionReader = {
    endOffsets: async (tps) => new Map(tps.map((tp) => [`${tp.topic}:${tp.partition}`, 0])),
    beginningOffsets: async (tps) => new Map(tps.map((tp) => [`${tp.topic}:${tp.partition}`, 0])),
    fetch: async (topic, partition, offset) => ({ topic, partition, records: [], nextOffset: offset, highWatermark: 0 }),
  };
  const control: GroupControl = { heartbeat: async () => true, reader, pause: consumer.pause.bind(consumer), resume: consumer.resume.bind(consumer), generationId: () => 1 };
  return { tm, control, committed, producer, seeks, paused, fatal, topologyTasks, stateDir, stateDirectory };
}

function batch(topic: string, partition: number, from: number, keys: string[]): FetchedBatch {
  const records: RawRecord[] = keys.map((k, i) => ({ topic, partition, offset: from + i, timestamp: 1_000 + i, key: Buffer.from(k), value: Buffer.from('x'), headers: new Headers() }));
  return { topic, partition, records, nextOffset: from + keys.length, highWatermark: from + keys.length };
}

async function untilRunning(tm: TaskManager): Promise<void> {
  for (let i = 0; i < 200 && !tm.allRunning(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(tm.allRunning()).toBe(true);
}

const go = async () => true;
const nothing = async () => undefined;

describe('TaskManager', () => {
  it('turns an assignment into restored, running tasks whose inputs are paused until then', async () => {
    const { tm, control, paused } = setup('at_least_once');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }], [], control);
    expect(tm.ids().sort()).toEqual(['0_0', '0_1']);
    await untilRunning(tm);
    expect([...paused]).toEqual([]);
  });

  it('routes batches to their task, commits offsets, and checkpoints; a task that leaves is closed', async () => {
    const { tm, control, committed, producer } = setup('at_least_once');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }], [], control);
    await untilRunning(tm);
    expect(await tm.process(batch('in', 0, 0, ['a', 'b', 'a']), go, nothing)).toBe(3);
    expect(await tm.process(batch('in', 1, 5, ['c']), go, nothing)).toBe(1);
    expect(await tm.process(batch('in', 7, 0, ['z']), go, nothing)).toBe(0); // no such task here
    expect(await tm.commit()).toBe(true);
    expect(committed.sort((x, y) => x.partition - y.partition)).toEqual([{ topic: 'in', partition: 0, offset: 3 }, { topic: 'in', partition: 1, offset: 6 }]);
    expect(producer.written.filter((r) => r.topic === 'out').map((r) => `${r.key}=${r.value!.readBigInt64BE(0)}`)).toEqual(['a=1', 'b=1', 'a=2', 'c=1']);
    expect(await tm.commit()).toBe(false); // nothing new
    await tm.handleAssignment([{ topic: 'in', partition: 1 }], [], control);
    expect(tm.ids()).toEqual(['0_1']);
  });

  it('a topic that matched the pattern after start joins the task that is kept', async () => {
    const { tm, control, topologyTasks } = setup('at_least_once');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }], [], control);
    await untilRunning(tm);
    topologyTasks.addSourceTopic(0, 'in-late');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }, { topic: 'in-late', partition: 0 }], [], control);
    expect(tm.get('0_0')!.inputs.map((i) => i.topic)).toEqual(['in', 'in-late']);
    expect(await tm.process(batch('in-late', 0, 0, ['q']), go, nothing)).toBe(1);
  });

  it('an input whose records wait for another input pauses past bufferedRecordsPerPartition, and resumes once they are processed', async () => {
    let lateLag = 5;
    const { tm, control, paused, topologyTasks } = setup('at_least_once', (tp) => (tp.topic === 'in-late' ? lateLag : 0));
    topologyTasks.addSourceTopic(0, 'in-late');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }, { topic: 'in-late', partition: 0 }], [], control);
    await untilRunning(tm);
    // 'in-late' has records the task has not got: 'in' waits (max.task.idle.ms 0), its records pile up
    const keys = (n: number, from: number) => Array.from({ length: n }, (_, i) => `k${from + i}`);
    expect(await tm.process(batch('in', 0, 0, keys(600, 0)), go, nothing)).toBe(0);
    expect([...paused]).toEqual([]);
    expect(await tm.process(batch('in', 0, 600, keys(600, 600)), go, nothing)).toBe(0);
    expect([...paused]).toEqual(['in-0']);
    // the other input's records arrive: everything is processed in timestamp order, and 'in' is fetched again
    lateLag = 0;
    expect(await tm.process(batch('in-late', 0, 0, ['late']), go, nothing)).toBe(1201);
    expect([...paused]).toEqual([]);
  });

  it('exactly-once: a transaction that failed for a reason that may pass is aborted and its tasks roll back', async () => {
    const { tm, control, producer, seeks } = setup('exactly_once');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }], [], control);
    await untilRunning(tm);
    await tm.process(batch('in', 0, 0, ['a', 'a']), go, nothing);
    const before = tm.get('0_0');
    producer.failCommitWith = new KafkaClientError('committing: REQUEST_TIMED_OUT', { retriable: true });
    await tm.commit();
    expect(producer.aborts).toBe(1);
    expect(seeks).toEqual(['in-0@0']); // input read again from the committed offset
    expect(tm.get('0_0')).not.toBe(before); // rebuilt: its state comes from the changelog again
    producer.failCommitWith = undefined;
    await untilRunning(tm);
  });

  it('exactly-once: a failure that cannot pass is not rolled back in a loop: it stops the worker', async () => {
    const { tm, control, producer } = setup('exactly_once');
    await tm.handleAssignment([{ topic: 'in', partition: 0 }], [], control);
    await untilRunning(tm);
    await tm.process(batch('in', 0, 0, ['a']), go, nothing);
    producer.failCommitWith = new ProcessingError('a processor failed in a cache flush');
    await expect(tm.commit()).rejects.toThrow(/cache flush/);
    expect(producer.aborts).toBe(1);
  });
});
