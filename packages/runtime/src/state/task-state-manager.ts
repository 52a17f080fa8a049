// Owns the state of one task: it is the source of truth for changelog offsets. It gives stores their
// context (registration, change logging), decides where restoration starts (the checkpoint, or the
// beginning after wiping untrusted state), restores each logged store to the end of its changelog
// before the task runs, and writes the checkpoint after commits and on clean close.
import { rmSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describeError, type Clock, type Logger, type TaskMetrics, errorFields } from '@sluice/common';
import { Headers } from '@sluice/core';
import { ensureDirectory, type CacheMemoryPool, type ChangelogRecord, type RestoreCallback, type RocksDbSharedOptions, type StateStore, type StateStoreContext } from '@sluice/state';
import type { GroupControl } from '../ports.js';
import type { ProducerChannel } from '../record-collector.js';

/** The task's checkpoint file (OffsetCheckpoint from @sluice/state fits). */
export interface CheckpointIO {
  /** Offsets by "topic:partition" (the next offset to read); empty when there is no file. Throws when corrupt. */
  read(): Promise<Map<string, number>>;
  write(offsets: ReadonlyMap<string, number>): Promise<void>;
  delete(): Promise<void>;
}

export interface RestoreProgress {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly restored: number;
  readonly total: number;
  readonly recordsPerSecond: number;
  readonly done: boolean;
}

export interface TaskStateManagerOptions {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly taskDir: string;
  readonly changelogTopicOf: (storeName: string) => string | undefined;
  readonly checkpoint: CheckpointIO;
  readonly exactlyOnce: boolean;
  /** A standby replica: its state holds committed changelog data only, so its checkpoint stays valid. */
  readonly standby?: boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cache: CacheMemoryPool | undefined;
  readonly rocksdb: RocksDbSharedOptions;
  readonly channel: () => ProducerChannel;
  readonly streamTime: () => number;
  /** Timestamp of the record being processed (or of the punctuation running). */
  readonly recordTimestamp: () => number;
  /** Headers of the record being processed, kept by caches with their writes. */
  readonly recordContext: () => unknown;
  readonly onProgress?: (p: RestoreProgress) => void;
  /** The task's metrics, handed to its stores. */
  readonly metrics?: TaskMetrics;
}

interface Registered {
  readonly store: StateStore;
  readonly restore: RestoreCallback;
  readonly changelog: string | undefined;
}

const RESTORE_FETCH_BYTES = 4 * 1024 * 1024;

export class TaskStateManager {
  private registered: Registered[] = [];
  /** Next changelog offset per "topic:partition" that the local stores already contain. */
  private readonly offsets = new Map<string, number>();
  private readonly key: (topic: string) => string;
  /** End offset of each changelog partition as last seen by restore(). */
  private readonly ends = new Map<string, number>();

  constructor(private readonly o: TaskStateManagerOptions) {
    this.key = (topic) => `${topic}:${o.partition}`;
  }

  get standby(): boolean {
    return this.o.standby ?? false;
  }

  /**
   * Decide whether local state can be trusted: it can when a valid checkpoint exists (and, under
   * exactly-once, it was written by a clean close). Otherwise wipe it so restoration starts over.
   */
  async prepare(): Promise<void> {
    ensureDirectory(this.o.taskDir, `the state directory of task ${this.o.taskId}`);
    let ckpt: Map<string, number>;
    try {
      ckpt = await this.o.checkpoint.read();
    } catch (err) {
      this.o.logger.warn(`checkpoint of task ${this.o.taskId} cannot be used (${describeError(err)}); wiping local state and restoring it from the changelogs`, errorFields(err));
      ckpt = new Map();
    }
    this.offsets.clear();
    if (ckpt.size === 0) {
      await this.wipe();
      return;
    }
    for (const [k, v] of ckpt) this.offsets.set(k, v);
    // under exactly-once an active task's checkpoint is only valid at rest: a crash from here on must not trust it
    if (this.o.exactlyOnce && !this.o.standby) await this.o.checkpoint.delete();
  }

  /** Delete every store directory of the task (the lock file stays). */
  async wipe(): Promise<void> {
    this.offsets.clear();
    await this.o.checkpoint.delete();
    for (const entry of safeReaddir(this.o.taskDir)) {
      if (entry.startsWith('.')) continue;
      rmSync(path.join(this.o.taskDir, entry), { recursive: true, force: true });
    }
  }

  context(): StateStoreContext {
    return {
      applicationId: this.o.applicationId,
      taskId: this.o.taskId,
      partition: this.o.partition,
      taskDir: this.o.taskDir,
      clock: this.o.clock,
      logger: this.o.logger,
      cache: this.o.cache,
      rocksdb: this.o.rocksdb,
      register: (store, restore) => {
        this.registered.push({ store, restore, changelog: this.o.changelogTopicOf(store.name) });
      },
      logChange: (storeName, key, value, timestamp) => {
        const topic = this.o.changelogTopicOf(storeName);
        if (topic === undefined) return;
        this.o.channel().add({ topic, partition: this.o.partition, key, value, timestamp, headers: new Headers(), partitioner: undefined });
      },
      streamTime: this.o.streamTime,
      recordTimestamp: this.o.recordTimestamp,
      recordContext: this.o.recordContext,
      ...(this.o.metrics !== undefined ? { metrics: this.o.metrics } : {}),
    };
  }

  /** The next changelog offset the local stores contain, by "topic:partition" (for store lags). */
  changelogOffsets(): ReadonlyMap<string, number> {
    return new Map(this.offsets);
  }

  changelogPartitions(): { topic: string; partition: number }[] {
    return this.registered.filter((r) => r.changelog !== undefined).map((r) => ({ topic: r.changelog!, partition: this.o.partition }));
  }

  /**
   * Restore every logged store to the end of its changelog. Resolves 'interrupted' when the group
   * started to rebalance (progress is kept; a later call continues), 'done' when all are current.
   */
  async restore(control: Pick<GroupControl, 'reader' | 'heartbeat'>): Promise<'done' | 'interrupted'> {
    const logged = this.registered.filter((r) => r.changelog !== undefined);
    if (logged.length === 0) return 'done';
    const tps = logged.map((r) => ({ topic: r.changelog!, partition: this.o.partition }));
    const ends = await control.reader.endOffsets(tps);
    const begins = await control.reader.beginningOffsets(tps);
    for (const r of logged) {
      const topic = r.changelog!;
      const k = this.key(topic);
      const end = ends.get(k) ?? 0;
      // a checkpoint covers persistent stores only (prepare() loads no offsets for in-memory ones); an
      // offset known in this process (a standby catching up again) holds for every store
      let offset = this.offsets.get(k) ?? begins.get(k) ?? 0;
      this.ends.set(k, end);
      if (offset > end) {
        throw new RestoreOutOfRange(`checkpointed offset ${offset} of ${topic}-${this.o.partition} is beyond the end of the changelog (${end})`);
      }
      const total = end - offset;
      const started = this.o.clock.now();
      let restored = 0;
      let lastReport = started;
      const report = (done: boolean) => {
        const seconds = Math.max(0.001, (this.o.clock.now() - started) / 1000);
        this.o.onProgress?.({ store: r.store.name, topic, partition: this.o.partition, restored, total, recordsPerSecond: Math.round(restored / seconds), done });
      };
      if (total > 0) report(false);
      // the next fetch is in flight while a batch is written to the store
      const fetch = (from: number) => {
        const p = control.reader.fetch(topic, this.o.partition, from, RESTORE_FETCH_BYTES);
        p.catch(() => undefined); // awaited below, or dropped when the restore stops early
        return p;
      };
      let next = offset < end ? fetch(offset) : undefined;
      while (offset < end && next !== undefined) {
        const batch = await next;
        if (batch.nextOffset <= offset && batch.records.length === 0) {
          // nothing readable yet below the end offset (an open transaction): wait for it to resolve
          if (!(await control.heartbeat())) return this.interrupted(k, offset);
          await new Promise((res) => setTimeout(res, 50));
          next = fetch(offset);
          continue;
        }
        const after = Math.min(batch.nextOffset, end);
        next = after < end ? fetch(after) : undefined;
        const records: ChangelogRecord[] = batch.records.filter((x) => x.key !== null && x.offset < end).map((x) => ({ key: x.key!, value: x.value, timestamp: x.timestamp, offset: x.offset }));
        if (records.length > 0) await r.restore(records);
        restored += batch.records.length;
        offset = after;
        this.offsets.set(k, offset);
        if (this.o.clock.now() - lastReport >= 1_000) {
          lastReport = this.o.clock.now();
          report(false);
          if (!(await control.heartbeat())) return this.interrupted(k, offset);
        }
      }
      this.offsets.set(k, end);
      report(true);
    }
    return 'done';
  }

  /** Sum of the changelog offsets the local stores contain (KIP-441: how caught up this copy is). */
  offsetSum(): number {
    let sum = 0;
    for (const v of this.offsets.values()) sum += v;
    return sum;
  }

  /** Per changelog partition of this task: the offset the stores reached and the changelog's end as last seen. */
  lags(): { store: string; topic: string; partition: number; current: number; end: number }[] {
    return this.registered
      .filter((r) => r.changelog !== undefined)
      .map((r) => {
        const k = this.key(r.changelog!);
        const current = this.offsets.get(k) ?? 0;
        return { store: r.store.name, topic: r.changelog!, partition: this.o.partition, current, end: Math.max(current, this.ends.get(k) ?? current) };
      });
  }

  /** After a commit: the stores now contain everything up to what was written to their changelogs. */
  recordWritten(written: ReadonlyMap<string, number>): void {
    for (const r of this.registered) {
      if (r.changelog === undefined) continue;
      const k = this.key(r.changelog);
      const last = written.get(k);
      if (last !== undefined) {
        this.offsets.set(k, last + 1);
        if ((this.ends.get(k) ?? 0) < last + 1) this.ends.set(k, last + 1);
      }
    }
  }

  /** Persist the changelog offsets (at-least-once after each commit; exactly-once only on clean close). */
  async writeCheckpoint(): Promise<void> {
    const out = new Map<string, number>();
    for (const r of this.registered) {
      if (r.changelog === undefined || !r.store.persistent) continue;
      const k = this.key(r.changelog);
      const v = this.offsets.get(k);
      if (v !== undefined) out.set(k, v);
    }
    try {
      await this.o.checkpoint.write(out);
    } catch (err) {
      this.o.logger.warn(`could not write the checkpoint of task ${this.o.taskId}: ${describeError(err)}; the next start restores more of the changelog`, errorFields(err));
    }
  }

  /** Forget registrations (the task's stores are closed and will be re-created). */
  reset(): void {
    this.registered = [];
  }

  private interrupted(k: string, offset: number): 'interrupted' {
    this.offsets.set(k, offset);
    return 'interrupted';
  }
}

export class RestoreOutOfRange extends Error {}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
