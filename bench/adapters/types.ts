// The contract between the harness (bench/lib/runner.ts) and a system under test. A system is an
// adapter that either starts a long-running processing process for a scenario ("processor", e.g.
// Java Kafka Streams, Sluice, the kafkajs pass-through) — the harness then feeds it, watches its
// consumer group, reads its output and measures it — or measures itself ("standalone", Kafka's perf
// tools). bench/README.md ("Adding a system") explains it with an example.
import type { ScenarioId } from '../lib/data.js';

export type { ScenarioId };

/** Everything a processor needs to run one repetition of one scenario. */
export interface RunSpec {
  scenario: ScenarioId;
  brokers: string[];
  /**
   * Unique per run. Use it as the application id (= consumer group id, transactional id prefix,
   * state directory name). Internal topics must be named `${appId}-...`: the harness finds
   * repartition topics as `${appId}-*-repartition` and deletes `${appId}-*` after the run.
   */
  appId: string;
  inputTopic: string;
  /** S6: the payments stream joined with inputTopic (orders); S7: the customers table topic; else null */
  otherInputTopic: string | null;
  /** created by the harness (LogAppendTime); null for S5, which has no output */
  outputTopic: string | null;
  partitions: number;
  /** stream threads of the worker (num.stream.threads); systems without threads ignore it */
  streamThreads: number;
  guarantee: 'at_least_once' | 'exactly_once_v2';
  commitIntervalMs: number;
  /** record cache size (statestore.cache.max.bytes); systems without a cache ignore it */
  cacheMaxBytes: number;
  /** S3 only */
  windowSizeMs: number;
  /** S3, and S6's join windows */
  graceMs: number;
  /** S6: JoinWindows.ofTimeDifferenceAndGrace(joinWindowMs, graceMs) */
  joinWindowMs: number;
  /** local state directory of this process (S5 deletes it between load and restore); each of several workers has its own */
  stateDir: string;
  /** the harness appends the process's stderr and non-event stdout here */
  logFile: string;
  /**
   * Several workers (multiProcess): a file path. Build the application, emit `ready`, and start it
   * (join the group) only once this file exists, so that the workers join together rather than as
   * each finishes booting. Null: start at once.
   */
  startGate?: string | null;
}

/**
 * Events a processor reports as lines `BENCH {json}` on stdout (bench/systems/worker-protocol.ts
 * writes them for Node workers, StreamsBench.java for Java). Times are epoch milliseconds.
 */
export type BenchEvent =
  /** once, at start: `version` is reported in the results */
  | { event: 'info'; version?: string; [detail: string]: unknown }
  /** with RunSpec.startGate: built and waiting for the gate file before joining the group */
  | { event: 'ready'; at: number }
  /** required for S1-S4, S6, S7: when the process first received input records of any input topic (throughput start) */
  | { event: 'first-input'; at: number }
  /** optional: input records consumed so far, for systems that commit lazily (partial runs) */
  | { event: 'progress'; consumed: number; at: number }
  /** S5: restoration of local state from changelogs began / finished (`records` restored) */
  | { event: 'restore-start'; at: number }
  | { event: 'restore-end'; at: number; records: number; startedAt?: number }
  /** optional: lifecycle changes (logged) */
  | { event: 'state'; state: string; at: number }
  /** a fatal error: the run fails with this message */
  | { event: 'error'; message: string }
  | { event: 'closed'; at: number };

/** A running processing process; spawnSystemProcess (bench/lib/child.ts) makes one. */
export interface SystemProcess {
  /** the process whose peak RSS and CPU seconds are reported */
  pid: number;
  /** events so far */
  history: BenchEvent[];
  /** replays past events, then delivers new ones; returns an unsubscribe function */
  onEvent(listener: (e: BenchEvent) => void): () => void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone */
  stop(graceMs?: number): Promise<void>;
}

/** What a system says about itself, once per harness run. */
export interface SystemInfo {
  version: string;
  /** the settings it runs with, in its own terms (shown in the results) */
  config: Record<string, string | number | boolean>;
  notes?: string[];
}

export interface PrepareContext {
  /** repository root */
  root: string;
  /** for build and install output */
  logDir: string;
  brokers: string[];
  log: (line: string) => void;
}

/** A system that cannot run at all here (not installed, not implemented, wrong platform). */
export class NotAvailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotAvailable';
  }
}

/** true, or why this system does not run the scenario (shown as "skipped: <reason>"). */
export type Support = true | string;

interface AdapterBase {
  /** short id used on the command line (--systems) and in results */
  id: string;
  /** shown in tables */
  label: string;
  /** 'streams': compared with Java Kafka Streams; 'ceiling': a client or broker limit */
  role: 'streams' | 'ceiling';
  supports(scenario: ScenarioId): Support;
  /** build / install / probe; throw NotAvailable to skip the system with a reason */
  prepare(ctx: PrepareContext): Promise<SystemInfo>;
}

export interface ProcessorAdapter extends AdapterBase {
  kind: 'processor';
  /**
   * Start the process for one run. It must consume `inputTopic` from the earliest offset with
   * group id `appId`, commit offsets (the harness detects completion from committed offsets), keep
   * input record headers on outputs (the latency phase stamps its send time in a header), emit
   * `first-input`, and for S5 `restore-start` / `restore-end`; it must exit on SIGTERM.
   */
  start(spec: RunSpec): Promise<SystemProcess>;
  /**
   * Several processes of this system may run one application together (`--workers`,
   * `--scale-out`): the harness starts them with the same appId and each with its own `stateDir` and
   * `logFile`, so they must share nothing else (no fixed ports, no process-wide files), and with a
   * `startGate` they must honour. Absent: the system runs as one process only, and worker counts
   * above 1 skip it.
   */
  multiProcess?: boolean;
}

/** Measures itself (Kafka's perf tools): the harness only gives it a fresh topic and a size. */
export interface StandaloneAdapter extends AdapterBase {
  kind: 'standalone';
  measure(spec: StandaloneSpec): Promise<StandaloneResult>;
}

export interface StandaloneSpec {
  brokers: string[];
  /** a prepared input topic of `records` records (read-only) */
  inputTopic: string;
  /** a fresh, empty topic the system may write to */
  scratchTopic: string;
  records: number;
  valueBytes: number;
  partitions: number;
  logFile: string;
  latencySamples: number;
}

export interface StandaloneResult {
  recordsPerSecond: number | null;
  latency: { p50: number; p99: number; samples: number; what: string } | null;
  peakRssBytes: number | null;
  cpuSeconds: number | null;
  notes: string[];
}

export type SystemAdapter = ProcessorAdapter | StandaloneAdapter;
