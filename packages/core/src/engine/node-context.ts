// Owns the ProcessorContext each processor node of a task gets: forwarding to children (in call
// order, even when children are asynchronous), scheduling punctuation, store access, and what the
// task knows about the record being processed.
import { IllegalStateError, StateStoreError, ErrorCodes, TopologyError } from '@sluice/common';
import type { StateStore } from '@sluice/state';
import type { Cancellable, ProcessorContext, PunctuationType, Punctuator, RecordMetadata } from '../processor/api.js';
import type { Record } from '../processor/record.js';
import { processAll, type RuntimeNode } from './nodes.js';
import { readOnlyGlobalStore } from '../topology/global-stores.js';

/** What a node context needs from its task. */
export interface TaskHooks {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly appConfigs: Readonly<{ [key: string]: unknown }>;
  recordMetadata(): RecordMetadata | undefined;
  streamTime(): number;
  wallClockTime(): number;
  store(name: string): StateStore | undefined;
  /** A global store by name (read-only for this task's processors), undefined when there is none. */
  globalStore(name: string): StateStore | undefined;
  schedule(nodeName: string, intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable;
  requestCommit(): void;
  /** Track a promise created by a forward until it settles; the task awaits all of them per record. */
  track(p: Promise<void>): void;
  /** Count (and log) a record an operator dropped on purpose. */
  recordDropped(node: string, reason: string, level: 'debug' | 'warn'): void;
}

/** What DSL operators use beyond the public ProcessorContext. */
export interface InternalContext {
  /** Count a dropped record in the task's `dropped-records` metric and log why (with the record's coordinates). */
  droppedRecord(reason: string, level?: 'debug' | 'warn'): void;
}

export function internalContext(ctx: unknown): InternalContext {
  return ctx as InternalContext;
}

export class NodeContext<KForward = unknown, VForward = unknown> implements ProcessorContext<KForward, VForward> {
  private tail: Promise<void> | undefined;

  constructor(
    private readonly node: RuntimeNode,
    private readonly task: TaskHooks,
    private readonly storeNames: readonly string[],
  ) {}

  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): string {
    return this.task.taskId;
  }
  get partition(): number {
    return this.task.partition;
  }
  get appConfigs(): Readonly<{ [key: string]: unknown }> {
    return this.task.appConfigs;
  }

  recordMetadata(): RecordMetadata | undefined {
    return this.task.recordMetadata();
  }

  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void | Promise<void> {
    let targets: readonly RuntimeNode[];
    if (childName === undefined) {
      targets = this.node.children;
    } else {
      const child = this.node.child(childName);
      if (!child) {
        throw new TopologyError(
          `processor '${this.node.name}' forwarded to unknown child '${childName}'; its children are [${this.node.children.map((c) => c.name).join(', ')}]`,
        );
      }
      targets = [child];
    }
    if (targets.length === 0) return undefined;
    const rec = record as Record<unknown, unknown>;
    const prev = this.tail;
    const result = prev ? prev.then(() => processAll(targets, rec)) : processAll(targets, rec);
    if (!result) return undefined;
    this.tail = result;
    const clear = () => {
      if (this.tail === result) this.tail = undefined;
    };
    result.then(clear, clear);
    this.task.track(result);
    return result;
  }

  schedule(intervalMs: number, type: PunctuationType, callback: Punctuator): Cancellable {
    if (!Number.isFinite(intervalMs) || intervalMs < 1) {
      throw new RangeError(`punctuation interval must be at least 1 ms, got ${intervalMs} (processor '${this.node.name}')`);
    }
    if (type !== 'STREAM_TIME' && type !== 'WALL_CLOCK_TIME') {
      throw new RangeError(`punctuation type must be 'STREAM_TIME' or 'WALL_CLOCK_TIME', got ${String(type)}`);
    }
    if (typeof callback !== 'function') throw new TypeError(`schedule() needs a callback function (processor '${this.node.name}')`);
    return this.task.schedule(this.node.name, intervalMs, type, callback);
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S {
    // global stores are visible to every processor without being connected, as in Kafka Streams
    const global = this.storeNames.includes(name) ? undefined : this.task.globalStore(name);
    if (global) return readOnlyGlobalStore(global, this.node.name) as S;
    if (!this.storeNames.includes(name)) {
      throw new StateStoreError(
        `processor '${this.node.name}' has no access to store '${name}': the store is not connected to it. ` +
          `Pass the store name to process(supplier, '${name}') / addProcessor's stores, or call connectProcessorAndStateStores('${this.node.name}', '${name}')`,
        { code: ErrorCodes.STATE_STORE_NOT_FOUND },
      );
    }
    const store = this.task.store(name);
    if (!store) throw new IllegalStateError(`store '${name}' of task ${this.task.taskId} is not initialised yet`);
    return store as S;
  }

  currentStreamTimeMs(): number {
    return this.task.streamTime();
  }

  currentSystemTimeMs(): number {
    return this.task.wallClockTime();
  }

  commit(): void {
    this.task.requestCommit();
  }

  droppedRecord(reason: string, level: 'debug' | 'warn' = 'warn'): void {
    this.task.recordDropped(this.node.name, reason, level);
  }
}
