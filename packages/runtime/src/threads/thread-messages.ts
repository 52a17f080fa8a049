// Owns what the worker's main thread and a stream thread on a worker thread say to each other
// (structured-clone messages over the Worker's port), and how errors and query results cross: an
// error keeps its class (query errors), code, context, retriability and stack; Buffers, windows
// and windowed keys come back as the classes they were, not as the plain objects cloning leaves.
import { ErrorCodes, SluiceError, type ErrorCode, type Metric } from '@sluice/common';
import { SessionWindow, TimeWindow, Windowed } from '@sluice/serdes';
import type { AssignmentInfo } from '../assignment/streams-assignor.js';
import type { TopicPartition } from '../ports.js';
import * as queryErrors from '../query/errors.js';
import type { RestoreProgress } from '../state/task-state-manager.js';

/** What a worker thread is started with (workerData). */
export interface ThreadWorkerData {
  /** The application module (file URL) and its export that builds { topology, config }. */
  readonly module: string;
  readonly exportName: string;
  readonly threadIndex: number;
  readonly processId: string;
  /** The worker's StateDirectory process token: the threads' task locks are one worker's. */
  readonly processToken: string;
  readonly cacheBytes: number;
  readonly topics: { sourceTopics: [number, string[]][]; changelogTopics: [string, string][]; partitionCounts: [string, number][] };
  /** The topology's description in the main thread: the worker thread's must be the same. */
  readonly describe: string;
  readonly settings: ThreadSettingsCheck;
}

/** Settings both sides must agree on (the module is evaluated again in the worker thread). */
export interface ThreadSettingsCheck {
  readonly applicationId: string;
  readonly bootstrapServers: string;
  readonly processingGuarantee: string;
  readonly stateDir: string;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
  readonly code?: string | undefined;
  readonly retriable?: boolean | undefined;
  readonly context?: Record<string, unknown> | undefined;
}

export interface TaskSnapshot {
  readonly id: string;
  readonly partition: number;
  readonly restored: boolean;
  readonly inputs: TopicPartition[];
  readonly stores: string[];
  readonly changelogPartitions: TopicPartition[];
  readonly changelogOffsets: [string, number][];
}

/** A stream thread's state as the main thread sees it (sent on changes and every second). */
export interface ThreadSnapshot {
  readonly active: TaskSnapshot[];
  readonly standby: TaskSnapshot[];
  readonly metrics: Metric[];
  readonly totals: { processed: number; commits: number; punctuations: number };
  readonly lags: { topic: string; partition: number; lag: number }[];
}

export type StoreCall =
  | { readonly kind: 'call'; readonly taskId: string; readonly standby: boolean; readonly store: string; readonly method: string; readonly args: unknown[] }
  | { readonly kind: 'next'; readonly cursor: number; readonly max: number }
  | { readonly kind: 'close'; readonly cursor: number };

/** An iterator's page: its entries and whether it is done (then the cursor is gone). */
export interface IteratorPage {
  readonly cursor: number;
  readonly entries: unknown[];
  readonly done: boolean;
}

export type ToThread =
  | { readonly type: 'join' }
  | { readonly type: 'close'; readonly clean: boolean }
  | { readonly type: 'replace'; readonly error: SerializedError }
  | { readonly type: 'stopThread' }
  | { readonly type: 'shutdownRequest'; readonly reason: string }
  | { readonly type: 'enforceRebalance'; readonly reason: string }
  | { readonly type: 'addSourceTopics'; readonly added: { subtopology: number; topic: string; partitions: number }[]; readonly reason: string }
  | { readonly type: 'store'; readonly id: number; readonly call: StoreCall };

export type FromThread =
  | { readonly type: 'ready' }
  | { readonly type: 'started' }
  | { readonly type: 'startFailed'; readonly error: SerializedError }
  | { readonly type: 'rebalanceStart' }
  | { readonly type: 'allRunning' }
  | { readonly type: 'fatal'; readonly error: SerializedError }
  | { readonly type: 'restore'; readonly taskId: string; readonly progress: RestoreProgress }
  | { readonly type: 'assignment'; readonly info: AssignmentInfo }
  | { readonly type: 'snapshot'; readonly snapshot: ThreadSnapshot }
  | { readonly type: 'reply'; readonly id: number; readonly ok: boolean; readonly value?: unknown; readonly error?: SerializedError }
  | { readonly type: 'closed' };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof SluiceError) return { name: err.name, message: err.message, stack: err.stack, code: err.code, retriable: err.retriable, context: cloneable(err.context) };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack, code: typeof (err as unknown as { code?: unknown }).code === 'string' ? (err as unknown as { code: string }).code : undefined };
  return { name: 'Error', message: String(err) };
}

type QueryErrorClass = new (message: string, options?: { context?: Record<string, unknown> }) => SluiceError;

/** The error again, as the class it was where that class is known (query errors), else a SluiceError or Error. */
export function deserializeError(e: SerializedError): Error {
  const known = (queryErrors as unknown as Record<string, QueryErrorClass | undefined>)[e.name];
  let err: Error;
  if (typeof known === 'function') err = new known(e.message, { context: e.context ?? {} });
  else if (e.code !== undefined && (Object.values(ErrorCodes) as string[]).includes(e.code)) {
    err = new SluiceError(e.code as ErrorCode, e.message, { context: e.context ?? {}, retriable: e.retriable ?? false });
    err.name = e.name;
  } else {
    err = new Error(e.message);
    err.name = e.name;
    if (e.code !== undefined) (err as { code?: string }).code = e.code;
  }
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

/** A context that survives structured cloning (functions and the like become their description). */
function cloneable(context: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(context)) {
    out[k] = v === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof v) || Array.isArray(v) ? v : String(v);
  }
  return out;
}

/** A value as it was before cloning: Uint8Arrays are Buffers again (one level into ValueAndTimestamp). */
export function reviveValue(v: unknown): unknown {
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v !== null && typeof v === 'object' && 'value' in v && 'timestamp' in v && Object.keys(v).length === 2) {
    const vt = v as { value: unknown; timestamp: number };
    return { value: reviveValue(vt.value), timestamp: vt.timestamp };
  }
  return v;
}

/** A query result entry as it was: windowed keys are Windowed again with the store's kind of window. */
export function reviveEntry(e: unknown, windows: 'time' | 'session' | undefined): unknown {
  if (e === null || typeof e !== 'object' || !('key' in e) || !('value' in e)) return reviveValue(e);
  const { key, value } = e as { key: unknown; value: unknown };
  let k: unknown = reviveValue(key);
  if (windows !== undefined && key !== null && typeof key === 'object' && 'window' in key && 'key' in key) {
    const w = (key as { window: { start: number; end: number } }).window;
    k = new Windowed(reviveValue((key as { key: unknown }).key), windows === 'session' ? new SessionWindow(w.start, w.end) : new TimeWindow(w.start, w.end));
  }
  return { key: k, value: reviveValue(value) };
}
