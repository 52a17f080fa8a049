// Owns the global stream thread (Kafka Streams' GlobalStreamThread): before the worker joins its
// consumer group it restores every global store to the end of its topic, then it keeps reading all
// partitions of the global topics, without a consumer group, and applies new records; it flushes
// the stores and writes their checkpoint every commit interval and when closed.
//
//   CREATED ──start──▶ RESTORING ──restored──▶ RUNNING ──close──▶ PENDING_SHUTDOWN ──▶ DEAD
//      └────────────────────┴─────────────────────┴──── fatal error ──────────────────▲
import { describeError, ErrorCodes, IllegalStateError, SluiceError, StreamsError, TaskCorruptedError, type Logger } from '@sluice/common';
import type { EngineConfig, Topology } from '@sluice/core';
import type { CacheMemoryPool, RocksDbSharedOptions, StateStore } from '@sluice/state';
import type { Admin, ClosablePartitionReader, KafkaClient, TopicPartition } from '../ports.js';
import { GlobalStateManager } from './global-state-manager.js';

export type GlobalThreadState = 'CREATED' | 'RESTORING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'DEAD';

export interface GlobalStreamThreadOptions {
  readonly topology: Topology;
  readonly engine: EngineConfig;
  readonly client: KafkaClient;
  readonly admin: Admin;
  readonly readCommitted: boolean;
  /** <stateDir>/<appId>/global, locked by the caller for the life of the thread. */
  readonly globalDir: string;
  readonly commitIntervalMs: number;
  readonly maxPartitionFetchBytes: number;
  readonly cache: CacheMemoryPool | undefined;
  readonly rocksdb: RocksDbSharedOptions;
  readonly logger: Logger;
  /** The thread died: the application must stop (as Kafka Streams goes to ERROR). */
  readonly onFatal: (error: unknown) => void;
}

/** How long the loop sleeps when no partition had new records. */
const IDLE_MS = 100;

export class GlobalStreamThread {
  private threadState: GlobalThreadState = 'CREATED';
  private readonly manager: GlobalStateManager;
  private reader: ClosablePartitionReader | undefined;
  private partitions: TopicPartition[] = [];
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastFlush = 0;

  constructor(private readonly o: GlobalStreamThreadOptions) {
    this.manager = new GlobalStateManager({ topology: o.topology, engine: o.engine, globalDir: o.globalDir, cache: o.cache, rocksdb: o.rocksdb, logger: o.logger });
  }

  get state(): GlobalThreadState {
    return this.threadState;
  }

  /** This worker's copy of a global store (once restored), or undefined. */
  store(name: string): StateStore | undefined {
    return this.threadState === 'RUNNING' || this.threadState === 'RESTORING' ? this.manager.store(name) : undefined;
  }

  /** Restores every global store to the end of its topic; resolves when they are complete, then keeps them current. */
  async start(): Promise<void> {
    if (this.threadState !== 'CREATED') throw new IllegalStateError(`the global stream thread can start once (it is ${this.threadState})`);
    this.threadState = 'RESTORING';
    const topics = this.manager.topics();
    const described = new Map((await this.o.admin.describeTopics(topics, [])).map((d) => [d.name, d.partitions]));
    const missing = topics.filter((t) => !described.has(t));
    if (missing.length > 0) {
      this.threadState = 'DEAD';
      throw new SluiceError(
        ErrorCodes.MISSING_SOURCE_TOPIC,
        `global topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} not found; create ${missing.length > 1 ? 'them' : 'it'} before starting the application (e.g. kafka-topics.sh --create --topic ${missing[0]} --partitions N)`,
      );
    }
    this.partitions = topics.flatMap((topic) => Array.from({ length: described.get(topic)! }, (_, partition) => ({ topic, partition })));
    try {
      await this.prepareSerdes();
      this.reader = await this.o.client.partitionReader({ readCommitted: this.o.readCommitted });
      await this.manager.initialize(this.reader, this.partitions);
      this.o.logger.info(`restoring global stores from ${this.partitions.length} partitions of ${topics.join(', ')}`);
      await this.manager.restore(this.reader, this.partitions);
    } catch (err) {
      this.threadState = 'DEAD';
      await this.release(false);
      throw err;
    }
    this.lastFlush = this.o.engine.clock.now();
    this.threadState = 'RUNNING';
    this.loop = this.run().catch((err: unknown) => this.die(err));
  }

  /** Stops reading, flushes the stores and writes their checkpoint (clean), closes them. Idempotent. */
  async close(clean = true): Promise<void> {
    if (this.threadState === 'DEAD' || this.threadState === 'PENDING_SHUTDOWN') return this.loop;
    const wasRunning = this.threadState === 'RUNNING';
    this.threadState = 'PENDING_SHUTDOWN';
    this.wake?.();
    await this.loop;
    await this.release(clean && wasRunning);
    this.threadState = 'DEAD';
  }

  private async run(): Promise<void> {
    while (this.threadState === 'RUNNING') {
      // one fetch per partition, side by side; applied in partition order
      const batches = await Promise.all(this.partitions.map((tp) => this.reader!.fetch(tp.topic, tp.partition, this.manager.position(tp), this.o.maxPartitionFetchBytes))).catch((err: unknown) => {
        if (!(err instanceof TaskCorruptedError)) throw err;
        // Kafka Streams re-bootstraps the global stores here; Sluice stops, and the next start does
        throw new StreamsError(
          ErrorCodes.TASK_CORRUPTED,
          `the global stream thread fell behind the retention of its topics (${err.message}); restart the application: it wipes the global stores and restores them from the beginning of their topics`,
          { cause: err },
        );
      });
      if (this.threadState !== 'RUNNING') return;
      let records = 0;
      for (const batch of batches) {
        if (batch.records.length === 0 && batch.nextOffset <= this.manager.position(batch)) continue;
        records += batch.records.length;
        await this.manager.update(batch);
      }
      const now = this.o.engine.clock.now();
      if (now - this.lastFlush >= this.o.commitIntervalMs) {
        await this.manager.flush();
        this.lastFlush = now;
      }
      if (records === 0) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, IDLE_MS);
      this.wake = done;
    });
  }

  private die(err: unknown): void {
    if (this.threadState === 'PENDING_SHUTDOWN' || this.threadState === 'DEAD') return;
    this.o.logger.error(`the global stream thread failed: ${describeError(err)}`);
    this.threadState = 'DEAD';
    void this.release(false).finally(() => this.o.onFatal(err));
  }

  private async release(clean: boolean): Promise<void> {
    try {
      await this.manager.close(clean);
    } catch (err) {
      this.o.logger.warn(`closing the global stores failed: ${describeError(err)}`);
    }
    await this.reader?.close().catch(() => undefined);
    this.reader = undefined;
  }

  /** Asynchronous serde set-up (a schema registry) for the global sources, as the runtime does for the others. */
  private async prepareSerdes(): Promise<void> {
    for (const g of this.o.topology.globalStores()) {
      const def = this.o.topology.nodes.get(g.sourceName);
      if (def?.kind !== 'source') continue;
      for (const serde of [def.keySerde ?? this.o.engine.defaultKeySerde, def.valueSerde ?? this.o.engine.defaultValueSerde]) {
        await serde?.configure?.();
        await serde?.prepareTopic?.(g.topic);
      }
    }
  }
}
