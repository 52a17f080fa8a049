// The shape of bench/results/<date>.json, and the per-cell summary (median and spread over the
// measured repetitions) that the Markdown table and the SVG chart are drawn from.
import type { ScenarioId } from './data.js';
import { spread, type Spread } from './stats.js';

export interface RunLatency {
  p50: number;
  p99: number;
  max?: number;
  samples: number;
  /** what was measured, in words (differs for the perf tools) */
  what: string;
}

export interface RunResult {
  rep: number;
  warmup: boolean;
  ok: boolean;
  error?: string;
  /** input records per second, first input consumed → last output appended (S5: restored/s) */
  recordsPerSecond: number | null;
  durationMs: number | null;
  inputRecords: number;
  outputRecords?: number;
  latency: RunLatency | null;
  /** peak resident set; with several workers the sum of each worker's own peak */
  peakRssBytes: number | null;
  /** worker processes of the run (absent: 1) */
  workers?: number;
  /** of them, how many reported first-input (Sluice: from an input topic; Java: from any topic, repartition included) */
  workersWithInput?: number;
  /** several workers: the largest single worker's peak resident set */
  maxWorkerPeakRssBytes?: number | null;
  /** CPU seconds of the processing process(es, summed) from first input to the end of the throughput phase */
  cpuSeconds: number | null;
  /** ... from process start (JVM / Node start-up, group join included) */
  cpuSecondsTotal: number | null;
  /** the output matched the expected output (null: not checked) */
  verified: boolean | null;
  restore?: { records: number; ms: number; readyMs: number };
  /** wall-clock time of the whole run, start-up and clean-up included (for time budgeting) */
  wallMs?: number;
  /** the run hit its time limit: `committed` of `of` input records were done */
  partial?: { committed: number; of: number };
  notes: string[];
}

export interface CellSummary {
  throughput: Spread | null;
  p50: Spread | null;
  p99: Spread | null;
  peakRssMiB: Spread | null;
  cpuSeconds: Spread | null;
  /** several workers: the largest single worker's peak RSS */
  maxWorkerPeakRssMiB?: Spread | null;
}

export interface CellResult {
  scenario: ScenarioId;
  system: string;
  /** worker processes per run of this cell (absent: 1); --scale-out has a cell per count */
  workers?: number;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  runs: RunResult[];
  summary: CellSummary;
}

export interface SystemEntry {
  id: string;
  label: string;
  role: 'streams' | 'ceiling';
  status: 'ready' | 'unavailable';
  reason?: string;
  version?: string;
  config?: Record<string, string | number | boolean>;
  notes?: string[];
}

export interface ScenarioEntry {
  id: ScenarioId;
  title: string;
  description: string;
  inputRecords: number;
  prepareMs?: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: Record<string, string | number>;
  broker: string;
  settings: Record<string, string | number | boolean>;
  systems: SystemEntry[];
  scenarios: ScenarioEntry[];
  cells: CellResult[];
  /** --scale-out: the worker counts every scenario × system ran with */
  scaleOut?: number[];
}

export function summarize(runs: RunResult[]): CellSummary {
  const measured = runs.filter((r) => !r.warmup && r.ok);
  const pick = (f: (r: RunResult) => number | null | undefined) =>
    spread(measured.map(f).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  return {
    throughput: pick((r) => r.recordsPerSecond),
    p50: pick((r) => r.latency?.p50),
    p99: pick((r) => r.latency?.p99),
    peakRssMiB: pick((r) => (r.peakRssBytes === null ? null : r.peakRssBytes / (1 << 20))),
    cpuSeconds: pick((r) => r.cpuSeconds),
    maxWorkerPeakRssMiB: pick((r) => (r.maxWorkerPeakRssBytes === null || r.maxWorkerPeakRssBytes === undefined ? null : r.maxWorkerPeakRssBytes / (1 << 20))),
  };
}
