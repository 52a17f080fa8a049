// Owns the main thread's side of a stream thread on a worker thread (stream-thread-worker.ts): it
// starts the Worker, turns its messages into ThreadEvents, keeps the last snapshot of its tasks,
// metrics and lags, shows its tasks to queries with stand-in stores that read through the worker
// (remote-store.ts), and passes on what KafkaStreams asks of the thread.
import type { Logger, Metric } from '@sluice/common';
import type { Topology } from '@sluice/core';
import { changelogTopicName } from '@sluice/state';
import { Worker } from 'node:worker_threads';
import type { RuntimeTask } from '../query/interactive-queries.js';
import { remoteStore } from './remote-store.js';
import { workerBootstrap } from './worker-bootstrap.js';
import type { SourceTopicAdded, StreamThreadHandle, ThreadEvents } from './thread-handle.js';
import { deserializeError, serializeError, type FromThread, type StoreCall, type TaskSnapshot, type ThreadSnapshot, type ThreadWorkerData, type ToThread } from './thread-messages.js';

/** How long a closing worker thread gets before it is terminated. */
const CLOSE_TIMEOUT_MS = 60_000;

export interface RemoteThreadOptions {
  readonly data: ThreadWorkerData;
  readonly name: string;
  readonly topology: Topology;
  readonly applicationId: string;
  readonly events: ThreadEvents;
  readonly logger: Logger;
}

const EMPTY: ThreadSnapshot = { active: [], standby: [], metrics: [], totals: { processed: 0, commits: 0, punctuations: 0 }, lags: [] };

/** The worker entry next to this file (TypeScript when Sluice runs from its sources). */
function workerEntry(): URL {
  return new URL(`./stream-thread-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
}

export class RemoteThread implements StreamThreadHandle {
  readonly index: number;
  private worker: Worker | undefined;
  private snapshot: ThreadSnapshot = EMPTY;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private nextId = 1;
  private exited = false;
  private closing: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;
  private preparing: Promise<void> | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly o: RemoteThreadOptions) {
    this.index = o.data.threadIndex;
  }

  get name(): string {
    return this.o.name;
  }

  /** Boots the worker thread; resolves when it has built the application and waits to join. */
  prepare(): Promise<void> {
    this.preparing ??= new Promise<void>((ready, notReady) => {
      this.starting = new Promise<void>((started, failed) => this.boot(ready, notReady, started, failed));
      // a failure before start() is prepare()'s to report; start() reports it again
      this.starting.catch(() => undefined);
    });
    return this.preparing;
  }

  /** Lets the prepared thread join the group; resolves once it is a member. */
  async start(): Promise<void> {
    await this.prepare();
    this.worker?.postMessage({ type: 'join' } satisfies ToThread);
    return this.starting;
  }

  private boot(ready: () => void, notReady: (err: unknown) => void, resolve: () => void, rejectStart: (err: unknown) => void): void {
    let started = false;
    const reject = (err: unknown) => {
      notReady(err);
      rejectStart(err);
    };
    const boot = workerBootstrap(workerEntry(), this.o.data);
    const worker = new Worker(boot.code, boot.options);
    this.worker = worker;
    worker.on('message', (m: FromThread) => {
      if (m.type === 'ready') {
        ready();
      } else if (m.type === 'started') {
        started = true;
        resolve();
      } else if (m.type === 'startFailed') {
        const err = deserializeError(m.error);
        void worker.terminate();
        if (!started) reject(err);
      } else this.receive(m);
    });
    worker.on('error', (err) => {
      // an exception nothing in the thread caught: the thread is gone
      if (!started) reject(err);
      else this.o.events.onFatal(this.index, err);
    });
    worker.on('exit', (code) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`stream thread ${this.name} has stopped`));
      this.pending.clear();
      this.onClosed?.();
      if (!started) reject(new Error(`stream thread ${this.name} stopped while starting (exit code ${code})`));
      else if (this.closing === undefined) this.o.events.onFatal(this.index, new Error(`stream thread ${this.name} stopped unexpectedly (exit code ${code})`));
    });
  }

  activeTasks(): RuntimeTask[] {
    return this.snapshot.active.map((t) => this.runtimeTask(t, false));
  }

  standbyTasks(): RuntimeTask[] {
    return this.snapshot.standby.map((t) => this.runtimeTask(t, true));
  }

  reportedMetrics(): Metric[] {
    return this.snapshot.metrics;
  }

  totals(): { processed: number; commits: number; punctuations: number } {
    return this.snapshot.totals;
  }

  consumerLags(): { topic: string; partition: number; lag: number }[] {
    return this.snapshot.lags;
  }

  async addSourceTopics(added: readonly SourceTopicAdded[], reason: string): Promise<void> {
    this.post({ type: 'addSourceTopics', added: [...added], reason });
  }

  enforceRebalance(reason: string): void {
    this.post({ type: 'enforceRebalance', reason });
  }

  async replace(error: unknown): Promise<void> {
    this.post({ type: 'replace', error: serializeError(error) });
  }

  async stopThread(): Promise<void> {
    this.post({ type: 'stopThread' });
  }

  requestShutdown(reason: string): void {
    this.post({ type: 'shutdownRequest', reason });
  }

  close(clean: boolean): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.worker === undefined || this.exited) return resolve();
      const timer = setTimeout(() => {
        this.o.logger.warn(`stream thread ${this.name} did not close within ${CLOSE_TIMEOUT_MS / 1000} s; terminating it`);
        void this.worker?.terminate();
      }, CLOSE_TIMEOUT_MS);
      this.onClosed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.post({ type: 'close', clean });
    });
    return this.closing;
  }

  private receive(m: FromThread): void {
    const ev = this.o.events;
    switch (m.type) {
      case 'rebalanceStart':
        ev.onRebalanceStart(this.index);
        return;
      case 'allRunning':
        ev.onAllRunning(this.index);
        return;
      case 'fatal':
        ev.onFatal(this.index, deserializeError(m.error));
        return;
      case 'restore':
        ev.onRestoreProgress(m.taskId, m.progress);
        return;
      case 'assignment':
        ev.onAssignment(this.index, m.info);
        return;
      case 'snapshot':
        this.snapshot = m.snapshot;
        return;
      case 'reply': {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(deserializeError(m.error!));
        return;
      }
      case 'closed':
        void this.worker?.terminate();
        return;
      default:
        this.o.logger.warn(`stream thread ${this.name} sent a message this version does not know: ${String((m as { type?: unknown }).type)}`);
    }
  }

  private post(m: ToThread): void {
    if (this.worker === undefined || this.exited) return;
    this.worker.postMessage(m);
  }

  private call(call: StoreCall): Promise<unknown> {
    if (this.worker === undefined || this.exited) return Promise.reject(new Error(`stream thread ${this.name} has stopped`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ type: 'store', id, call } satisfies ToThread);
    });
  }

  private runtimeTask(t: TaskSnapshot, standby: boolean): RuntimeTask {
    const held = () => (standby ? this.snapshot.standby : this.snapshot.active).some((s) => s.id === t.id) && !this.exited;
    const stores = new Map(
      t.stores.map((name) => {
        const kind = this.o.topology.stores.get(name)?.builder.queryInfo?.()?.kind;
        return [name, remoteStore({ name, taskId: t.id, standby, kind, serdeTopic: changelogTopicName(this.o.applicationId, name), open: held, call: (c) => this.call(c) })] as const;
      }),
    );
    return {
      id: t.id,
      restored: t.restored,
      inputs: t.inputs,
      task: { partition: t.partition, stores },
      state: { changelogPartitions: () => t.changelogPartitions, changelogOffsets: () => new Map(t.changelogOffsets) },
    };
  }
}
