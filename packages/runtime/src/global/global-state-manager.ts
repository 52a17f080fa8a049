// Owns this worker's global stores (Kafka Streams' GlobalStateManagerImpl + GlobalStateUpdateTask):
// one engine task per global store runs its source and processor, all stores live under
// <stateDir>/<appId>/global/, and the checkpoint there records how far into each partition of the
// global topics the stores are. Restoring brings every store to the end of its topic: a DSL global
// table copies the records into the store as they are (the topic is its changelog); a custom store
// of addGlobalStore runs them through its processor again, as Kafka Streams does since 3.7.
import { rmSync, readdirSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describeError, IllegalStateError, type Logger } from '@sluice/common';
import { StreamTask, type EngineConfig, type GlobalStoreDef, type RawRecord, type Topology } from '@sluice/core';
import { OffsetCheckpoint, topicPartitionKey, type CacheMemoryPool, type ChangelogRecord, type RestoreCallback, type RocksDbSharedOptions, type StateStore } from '@sluice/state';
import type { FetchedBatch, PartitionReader, TopicPartition } from '../ports.js';

export interface GlobalStateManagerOptions {
  readonly topology: Topology;
  readonly engine: EngineConfig;
  /** Maps a topology topic name to the real one (global topics are never internal, so the same). */
  readonly globalDir: string;
  readonly cache: CacheMemoryPool | undefined;
  readonly rocksdb: RocksDbSharedOptions;
  readonly logger: Logger;
}

interface GlobalTask {
  readonly def: GlobalStoreDef;
  readonly task: StreamTask;
  restore: RestoreCallback | undefined;
  store: StateStore | undefined;
}

const RESTORE_FETCH_BYTES = 4 * 1024 * 1024;

export class GlobalStateManager {
  private readonly tasks = new Map<string, GlobalTask>();
  /** Next offset to read per "topic:partition", i.e. what the stores already hold. */
  private readonly offsets = new Map<string, number>();
  private readonly checkpoint: OffsetCheckpoint;
  private ends = new Map<string, number>();
  private begins = new Map<string, number>();

  constructor(private readonly o: GlobalStateManagerOptions) {
    this.checkpoint = OffsetCheckpoint.forTaskDir(o.globalDir);
    for (const def of o.topology.globalStores()) {
      const task = new StreamTask({
        taskId: 'global',
        subtopology: o.topology.globalSubtopology(def.storeName),
        partition: 0,
        topology: o.topology,
        config: o.engine,
        collector: {
          send: (r) => {
            throw new IllegalStateError(`the processor of global store '${def.storeName}' sent a record to '${r.topic}'; a global store's processor only writes its store`);
          },
        },
        resolveTopic: (t) => t,
      });
      this.tasks.set(def.topic, { def, task, restore: undefined, store: undefined });
    }
  }

  /** The topic each global store reads. */
  topics(): string[] {
    return [...this.tasks.keys()];
  }

  store(name: string): StateStore | undefined {
    for (const t of this.tasks.values()) if (t.def.storeName === name) return t.store;
    return undefined;
  }

  /**
   * Reads the checkpoint and decides whether the stores on disk can be trusted: not when there is no
   * checkpoint, and not when a checkpointed offset is no longer in its partition's log (compacted or
   * deleted away): then every store is wiped and restored from the beginning, as Kafka Streams does.
   * Then opens the stores and processors.
   */
  async initialize(reader: PartitionReader, partitions: readonly TopicPartition[]): Promise<void> {
    mkdirSync(this.o.globalDir, { recursive: true });
    let ckpt = new Map<string, number>();
    try {
      ckpt = await this.checkpoint.read();
    } catch (err) {
      this.o.logger.warn(`checkpoint of the global stores cannot be used (${describeError(err)}); restoring them from the beginning of their topics`);
    }
    this.ends = await reader.endOffsets(partitions);
    this.begins = await reader.beginningOffsets(partitions);
    const outOfRange = [...ckpt].find(([k, v]) => this.begins.has(k) && (v < this.begins.get(k)! || v > (this.ends.get(k) ?? 0)));
    if (outOfRange) {
      this.o.logger.warn(`checkpointed offset ${outOfRange[1]} of global topic partition ${outOfRange[0]} is no longer in its log; wiping the global stores and restoring them from the beginning`);
      ckpt = new Map();
    }
    if (ckpt.size === 0) this.wipe();
    for (const [k, v] of ckpt) this.offsets.set(k, v);
    for (const t of this.tasks.values()) {
      await t.task.initializeStores({
        applicationId: this.o.engine.applicationId,
        taskId: 'global',
        partition: 0,
        taskDir: this.o.globalDir,
        clock: this.o.engine.clock,
        logger: this.o.logger,
        cache: this.o.cache,
        rocksdb: this.o.rocksdb,
        register: (store, restore) => {
          t.store = store;
          t.restore = restore;
        },
        logChange: () => undefined,
        streamTime: () => t.task.streamTime(),
        recordTimestamp: () => t.task.currentRecordTimestamp(),
        recordContext: () => t.task.currentHeaders(),
      });
      t.store ??= t.task.stores.get(t.def.storeName);
      await t.task.initializeProcessors();
    }
  }

  /**
   * Brings every store to the end of its topic (the committed end under read_committed). Partitions
   * a persistent store holds a checkpoint for continue from there; the others start over.
   */
  async restore(reader: PartitionReader, partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) {
      const t = this.tasks.get(tp.topic)!;
      const k = topicPartitionKey(tp.topic, tp.partition);
      const end = this.ends.get(k) ?? 0;
      const begin = this.begins.get(k) ?? 0;
      // an in-memory store starts empty: it reads its whole topic again
      let offset = (t.store?.persistent ? this.offsets.get(k) : undefined) ?? begin;
      const started = this.o.engine.clock.now();
      let restored = 0;
      while (offset < end) {
        const batch = await reader.fetch(tp.topic, tp.partition, offset, RESTORE_FETCH_BYTES);
        if (batch.nextOffset <= offset && batch.records.length === 0) {
          // nothing readable below the end yet (an open transaction): wait for it
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const records = batch.records.filter((r) => r.offset < end);
        if (t.def.reprocessOnRestore) await this.process(t, records);
        else await this.copy(t, records);
        restored += records.length;
        offset = Math.min(batch.nextOffset, end);
      }
      this.offsets.set(k, Math.max(offset, end));
      if (restored > 0) {
        const seconds = Math.max(0.001, (this.o.engine.clock.now() - started) / 1000);
        this.o.logger.info(`restored global store '${t.def.storeName}' from ${tp.topic}-${tp.partition}: ${restored} records (${Math.round(restored / seconds)}/s)`);
      }
    }
    await this.flush();
  }

  /** What the poll loop fetched: run it through the store's processor. */
  async update(batch: FetchedBatch): Promise<void> {
    const t = this.tasks.get(batch.topic);
    if (!t) throw new IllegalStateError(`'${batch.topic}' is not a global topic`);
    await this.process(t, batch.records);
    const k = topicPartitionKey(batch.topic, batch.partition);
    if (batch.nextOffset > (this.offsets.get(k) ?? -1)) this.offsets.set(k, batch.nextOffset);
  }

  /** The next offset to read of one partition. */
  position(tp: TopicPartition): number {
    return this.offsets.get(topicPartitionKey(tp.topic, tp.partition)) ?? 0;
  }

  /** Flushes every store and writes the checkpoint (offsets of what the stores now hold). */
  async flush(): Promise<void> {
    for (const t of this.tasks.values()) {
      await t.task.flushState();
      t.task.markCommitted();
    }
    try {
      await this.checkpoint.write(this.offsets);
    } catch (err) {
      this.o.logger.warn(`could not write the checkpoint of the global stores: ${describeError(err)}; the next start restores more of their topics`);
    }
  }

  async close(clean: boolean): Promise<void> {
    if (clean) await this.flush();
    for (const t of this.tasks.values()) await t.task.close(clean);
  }

  private async process(t: GlobalTask, records: readonly RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    t.task.addRecords(t.def.topic, records);
    while (t.task.bufferedRecords() > 0) {
      if ((await t.task.process(Number.MAX_SAFE_INTEGER)) > 0) continue;
      // nothing could go on now: a failed record waits for its retry
      const due = t.task.retryDueAt() ?? this.o.engine.clock.now() + 10;
      await new Promise((r) => setTimeout(r, Math.max(1, due - this.o.engine.clock.now())));
    }
  }

  /** A global table's topic is its changelog: its records go into the store as they are. */
  private async copy(t: GlobalTask, records: readonly RawRecord[]): Promise<void> {
    const batch: ChangelogRecord[] = records.filter((r) => r.key !== null).map((r) => ({ key: r.key!, value: r.value, timestamp: r.timestamp, offset: r.offset }));
    if (batch.length === 0) return;
    if (!t.restore) throw new IllegalStateError(`global store '${t.def.storeName}' did not register for restoration`);
    await t.restore(batch);
  }

  /** Deletes the stores' directories (the lock file stays): they are restored from the start. */
  private wipe(): void {
    this.offsets.clear();
    let entries: string[];
    try {
      entries = readdirSync(this.o.globalDir);
    } catch {
      return;
    }
    for (const entry of entries) if (!entry.startsWith('.')) rmSync(path.join(this.o.globalDir, entry), { recursive: true, force: true });
  }
}
