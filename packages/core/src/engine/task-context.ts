// Owns what the processor contexts of one task share (Kafka keeps it in the task's one
// ProcessorContextImpl; Sluice gives each processor node a NodeContext of its own over this): the
// record being processed — set per record by the task, per forward by withForwarded, per punctuation
// and per retry — the record context sinks stamp their records with outside of it, and the task's
// services a processor reaches: stores, global stores, punctuation, commit requests, forwards in
// flight, and counting (and logging) the records operators drop on purpose.
import type { TaskMetrics } from '@sluice/common';
import type { StateStore } from '@sluice/state';
import type { Cancellable, PunctuationType, Punctuator, RecordContext, RecordMetadata } from '../processor/api.js';
import type { Headers } from '../processor/headers.js';
import { Record } from '../processor/record.js';
import type { EngineConfig } from './config.js';
import type { ConsumedOffsets } from './consumed-offsets.js';
import { withForwarded, type CurrentRecord, type CurrentRecordSlot } from './forwarded-context.js';
import type { TaskHooks } from './node-context.js';
import type { PartitionGroup } from './partition-group.js';
import type { PendingForwards } from './pending-forwards.js';
import type { TaskStores } from './task-stores.js';

export interface TaskContextOptions {
  readonly taskId: string;
  readonly partition: number;
  readonly config: EngineConfig;
  readonly inputs: PartitionGroup;
  readonly stores: TaskStores;
  readonly pending: PendingForwards;
  readonly offsets: ConsumedOffsets;
  readonly metrics: TaskMetrics | undefined;
  /** The task's schedule (its TaskPunctuation, which sets the current record here while a punctuator runs). */
  readonly schedule: TaskHooks['schedule'];
}

export class TaskContext implements TaskHooks, CurrentRecordSlot {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly appConfigs: Readonly<{ [key: string]: unknown }>;
  /** The record being processed (or the punctuation running); undefined between records. */
  current: CurrentRecord | undefined = undefined;
  /** Records operators dropped on purpose (null keys, late records), Kafka Streams' dropped-records metric. */
  droppedRecords = 0;

  constructor(private readonly o: TaskContextOptions) {
    this.applicationId = o.config.applicationId;
    this.taskId = o.taskId;
    this.partition = o.partition;
    this.appConfigs = o.config.appConfigs;
  }

  recordMetadata(): RecordMetadata | undefined {
    return this.current?.metadata;
  }

  /** The context sinks stamp their records with: the current record's, or stream time outside record processing. */
  recordContext(): RecordContext {
    return this.current?.context ?? { topic: undefined, partition: undefined, offset: undefined, timestamp: this.o.inputs.streamTime(), headers: new Record(null, null, 0).headers };
  }

  /** Headers of the record being processed (undefined outside record processing). */
  currentHeaders(): Headers | undefined {
    return this.current?.metadata ? this.current.context.headers : undefined;
  }

  /** Timestamp of the record (or punctuation) being processed; stream time outside processing. */
  currentRecordTimestamp(): number {
    return this.current?.context.timestamp ?? this.o.inputs.streamTime();
  }

  streamTime(): number {
    return this.o.inputs.streamTime();
  }

  wallClockTime(): number {
    return this.o.config.clock.now();
  }

  store(name: string): StateStore | undefined {
    return this.o.stores.get(name);
  }

  globalStore(name: string): StateStore | undefined {
    return this.o.config.globalStore?.(name);
  }

  schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    return this.o.schedule(nodeName, intervalMs, type, callback);
  }

  requestCommit(): void {
    this.o.offsets.commitRequested = true;
  }

  track(p: Promise<void>): void {
    this.o.pending.track(p);
  }

  withForwarded(record: Record<unknown, unknown>, run: () => void | Promise<void>): void | Promise<void> {
    return withForwarded(this, record, run);
  }

  recordDropped(node: string, reason: string, level: 'debug' | 'warn'): void {
    this.droppedRecords++;
    this.o.metrics?.dropped.mark();
    const m = this.current?.metadata;
    const where = m ? `topic=${m.topic} partition=${m.partition} offset=${m.offset}` : 'outside record processing';
    this.o.config.logger[level](`${node} dropped a record: ${reason} (${where}, task ${this.taskId})`, { task: this.taskId, node, topic: m?.topic, partition: m?.partition, offset: m?.offset });
  }
}
