// Command-line flags of `npm run bench`, parsed and checked once, with the defaults that make the
// default run fit in about 20 minutes on 2 cores.
import type { ScenarioId } from './data.js';
import { SCENARIO_IDS } from './scenarios.js';

export interface BenchOptions {
  records: number;
  /** S2/S4 input lines (each ~13 words, so ~13× as many records cross the repartition topic) */
  wordLines: number;
  /** S5: keys in the store to restore */
  restoreRecords: number;
  reps: number;
  warmup: number;
  scenarios: ScenarioId[];
  systems: string[];
  partitions: number;
  /** stream threads of every Sluice and Kafka Streams worker (num.stream.threads) */
  streamThreads: number;
  /** processes of a system per run, all in the application's consumer group (--workers) */
  workers: number;
  /** --scale-out: run every scenario × system once per worker count, ascending; null = off */
  scaleOut: number[] | null;
  out: string;
  commitIntervalMs: number;
  cacheMaxBytes: number;
  latencyRate: number;
  latencySeconds: number;
  runTimeoutS: number;
  warmupTimeoutS: number;
  /** outputs with more records than this are not read back in full to check them */
  verifyLimit: number;
  quick: boolean;
  seed: number;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick               smoke run: 100k records, 1 repetition, no warm-up, 2 s latency phase,
                        30 s run timeout
  --records N           input records per scenario (default 1000000; S6: orders + payments,
                        S7: clicks, besides its 10000-customer table)
  --word-lines N        S2/S4 input lines (default records / 10; ~13 words a line)
  --restore-records N   S5 store size (default records / 10)
  --reps N              measured repetitions (default 3)
  --warmup N            discarded warm-up runs before them (default 1)
  --scenarios s1,s2,..  default s1,s2,s3,s4,s5,s6,s7
  --systems a,b,..      java, sluice, flow, kafkajs, perf-tools (= perf-produce, perf-consume,
                        perf-e2e), all (default)
  --partitions N        partitions of every input/output topic (default 4; 6 with --scale-out)
  --stream-threads N    stream threads per Sluice and Kafka Streams worker (default 1)
  --workers N           worker processes per run, one application (same consumer group), each with
                        its own state directory (default 1); systems that run as one process only
                        and S5 (the restore of one process) are skipped when N > 1
  --scale-out 1,2,3     run the scenarios once per worker count and add a scale-out table
                        (records/s, per worker, ratio to 1 worker); partitions default to 6 so
                        that 3 workers all get work. Needs partitions >= the largest count
  --out DIR             where results go (default bench/results)
  --commit-interval-ms N  (default 1000)       --cache-max-bytes N  (default 10485760)
  --latency-rate N      records/s during the latency phase (default 1000)
  --latency-seconds N   length of the latency phase (default 5; 0 = no latency phase)
  --run-timeout-s N     stop a run after this long and report it as partial (default 60)
  --warmup-timeout-s N  cut warm-up runs after this long (default 20)
  --verify-limit N      read outputs back to check them up to this many records (default 3000000)
  --seed N              data seed (default 42)

Set KAFKA_BROKERS to use an existing cluster instead of the local stack.`;

function int(name: string, v: string | undefined, min = 0): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}, got '${v ?? ''}'\n\n${USAGE}`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') throw new HelpRequested();
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'\n\n${USAGE}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--quick') flags.set('quick', true);
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  const known = new Set(['quick', 'records', 'word-lines', 'restore-records', 'reps', 'warmup', 'scenarios', 'systems', 'partitions', 'stream-threads', 'workers', 'scale-out', 'out', 'commit-interval-ms', 'cache-max-bytes', 'latency-rate', 'latency-seconds', 'run-timeout-s', 'warmup-timeout-s', 'verify-limit', 'seed']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n\n${USAGE}`);
  const get = (k: string) => {
    const v = flags.get(k);
    return v === true ? undefined : v;
  };
  const quick = flags.get('quick') === true;
  const records = get('records') !== undefined ? int('--records', get('records'), 1) : quick ? 100_000 : 1_000_000;
  const scenarios = (get('scenarios') ?? SCENARIO_IDS.join(',')).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const s of scenarios) if (!SCENARIO_IDS.includes(s as ScenarioId)) throw new Error(`unknown scenario '${s}': choose from ${SCENARIO_IDS.join(', ')}`);
  const scaleOut = get('scale-out') !== undefined ? workerCounts(get('scale-out')!) : null;
  if (scaleOut && get('workers') !== undefined) throw new Error(`give either --workers (one worker count) or --scale-out (several), not both\n\n${USAGE}`);
  const workers = get('workers') !== undefined ? int('--workers', get('workers'), 1) : 1;
  const partitions = get('partitions') !== undefined ? int('--partitions', get('partitions'), 1) : scaleOut ? 6 : 4;
  const most = Math.max(workers, ...(scaleOut ?? []));
  if (most > partitions) throw new Error(`${most} workers need at least ${most} partitions (one task each), got --partitions ${partitions}: pass --partitions ${most} or more`);
  return {
    quick,
    records,
    wordLines: get('word-lines') !== undefined ? int('--word-lines', get('word-lines'), 1) : Math.max(1, Math.round(records / 10)),
    restoreRecords: get('restore-records') !== undefined ? int('--restore-records', get('restore-records'), 1) : Math.max(1, Math.round(records / 10)),
    reps: get('reps') !== undefined ? int('--reps', get('reps'), 1) : quick ? 1 : 3,
    warmup: get('warmup') !== undefined ? int('--warmup', get('warmup')) : quick ? 0 : 1,
    scenarios: scenarios as ScenarioId[],
    systems: (get('systems') ?? 'all').split(',').map((s) => s.trim()).filter(Boolean),
    partitions,
    workers,
    scaleOut,
    out: get('out') ?? 'bench/results',
    streamThreads: get('stream-threads') !== undefined ? int('--stream-threads', get('stream-threads'), 1) : 1,
    commitIntervalMs: get('commit-interval-ms') !== undefined ? int('--commit-interval-ms', get('commit-interval-ms'), 1) : 1000,
    cacheMaxBytes: get('cache-max-bytes') !== undefined ? int('--cache-max-bytes', get('cache-max-bytes')) : 10 * 1024 * 1024,
    latencyRate: get('latency-rate') !== undefined ? int('--latency-rate', get('latency-rate'), 1) : 1000,
    latencySeconds: get('latency-seconds') !== undefined ? int('--latency-seconds', get('latency-seconds')) : quick ? 2 : 5,
    runTimeoutS: get('run-timeout-s') !== undefined ? int('--run-timeout-s', get('run-timeout-s'), 10) : quick ? 30 : 60,
    warmupTimeoutS: get('warmup-timeout-s') !== undefined ? int('--warmup-timeout-s', get('warmup-timeout-s'), 1) : 20,
    verifyLimit: get('verify-limit') !== undefined ? int('--verify-limit', get('verify-limit')) : 3_000_000,
    seed: get('seed') !== undefined ? int('--seed', get('seed')) : 42,
  };
}

/** `--scale-out 1,2,3`: distinct worker counts >= 1, ascending. */
function workerCounts(v: string): number[] {
  const counts = v.split(',').map((s) => s.trim()).filter(Boolean).map((s) => int('--scale-out', s, 1));
  if (counts.length === 0) throw new Error(`--scale-out needs worker counts, e.g. --scale-out 1,2,3, got '${v}'`);
  return [...new Set(counts)].sort((a, b) => a - b);
}

export class HelpRequested extends Error {
  constructor() {
    super(USAGE);
    this.name = 'HelpRequested';
  }
}
