// `npm run bench`: starts the local Kafka (unless KAFKA_BROKERS is set), prepares each scenario's
// input topic once, runs every scenario × system × repetition with fresh output topics and
// application ids (× worker count with --scale-out), and writes bench/results/<date>.{json,md,svg}.
// bench/README.md explains it all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectSystems } from './adapters/registry.js';
import { NotAvailable, type StandaloneAdapter, type SystemAdapter } from './adapters/types.js';
import { killAllChildren, onInterrupt, runCommand } from './lib/child.js';
import { generateInput, VALUE_BYTES, type DataShape, type ScenarioId } from './lib/data.js';
import { BenchKafka } from './lib/kafka.js';
import { describeMachine } from './lib/machine.js';
import { HelpRequested, parseOptions, type BenchOptions } from './lib/options.js';
import { renderMarkdown, resultsTable, scaleOutTable } from './lib/report-markdown.js';
import { renderSvg } from './lib/report-svg.js';
import { summarize, type BenchResults, type CellResult, type RunResult, type ScenarioEntry, type SystemEntry } from './lib/results.js';
import { describe, runProcessorOnce, runRestoreSeries, type PreparedInput, type RunContext } from './lib/runner.js';
import { SCENARIOS } from './lib/scenarios.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stdout.write(line + '\n');

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}${p(d.getMinutes())}`;
}

async function brokers(): Promise<{ list: string[]; describe: string }> {
  const env = process.env['KAFKA_BROKERS'];
  if (env) return { list: env.split(',').map((b) => b.trim()).filter(Boolean), describe: `existing cluster KAFKA_BROKERS=${env}` };
  log('bench: starting the local stack (scripts/local-stack.sh start) ...');
  const r = await runCommand('bash', [join(ROOT, 'scripts', 'local-stack.sh'), 'start'], { cwd: ROOT, timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`scripts/local-stack.sh start failed:\n${r.stdout}${r.stderr}`);
  log(r.stdout.trim().split('\n').map((l) => `  ${l}`).join('\n'));
  return { list: ['127.0.0.1:9092'], describe: `local stack (scripts/local-stack.sh): Kafka ${process.env['KAFKA_VERSION'] ?? '4.4.0'}, single KRaft node on 127.0.0.1:9092` };
}

function shapeFor(o: BenchOptions, scenario: ScenarioId): DataShape {
  const windowSizeMs = 60_000;
  const windows = 10;
  return {
    records: scenario === 's2' || scenario === 's4' ? o.wordLines : scenario === 's5' ? o.restoreRecords : o.records,
    partitions: o.partitions,
    seed: o.seed,
    vocabulary: 5_000,
    windowKeys: 1_000,
    windowSizeMs,
    graceMs: 30_000,
    windows,
    maxDisorderMs: 5_000,
    // event time ends a couple of windows before now, so the latency phase (stamped now) opens new windows
    eventTimeBase: Math.floor((Date.now() - (windows + 2) * windowSizeMs) / windowSizeMs) * windowSizeMs,
    joinWindowMs: 10_000,
    tableKeys: 10_000,
  };
}

async function prepareInput(bk: BenchKafka, o: BenchOptions, scenario: ScenarioId): Promise<PreparedInput & { prepareMs: number }> {
  const t0 = Date.now();
  const shape = shapeFor(o, scenario);
  const topic = `bench-input-${scenario}-${Date.now().toString(36)}`;
  await bk.createTopic(topic, o.partitions);
  // S6's payments, S7's customers: co-partitioned with the first input; a table's topic is compacted
  const other = SCENARIOS[scenario].otherInput;
  const otherTopic = other ? `bench-input-${scenario}-${other.name}-${Date.now().toString(36)}` : null;
  if (otherTopic) await bk.createTopic(otherTopic, o.partitions, other?.counted ? {} : { 'cleanup.policy': 'compact' });
  const gen = generateInput(scenario, shape);
  await bk.produceAll(topic, gen.chunks, otherTopic);
  const endOffsets = await bk.endOffsets(topic);
  return { scenario, topic, otherTopic, records: gen.records, endOffsets, expectation: gen.expectation(), shape, prepareMs: Date.now() - t0 };
}

async function runStandalone(ctx: RunContext, adapter: StandaloneAdapter, input: PreparedInput, rep: number, warmup: boolean): Promise<RunResult> {
  const o = ctx.options;
  const scratch = `bench-scratch-${adapter.id}-${rep}-${Date.now().toString(36)}`;
  const result: RunResult = { rep, warmup, ok: false, recordsPerSecond: null, durationMs: null, inputRecords: input.records, latency: null, peakRssBytes: null, cpuSeconds: null, cpuSecondsTotal: null, verified: null, notes: [] };
  try {
    await ctx.bk.createTopic(scratch, adapter.id === 'perf-e2e' ? 1 : o.partitions);
    const r = await adapter.measure({
      brokers: ctx.bk.brokers,
      inputTopic: input.topic,
      scratchTopic: scratch,
      records: input.records,
      valueBytes: VALUE_BYTES,
      partitions: o.partitions,
      logFile: join(ctx.logDir, `${scratch}.log`),
      latencySamples: Math.min(2000, Math.max(500, o.latencyRate * o.latencySeconds)),
    });
    Object.assign(result, { recordsPerSecond: r.recordsPerSecond, latency: r.latency, peakRssBytes: r.peakRssBytes, cpuSeconds: r.cpuSeconds, cpuSecondsTotal: r.cpuSeconds, notes: r.notes, ok: true });
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await ctx.bk.deleteTopics([scratch]).catch(() => undefined);
  }
  return result;
}

/** Why a system does not run with `workers` processes in this scenario, or null when it does. */
function workersSkipReason(adapter: SystemAdapter, scenario: ScenarioId, workers: number): string | null {
  if (workers <= 1) return null;
  if (adapter.kind !== 'processor' || !adapter.multiProcess) return `runs as one process only: skipped with ${workers} workers`;
  if (scenario === 's5') return `S5 times the restore of one process: skipped with ${workers} workers`;
  return null;
}

/** One scenario × system × worker count: its runs so far, and whether it stopped early. */
interface Cell {
  readonly adapter: SystemAdapter;
  readonly workers: number;
  readonly label: string;
  readonly runs: RunResult[];
  stopped: boolean;
}

/** Runs one repetition (or warm-up) of `cell`, unless the cell has stopped; stops it when more runs would be wasted. */
async function runOnce(ctx: RunContext, cell: Cell, input: PreparedInput, rep: number, warmup: boolean): Promise<void> {
  if (cell.stopped) return;
  const o = ctx.options;
  const { adapter } = cell;
  const t0 = Date.now();
  const r = adapter.kind === 'processor' ? await runProcessorOnce(ctx, adapter, input, rep, warmup, cell.workers) : await runStandalone(ctx, adapter, input, rep, warmup);
  r.wallMs = Date.now() - t0;
  cell.runs.push(r);
  log(`  ${cell.label} ${warmup ? 'warm-up' : `rep ${rep}`}: ${describe(r)}`);
  // a failing system fails the same way again, a too slow one is as slow again: do not spend
  // the time budget on more repetitions of it
  if (!r.ok) {
    cell.stopped = true;
    return;
  }
  // a warm-up that got through only a small part of its input cannot finish a measured run in
  // time either: report its partial rate as the measurement instead of spending a full run on it
  if (warmup && r.partial && r.partial.committed / r.partial.of < o.warmupTimeoutS / o.runTimeoutS / 2) {
    const pct = Math.round((100 * r.partial.committed) / r.partial.of);
    cell.runs.push({ ...r, warmup: false, notes: [`partial: ${pct} % of the input processed in the ${o.warmupTimeoutS} s warm-up, too slow to finish a run within --run-timeout-s; rate = that / elapsed; output not checked, no latency phase`] });
    log(`  (${cell.label}: measured from the warm-up: ${pct} % of the input in ${o.warmupTimeoutS} s; no full run attempted)`);
    cell.stopped = true;
    return;
  }
  if (!warmup && r.partial) {
    log(`  (${cell.label}: stopping this cell: the run did not finish within --run-timeout-s)`);
    cell.stopped = true;
  }
}

/**
 * Runs the cells of one scenario: every cell's warm-ups, then repetition 1 of every cell, then
 * repetition 2 in the reverse order, and so on. Interleaved, so that what a run leaves behind on the
 * shared broker and machine (deleted topics purged 60 s later, transaction state, page cache) falls
 * on every system alike instead of on whichever runs second (it cost Sluice's S2 ~40 % of its rate
 * when all of Java's runs came first). S5 loads one store per system and times its restores: its
 * cells run one after the other.
 */
async function runCells(ctx: RunContext, cells: readonly Cell[], input: PreparedInput): Promise<void> {
  const o = ctx.options;
  // the perf tools are fresh JVMs that measure themselves: a discarded run of theirs warms nothing
  const warmupsOf = (c: Cell) => (c.adapter.kind === 'standalone' ? 0 : o.warmup);
  if (input.scenario === 's5') {
    for (const c of cells) {
      log(` - ${c.label}`);
      const plan = [...Array.from({ length: warmupsOf(c) }, (_, i) => ({ rep: i + 1, warmup: true })), ...Array.from({ length: o.reps }, (_, i) => ({ rep: i + 1, warmup: false }))];
      if (c.adapter.kind === 'processor') c.runs.push(...(await runRestoreSeries(ctx, c.adapter, input, plan)));
      else for (const { rep, warmup } of plan) await runOnce(ctx, c, input, rep, warmup);
    }
    return;
  }
  for (const c of cells) for (let w = 1; w <= warmupsOf(c); w++) await runOnce(ctx, c, input, w, true);
  for (let rep = 1; rep <= o.reps; rep++) {
    const order = rep % 2 === 1 ? cells : [...cells].reverse();
    for (const c of order) await runOnce(ctx, c, input, rep, false);
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof HelpRequested) {
      log(err.message);
      return 0;
    }
    throw err;
  }
  const started = new Date();
  const name = `${stamp(started)}${options.quick ? '-quick' : ''}${options.scaleOut ? '-scale-out' : ''}`;
  // one cell per system and worker count: --scale-out's counts, or --workers alone
  const workerCounts = options.scaleOut ?? [options.workers];
  const outDir = resolve(ROOT, options.out);
  const logDir = join(outDir, `${name}.logs.tmp`);
  mkdirSync(logDir, { recursive: true });
  const systems = selectSystems(options.systems);
  const broker = await brokers();
  const bk = new BenchKafka(broker.list);
  onInterrupt(() => bk.deleteCreated());
  const ctx: RunContext = { bk, options, logDir, log };
  log(`bench: logs in ${logDir}`);

  const systemEntries: SystemEntry[] = [];
  const ready: SystemAdapter[] = [];
  for (const s of systems) {
    try {
      const info = await s.prepare({ root: ROOT, logDir, brokers: broker.list, log });
      systemEntries.push({ id: s.id, label: s.label, role: s.role, status: 'ready', ...info });
      ready.push(s);
      log(`bench: ${s.label}: ${info.version}`);
    } catch (err) {
      const reason = err instanceof NotAvailable ? err.message : `prepare failed: ${err instanceof Error ? err.message : String(err)}`;
      systemEntries.push({ id: s.id, label: s.label, role: s.role, status: 'unavailable', reason });
      log(`bench: ${s.label}: not available: ${reason}`);
    }
  }

  const cells: CellResult[] = [];
  const scenarioEntries: ScenarioEntry[] = [];
  try {
    for (const id of options.scenarios) {
      const sc = SCENARIOS[id];
      const runnable = ready.filter((s) => s.supports(id) === true && workerCounts.some((w) => workersSkipReason(s, id, w) === null));
      log(`\n== ${sc.title}: ${sc.description}`);
      let input: (PreparedInput & { prepareMs: number }) | undefined;
      if (runnable.length > 0) {
        input = await prepareInput(bk, options, id);
        const table = id === 's7' ? ` (+ ${input.shape.tableKeys.toLocaleString('en-US')} table records in ${input.otherTopic})` : input.otherTopic ? ` and ${input.otherTopic}` : '';
        log(`   input: ${input.records.toLocaleString('en-US')} records in ${input.topic}${table} (${(input.prepareMs / 1000).toFixed(1)} s to produce)`);
      }
      scenarioEntries.push({ id, title: sc.title, description: sc.description, inputRecords: input?.records ?? shapeFor(options, id).records, prepareMs: input?.prepareMs });
      try {
        // in system order, as the tables list them: skipped cells as they are, run ones once run
        const slots: (CellResult | { cell: Cell; base: { scenario: ScenarioId; system: string; workers?: number } })[] = [];
        for (const s of systems) {
          for (const workers of workerCounts) {
            const entry = systemEntries.find((e) => e.id === s.id)!;
            const support = s.supports(id);
            const base = { scenario: id, system: s.id, ...(options.scaleOut || workers > 1 ? { workers } : {}) };
            if (entry.status !== 'ready') {
              slots.push({ ...base, status: 'skipped', reason: `not available: ${entry.reason ?? ''}`, runs: [], summary: summarize([]) });
              continue;
            }
            const skip = support === true ? workersSkipReason(s, id, workers) : support;
            if (skip !== null) {
              slots.push({ ...base, status: 'skipped', reason: skip, runs: [], summary: summarize([]) });
              continue;
            }
            const cell: Cell = { adapter: s, workers, label: `${s.label}${base.workers ? `, ${workers} worker${workers > 1 ? 's' : ''}` : ''}`, runs: [], stopped: false };
            slots.push({ cell, base });
          }
        }
        const toRun = slots.flatMap((x) => ('cell' in x ? [x.cell] : []));
        if (toRun.length > 0) await runCells(ctx, toRun, input!);
        for (const slot of slots) {
          if (!('cell' in slot)) {
            cells.push(slot);
            continue;
          }
          const { cell, base } = slot;
          const measuredOk = cell.runs.filter((r) => !r.warmup && r.ok).length;
          const firstError = cell.runs.find((r) => !r.ok)?.error;
          cells.push({ ...base, status: measuredOk > 0 ? 'ok' : 'failed', reason: measuredOk > 0 ? undefined : firstError, runs: cell.runs, summary: summarize(cell.runs) });
        }
      } finally {
        if (input) await bk.deleteTopics([input.topic, ...(input.otherTopic ? [input.otherTopic] : [])]).catch(() => undefined);
      }
    }
  } finally {
    await bk.deleteCreated().catch((err: unknown) => log(`bench: could not delete all topics: ${String(err)}`));
    await bk.close();
  }

  const finished = new Date();
  const results: BenchResults = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationS: Math.round((finished.getTime() - started.getTime()) / 1000),
    command: process.argv.length > 2 ? `npm run bench -- ${process.argv.slice(2).join(' ')}` : 'npm run bench',
    machine: await describeMachine(),
    broker: broker.describe,
    settings: {
      records: options.records,
      'S2/S4 lines': options.wordLines,
      'S5 store keys': options.restoreRecords,
      'value bytes': VALUE_BYTES,
      partitions: options.partitions,
      'worker processes per run': options.scaleOut ? `${options.scaleOut.join(', ')} (--scale-out)` : options.workers,
      repetitions: options.reps,
      'warm-up runs': options.warmup,
      'run order': 'every system\'s warm-ups, then repetition 1 of each system, repetition 2 in the reverse order, … (S5: one system after the other)',
      'commit.interval.ms': options.commitIntervalMs,
      'statestore.cache.max.bytes': options.cacheMaxBytes,
      'latency phase': options.latencySeconds > 0 ? `${options.latencyRate} records/s for ${options.latencySeconds} s` : 'off',
      'S3 windows': 'tumbling 60 s, grace 30 s, 1000 keys, event time over 10 windows, disorder < 5 s',
      'S2 vocabulary': '5000 words, Zipf(1)',
      'S6 join': 'records / 2 orders ⋈ as many payments, JoinWindows 10 s + grace 30 s, 9 in 10 payments 0-2 s after their order',
      'S7 table': '10000 customers (loaded first), 95 % of clicks from a known customer',
      'run timeout s': options.runTimeoutS,
      'warm-up timeout s': options.warmupTimeoutS,
      seed: options.seed,
    },
    systems: systemEntries,
    scenarios: scenarioEntries,
    cells,
    ...(options.scaleOut ? { scaleOut: options.scaleOut } : {}),
  };
  mkdirSync(outDir, { recursive: true });
  const svgName = `${name}.svg`;
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(outDir, svgName), renderSvg(results));
  writeFileSync(join(outDir, `${name}.md`), renderMarkdown(results, basename(svgName)));
  log(`\n${resultsTable(results)}\n`);
  if (results.scaleOut) log(`${scaleOutTable(results)}\n`);
  log(`bench: wrote ${join(options.out, name)}.{json,md,svg} in ${Math.round(results.durationS / 60)} min`);
  return cells.some((c) => c.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => {
    killAllChildren();
    process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllChildren();
    process.exit(2);
  },
);
