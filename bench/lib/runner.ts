// One run of one scenario on one processing system, start to clean-up:
//
//   start process ──► first-input event ──► group caught up (committed = end offsets) ──► output
//   checked against the expectation, last append time taken ──► latency phase (fixed-rate load,
//   outputs' append time − bench-ts header) ──► stop process, delete topics / group / state.
//
// With --workers N (or a --scale-out step) the run starts N processes of the system in the same
// consumer group (bench/lib/workers.ts); its clock starts at the earliest first input of any of them.
//
// S5 instead loads a store once, then for each repetition deletes the local state, restarts and
// times the restore (runRestoreSeries), always with one process.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchEvent, ProcessorAdapter, RunSpec, SystemProcess } from '../adapters/types.js';
import { addToExpectation, liveRecordFactory, type DataShape, type Expectation, type ScenarioId } from './data.js';
import { headerNumber, LATENCY_HEADER, OutputReader, type BenchKafka, type OutputRecord } from './kafka.js';
import { runLiveLoad } from './live-load.js';
import type { BenchOptions } from './options.js';
import { ProcessMonitor } from './process-stats.js';
import type { RunResult } from './results.js';
import { SCENARIOS } from './scenarios.js';
import { LatencyRecorder } from './stats.js';
import { combineProcesses, earliestFirstInput, firstInputSpreadMs, GroupMonitor, openGate, startWorkers, workerSpecs, workersWithInput } from './workers.js';

export interface PreparedInput {
  scenario: ScenarioId;
  topic: string;
  /** S6/S7: the second input topic (payments, customers) */
  otherTopic: string | null;
  /** what the rate counts: every input record but S7's table records (the latency phase adds its own) */
  records: number;
  endOffsets: Map<number, number>;
  expectation: Expectation;
  shape: DataShape;
}

export interface RunContext {
  bk: BenchKafka;
  options: BenchOptions;
  logDir: string;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RunFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailure';
  }
}

function newAppId(scenario: ScenarioId, system: string, label: string): string {
  return `bench-${scenario}-${system}-${label}-${randomBytes(3).toString('hex')}`;
}

function runSpec(ctx: RunContext, input: PreparedInput, appId: string, outputTopic: string | null): RunSpec {
  ctx.bk.activePrefixes.add(`${appId}-`);
  return {
    scenario: input.scenario,
    brokers: ctx.bk.brokers,
    appId,
    inputTopic: input.topic,
    otherInputTopic: input.otherTopic,
    outputTopic,
    partitions: ctx.options.partitions,
    streamThreads: ctx.options.streamThreads,
    guarantee: SCENARIOS[input.scenario].guarantee,
    commitIntervalMs: ctx.options.commitIntervalMs,
    cacheMaxBytes: ctx.options.cacheMaxBytes,
    windowSizeMs: input.shape.windowSizeMs,
    graceMs: input.shape.graceMs,
    joinWindowMs: input.shape.joinWindowMs,
    stateDir: join(tmpdir(), 'sluice-bench', appId),
    logFile: join(ctx.logDir, `${appId}.log`),
  };
}

/** Resolves with the first event of that kind; rejects on an error event, exit or timeout. */
function waitForEvent<K extends BenchEvent['event']>(proc: SystemProcess, kind: K, timeoutMs: number, what: string): Promise<Extract<BenchEvent, { event: K }>> {
  return new Promise((resolve, reject) => {
    let off: () => void = () => undefined;
    const timer = setTimeout(() => {
      off();
      reject(new RunFailure(`no '${kind}' event within ${Math.round(timeoutMs / 1000)} s (${what})`));
    }, timeoutMs);
    off = proc.onEvent((e) => {
      if (e.event === kind) {
        clearTimeout(timer);
        off();
        resolve(e as Extract<BenchEvent, { event: K }>);
      } else if (e.event === 'error') {
        clearTimeout(timer);
        off();
        reject(new RunFailure(`the system reported an error: ${e.message}`));
      }
    });
    void proc.exited.then(({ code, signal }) => {
      clearTimeout(timer);
      off();
      reject(new RunFailure(`the process exited (code ${code}, signal ${signal}) before '${kind}'`));
    });
  });
}

/** Fails fast when the process dies or reports an error while the harness polls. */
function watchdog(proc: SystemProcess): { check: () => void; dispose: () => void } {
  let problem: string | null = null;
  const off = proc.onEvent((e) => {
    if (e.event === 'error') problem = `the system reported an error: ${e.message}`;
  });
  void proc.exited.then(({ code, signal }) => {
    problem ??= `the process exited unexpectedly (code ${code}, signal ${signal})`;
  });
  return {
    check: () => {
      if (problem) throw new RunFailure(problem);
    },
    dispose: off,
  };
}

export type CatchUp = { status: 'caught-up' | 'stalled' } | { status: 'timeout'; committedInput: number };

/**
 * Wait until the application's consumer group has committed the end of its inputs and of its
 * repartition topics (`${appId}-*-repartition`) — or until nothing moves any more: some systems
 * (@kafkats/flow) commit a partition's last offsets only when the next record arrives or on close,
 * so "committed offsets and output end offsets unchanged for `stallMs`" also ends the wait; the
 * output check that follows tells a finished system from a stuck one. Under exactly-once a
 * repartition partition may stay one offset short: the commit marker after its last record.
 */
async function waitCaughtUp(ctx: RunContext, spec: RunSpec, deadline: number, check: () => void, eos: boolean, consumed: () => number = () => 0): Promise<CatchUp> {
  const stallMs = Math.max(5_000, 3 * ctx.options.commitIntervalMs);
  let lastProgress = '';
  let lastChange = Date.now();
  for (;;) {
    check();
    const repartition = (await ctx.bk.listTopics(`${spec.appId}-`)).filter((t) => t.endsWith('-repartition'));
    const inputs = spec.otherInputTopic ? [spec.inputTopic, spec.otherInputTopic] : [spec.inputTopic];
    const topics = [...inputs, ...repartition];
    // S7's table records are input, but not what the rate counts
    const counted = SCENARIOS[spec.scenario].otherInput?.counted ? inputs : [spec.inputTopic];
    const committed = await ctx.bk.committed(spec.appId, topics);
    let behind = 0;
    let committedInput = 0;
    for (const t of topics) {
      const ends = await ctx.bk.endOffsets(t);
      const slack = eos && !inputs.includes(t) ? 1 : 0;
      for (const [p, end] of ends) {
        const c = Math.max(0, committed.get(t)?.get(p) ?? 0);
        if (counted.includes(t)) committedInput += c;
        behind += Math.max(0, end - slack - c);
      }
    }
    if (behind === 0) return { status: 'caught-up' };
    const outputEnd = spec.outputTopic ? sumValues(await ctx.bk.endOffsets(spec.outputTopic)) : 0;
    const progress = `${behind}/${outputEnd}/${consumed()}`;
    if (progress !== lastProgress) {
      lastProgress = progress;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= stallMs && (outputEnd > 0 || !spec.outputTopic)) {
      return { status: 'stalled' };
    }
    if (Date.now() > deadline) return { status: 'timeout', committedInput };
    await sleep(250);
  }
}

function sumValues(m: Map<number, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

/** Checks the output against the expectation as records arrive; tracks the last append time. */
class OutputCheck {
  readonly latest = new Map<string, string>();
  lastAppend = 0;
  mismatches = -1;

  constructor(private readonly expectation: Expectation) {}

  add(r: OutputRecord, throughputEnd: Map<number, number> | null): void {
    if (throughputEnd === null || r.offset < (throughputEnd.get(r.partition) ?? 0)) {
      if (r.appendTime > this.lastAppend) this.lastAppend = r.appendTime;
      if (this.expectation.kind === 'final-values' && r.key !== null) this.latest.set(r.key, r.value ?? '');
    }
  }

  /** Keys whose latest value differs from the expected one (missing and extra keys included). */
  countMismatches(): number {
    if (this.expectation.kind !== 'final-values') return 0;
    const want = this.expectation.values;
    let bad = 0;
    for (const [k, v] of want) if (this.latest.get(k) !== String(v)) bad++;
    for (const k of this.latest.keys()) if (!want.has(k)) bad++;
    this.mismatches = bad;
    return bad;
  }
}

/** One repetition of S1-S4, S6, S7 on a processor, run by `workers` processes of it. */
export async function runProcessorOnce(ctx: RunContext, adapter: ProcessorAdapter, input: PreparedInput, rep: number, warmup: boolean, workers = 1): Promise<RunResult> {
  const inputRecords = input.records;
  const o = ctx.options;
  const scenario = SCENARIOS[input.scenario];
  const eos = scenario.guarantee === 'exactly_once_v2';
  const appId = newAppId(input.scenario, adapter.id, `${warmup ? `w${rep}` : `r${rep}`}${workers > 1 ? `x${workers}` : ''}`);
  const outputTopic = `${appId}-out`;
  const spec = runSpec(ctx, input, appId, outputTopic);
  const result: RunResult = { rep, warmup, ok: false, recordsPerSecond: null, durationMs: null, inputRecords, latency: null, peakRssBytes: null, cpuSeconds: null, cpuSecondsTotal: null, verified: null, notes: [] };
  await ctx.bk.createTopic(outputTopic, o.partitions, { 'message.timestamp.type': 'LogAppendTime' });
  // a warm-up only has to warm up: it is cut short, and not reported
  const deadline = Date.now() + (warmup ? Math.min(o.runTimeoutS, o.warmupTimeoutS) : o.runTimeoutS) * 1000;
  if (workers > 1) result.workers = workers;
  let proc: SystemProcess | undefined;
  let monitor: GroupMonitor | undefined;
  let reader: OutputReader | undefined;
  try {
    const specs = workerSpecs(spec, workers);
    const procs = await startWorkers(adapter, specs);
    proc = combineProcesses(procs);
    monitor = new GroupMonitor(procs.map((p) => p.pid)).start();
    const dog = watchdog(proc);
    // progress is per worker: the group has consumed the sum of their latest reports
    const consumedBy = new Map<SystemProcess, number>();
    for (const p of procs) {
      p.onEvent((e) => {
        if (e.event === 'progress') consumedBy.set(p, e.consumed);
      });
    }
    const consumed = () => [...consumedBy.values()].reduce((a, b) => a + b, 0);
    const gate = specs[0]!.startGate;
    if (gate) {
      // several workers join the group together once all of them are built (JVM / Node start-up done)
      await Promise.all(procs.map((p, i) => waitForEvent(p, 'ready', 120_000, `worker ${i + 1} never got ready to join the group`)));
      openGate(gate);
    }
    const first = await waitForEvent(proc, 'first-input', 120_000, 'the system never received input');
    // the clock starts at the earliest first input of any worker (events of several may arrive out of order)
    const startedAt = () => earliestFirstInput(procs.map((p) => p.history)) ?? first.at;
    const cpuAtFirst = (await monitor.sample())?.cpuSeconds ?? 0;
    const caught = await waitCaughtUp(ctx, spec, deadline, dog.check, eos, consumed);
    const cpuAtEnd = (await monitor.sample())?.cpuSeconds ?? null;
    if (workers > 1) {
      result.workersWithInput = workersWithInput(procs.map((p) => p.history));
      if (result.workersWithInput < workers) result.notes.push(`only ${result.workersWithInput} of ${workers} workers reported a first input`);
      const spread = firstInputSpreadMs(procs.map((p) => p.history));
      if (spread !== null && spread > 1000) result.notes.push(`the workers' first inputs were ${(spread / 1000).toFixed(1)} s apart (the group formed in more than one rebalance)`);
    }
    if (caught.status === 'timeout') {
      // too slow for the time budget: report the rate of what it committed, marked partial
      const elapsed = Date.now() - startedAt();
      // a system that commits lazily may report how far it really got
      const done = Math.min(inputRecords, Math.max(caught.committedInput, consumed()));
      result.partial = { committed: done, of: inputRecords };
      result.durationMs = elapsed;
      result.recordsPerSecond = (done * 1000) / elapsed;
      result.cpuSeconds = cpuAtEnd === null ? null : cpuAtEnd - cpuAtFirst;
      result.cpuSecondsTotal = cpuAtEnd;
      peaks(result, monitor.last);
      result.notes.push(warmup ? 'warm-up cut short' : `partial: ${Math.round((100 * done) / inputRecords)} % of the input processed within ${Math.round(elapsed / 1000)} s (committed offsets, or the system's progress events); rate = that / elapsed; output not checked, no latency phase`);
      result.ok = true;
      return result;
    }

    // the output up to these offsets is the throughput phase's; later records are the latency phase's
    const throughputEnd = await ctx.bk.endOffsets(outputTopic);
    const outputRecords = sumValues(throughputEnd);
    result.outputRecords = outputRecords;
    const check = new OutputCheck(input.expectation);
    const fullRead = input.expectation.kind === 'final-values' && outputRecords <= o.verifyLimit;
    const latency = new LatencyRecorder();
    let liveStart = Number.POSITIVE_INFINITY;
    reader = new OutputReader(ctx.bk, {
      topic: outputTopic,
      readCommitted: eos,
      decode: fullRead,
      // the tail of each partition is enough for the last append time when not checking values
      startAt: fullRead ? undefined : new Map([...throughputEnd].map(([p, end]) => [p, Math.max(0, end - 5)])),
      onRecord: (r) => {
        check.add(r, throughputEnd);
        const sent = headerNumber(r.headers, LATENCY_HEADER);
        if (sent !== null && sent >= liveStart) latency.record(r.appendTime - sent);
      },
    });
    await reader.start(`${appId}-reader`);
    // read until every non-empty partition reached its throughput end (EOS: its last data record)
    const slack = eos ? 1 : 0;
    const reached = () => [...throughputEnd].every(([p, end]) => end === 0 || (reader!.positions.get(p) ?? 0) >= end - slack);
    for (;;) {
      dog.check();
      if (reached() && (!fullRead || check.countMismatches() === 0)) break;
      if (Date.now() > deadline) {
        if (fullRead) throw new RunFailure(`wrong output: ${check.countMismatches()} keys differ from the expected final values`);
        throw new RunFailure('timed out reading the output back');
      }
      await sleep(100);
    }
    if (input.expectation.kind === 'count') {
      result.verified = outputRecords === input.expectation.records;
      if (!result.verified) throw new RunFailure(`wrong output: ${outputRecords} records, expected ${input.expectation.records}`);
    } else if (fullRead) {
      result.verified = true;
    } else {
      result.notes.push(`output not checked: ${outputRecords} records > --verify-limit`);
    }

    result.durationMs = check.lastAppend - startedAt();
    result.recordsPerSecond = result.durationMs > 0 ? (inputRecords * 1000) / result.durationMs : null;
    result.cpuSeconds = cpuAtEnd === null ? null : cpuAtEnd - cpuAtFirst;
    result.cpuSecondsTotal = cpuAtEnd;

    if (!warmup && o.latencySeconds > 0) {
      liveStart = Date.now();
      const producer = await ctx.bk.producer(input.topic);
      const sent = await runLiveLoad(producer, {
        topic: input.topic,
        otherTopic: input.otherTopic,
        ratePerSecond: o.latencyRate,
        seconds: o.latencySeconds,
        make: liveRecordFactory(input.scenario, input.shape),
        onSent: (r) => {
          // later runs read these records too
          input.records++;
          addToExpectation(input.scenario, input.expectation, r, input.shape);
        },
      });
      await waitCaughtUp(ctx, spec, Date.now() + 120_000, dog.check, eos, consumed);
      // outputs are appended before the offsets are committed; wait until the reader has them all
      let ends = await ctx.bk.endOffsets(outputTopic);
      for (const until = Date.now() + 30_000; Date.now() < until; ) {
        if ([...ends].every(([p, end]) => (reader!.positions.get(p) ?? 0) >= end - slack)) break;
        await sleep(100);
        ends = await ctx.bk.endOffsets(outputTopic);
      }
      const s = latency.summary();
      if (s) {
        result.latency = { p50: s.p50, p99: s.p99, max: s.max, samples: s.samples, what: `input send → output append, ${o.latencyRate} records/s for ${o.latencySeconds} s` };
        if (latency.negative > 0) result.notes.push(`${latency.negative} latency samples were negative (clock)`);
      } else {
        result.notes.push(`latency: none of the outputs of the ${sent} latency-phase records carried the '${LATENCY_HEADER}' header (the system drops input headers)`);
      }
    }
    peaks(result, (await monitor.sample()) ?? monitor.last);
    dog.dispose();
    result.ok = true;
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
    peaks(result, monitor?.last ?? null);
  } finally {
    monitor?.stop();
    await reader?.stop();
    await proc?.stop();
    await cleanup(ctx, spec);
  }
  return result;
}

/** Peak RSS of the run: the workers' peaks summed, and with several workers the largest one's. */
function peaks(result: RunResult, s: { peakRssBytes: number; maxPeakRssBytes: number } | null): void {
  result.peakRssBytes = s?.peakRssBytes ?? null;
  if (result.workers) result.maxWorkerPeakRssBytes = s?.maxPeakRssBytes ?? null;
}

/** Deletes the run's topics and groups and its state directory (every worker's, which lie inside). */
async function cleanup(ctx: RunContext, spec: RunSpec): Promise<void> {
  await ctx.bk.deleteTopics([], [`${spec.appId}-`]).catch((err: unknown) => ctx.log(`  (could not delete topics of ${spec.appId}: ${String(err)})`));
  ctx.bk.activePrefixes.delete(`${spec.appId}-`);
  await ctx.bk.deleteGroup(spec.appId);
  await ctx.bk.deleteGroup(`${spec.appId}-reader`);
  rmSync(spec.stateDir, { recursive: true, force: true });
}

/**
 * S5: one load run (the system fills its store and changelog from the input), then for each
 * repetition: delete the local state, start again with the same application id, and time the
 * restore the system reports (restore-start → restore-end).
 */
export async function runRestoreSeries(ctx: RunContext, adapter: ProcessorAdapter, input: PreparedInput, runs: { rep: number; warmup: boolean }[]): Promise<RunResult[]> {
  const o = ctx.options;
  const appId = newAppId('s5', adapter.id, 'restore');
  const spec = runSpec(ctx, input, appId, null);
  const results: RunResult[] = [];
  try {
    // load: the same completion rule as the other scenarios
    const loader = await adapter.start(spec);
    try {
      const dog = watchdog(loader);
      let consumed = 0;
      loader.onEvent((e) => {
        if (e.event === 'progress') consumed = e.consumed;
      });
      await waitForEvent(loader, 'first-input', 120_000, 'the system never received input');
      // loading is not measured, but a store that is not complete cannot be restored: more time
      const loaded = await waitCaughtUp(ctx, spec, Date.now() + 3 * o.runTimeoutS * 1000, dog.check, false, () => consumed);
      if (loaded.status === 'timeout') throw new RunFailure(`loading the store took longer than 3 × --run-timeout-s (${Math.max(loaded.committedInput, consumed)} of ${input.records} records)`);
      dog.dispose();
    } finally {
      await loader.stop();
    }
    for (const { rep, warmup } of runs) {
      rmSync(spec.stateDir, { recursive: true, force: true });
      const result: RunResult = { rep, warmup, ok: false, recordsPerSecond: null, durationMs: null, inputRecords: input.records, latency: null, peakRssBytes: null, cpuSeconds: null, cpuSecondsTotal: null, verified: null, notes: [] };
      const spawnedAt = Date.now();
      const proc = await adapter.start({ ...spec, logFile: join(ctx.logDir, `${appId}-${warmup ? 'w' : 'r'}${rep}.log`) });
      const monitor = new ProcessMonitor(proc.pid).start();
      try {
        const end = await waitForEvent(proc, 'restore-end', o.runTimeoutS * 1000, 'the restore never finished');
        const startedAt = end.startedAt ?? proc.history.find((e): e is Extract<BenchEvent, { event: 'restore-start' }> => e.event === 'restore-start')?.at ?? spawnedAt;
        const ms = Math.max(1, end.at - startedAt);
        result.restore = { records: end.records, ms, readyMs: end.at - spawnedAt };
        result.durationMs = ms;
        result.recordsPerSecond = (end.records * 1000) / ms;
        result.verified = end.records >= input.records;
        if (!result.verified) result.notes.push(`restored ${end.records} records, the store has ${input.records} keys`);
        const s = await monitor.sample();
        result.peakRssBytes = s?.peakRssBytes ?? null;
        result.cpuSecondsTotal = s?.cpuSeconds ?? null;
        result.cpuSeconds = s?.cpuSeconds ?? null;
        result.notes.push('CPU seconds include process start-up (the restore starts with it)');
        result.ok = true;
      } catch (err) {
        result.error = err instanceof Error ? err.message : String(err);
      } finally {
        monitor.stop();
        await proc.stop();
      }
      results.push(result);
      ctx.log(`  ${warmup ? 'warm-up' : `rep ${rep}`}: ${describe(result)}`);
      if (!result.ok) break;
    }
  } catch (err) {
    results.push({ rep: 0, warmup: true, ok: false, error: `load phase: ${err instanceof Error ? err.message : String(err)}`, recordsPerSecond: null, durationMs: null, inputRecords: input.records, latency: null, peakRssBytes: null, cpuSeconds: null, cpuSecondsTotal: null, verified: null, notes: [] });
  } finally {
    await cleanup(ctx, spec);
  }
  return results;
}

export function describe(r: RunResult): string {
  if (!r.ok) return `FAILED: ${r.error ?? 'unknown'}`;
  const parts = [`${r.recordsPerSecond === null ? '-' : Math.round(r.recordsPerSecond).toLocaleString('en-US')} records/s${r.partial ? ` (partial: ${r.partial.committed} of ${r.partial.of})` : ''}`];
  if (r.restore) parts.push(`restored ${r.restore.records} in ${r.restore.ms} ms`);
  if (r.latency) parts.push(`p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms`);
  if (r.peakRssBytes !== null) parts.push(`peak RSS ${Math.round(r.peakRssBytes / (1 << 20))} MiB`);
  if (r.cpuSeconds !== null) parts.push(`CPU ${r.cpuSeconds.toFixed(1)} s`);
  if (r.verified === false) parts.push('output NOT verified');
  return parts.join(', ');
}
