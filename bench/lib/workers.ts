// The N worker processes of one run (--workers, --scale-out): their specs (same application id,
// a state directory and log file each, one start gate so they join the group together rather than
// as each finishes booting), starting them all or none, one SystemProcess view over them
// (events of all, fails when any fails, stops all), and figures across them: throughput start =
// the earliest first input of any worker, CPU and peak RSS summed (and the largest worker's peak).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchEvent, ProcessorAdapter, RunSpec, SystemProcess } from '../adapters/types.js';
import { ProcessMonitor, type ProcessSample } from './process-stats.js';

/**
 * One spec per worker. A single worker keeps the run's spec as it is; several get
 * `<stateDir>/worker-<i>` (under the run's state directory, so the run's clean-up removes them all),
 * `<logFile without .log>-worker-<i>.log`, and one start gate `<stateDir>/start-gate`.
 */
export function workerSpecs(spec: RunSpec, workers: number): RunSpec[] {
  if (workers <= 1) return [spec];
  const base = spec.logFile.replace(/\.log$/, '');
  const startGate = join(spec.stateDir, 'start-gate');
  return Array.from({ length: workers }, (_, i) => ({ ...spec, stateDir: join(spec.stateDir, `worker-${i + 1}`), logFile: `${base}-worker-${i + 1}.log`, startGate }));
}

/** Let the workers waiting at the gate start (create the file). */
export function openGate(startGate: string): void {
  mkdirSync(dirname(startGate), { recursive: true });
  writeFileSync(startGate, `${Date.now()}\n`);
}

/** Start one process per spec; when one fails to start, stop those already started and rethrow. */
export async function startWorkers(adapter: ProcessorAdapter, specs: RunSpec[]): Promise<SystemProcess[]> {
  const procs: SystemProcess[] = [];
  try {
    for (const s of specs) procs.push(await adapter.start(s));
    return procs;
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    throw err;
  }
}

/**
 * The workers as one process: events of all of them, `exited` when the first one exits (a worker
 * that dies fails the run), `stop` stops all of them at once. `pid` is the first worker's.
 */
export function combineProcesses(procs: SystemProcess[]): SystemProcess {
  if (procs.length === 1) return procs[0]!;
  return {
    pid: procs[0]!.pid,
    get history() {
      return procs.flatMap((p) => p.history);
    },
    onEvent(listener: (e: BenchEvent) => void) {
      const offs = procs.map((p) => p.onEvent(listener));
      return () => {
        for (const off of offs) off();
      };
    },
    exited: Promise.race(procs.map((p) => p.exited)),
    async stop(graceMs?: number) {
      await Promise.all(procs.map((p) => p.stop(graceMs)));
    },
  };
}

/** The earliest `first-input` time over the workers' event histories; null when none had input yet. */
export function earliestFirstInput(histories: BenchEvent[][]): number | null {
  let earliest: number | null = null;
  for (const h of histories) {
    for (const e of h) if (e.event === 'first-input' && (earliest === null || e.at < earliest)) earliest = e.at;
  }
  return earliest;
}

/**
 * Milliseconds from the first worker's first input to the last one's, over the workers that had
 * input; null for fewer than two. Large: the group formed in more than one rebalance, inside the
 * measured window.
 */
export function firstInputSpreadMs(histories: BenchEvent[][]): number | null {
  const firsts = histories.map((h) => earliestFirstInput([h])).filter((t): t is number => t !== null);
  return firsts.length < 2 ? null : Math.max(...firsts) - Math.min(...firsts);
}

/** How many workers reported `first-input` (got at least one input record). */
export function workersWithInput(histories: BenchEvent[][]): number {
  return histories.filter((h) => h.some((e) => e.event === 'first-input')).length;
}

export interface GroupSample extends ProcessSample {
  /** the largest single worker's peak resident set, bytes (peakRssBytes is the sum over workers) */
  maxPeakRssBytes: number;
  workers: number;
}

/**
 * Sums the workers' samples (CPU seconds, resident set, peak resident set: the sum of each
 * worker's own peak, an upper bound of the group's peak) and keeps the largest worker's peak.
 * A worker without a sample (exited) counts with its last one; null when no worker has any.
 */
export function sumSamples(samples: (ProcessSample | null)[]): GroupSample | null {
  const have = samples.filter((s): s is ProcessSample => s !== null);
  if (have.length === 0) return null;
  return {
    at: Math.max(...have.map((s) => s.at)),
    cpuSeconds: have.reduce((a, s) => a + s.cpuSeconds, 0),
    rssBytes: have.reduce((a, s) => a + s.rssBytes, 0),
    peakRssBytes: have.reduce((a, s) => a + s.peakRssBytes, 0),
    maxPeakRssBytes: Math.max(...have.map((s) => s.peakRssBytes)),
    workers: have.length,
  };
}

/** ProcessMonitor over several processes: samples each, reports the sums (sumSamples). */
export class GroupMonitor {
  private readonly monitors: ProcessMonitor[];

  constructor(pids: number[]) {
    this.monitors = pids.map((pid) => new ProcessMonitor(pid));
  }

  start(): this {
    for (const m of this.monitors) m.start();
    return this;
  }

  /** The newest samples summed (each worker's own newest). */
  get last(): GroupSample | null {
    return sumSamples(this.monitors.map((m) => m.last));
  }

  /** Sample every worker now (before stopping them: /proc disappears with a process). */
  async sample(): Promise<GroupSample | null> {
    await Promise.all(this.monitors.map((m) => m.sample()));
    return this.last;
  }

  stop(): void {
    for (const m of this.monitors) m.stop();
  }
}
