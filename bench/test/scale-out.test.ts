// --workers / --scale-out: the flags, the worker specs, figures across several workers (first input,
// CPU and RSS), starting and stopping real worker processes together, and the scale-out table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchEvent, ProcessorAdapter, RunSpec, SystemProcess } from '../adapters/types.js';
import { spawnSystemProcess } from '../lib/child.js';
import { parseOptions } from '../lib/options.js';
import { renderMarkdown, resultsTable, scaleOutTable } from '../lib/report-markdown.js';
import { renderSvg } from '../lib/report-svg.js';
import { summarize, type BenchResults, type CellResult, type RunResult } from '../lib/results.js';
import { combineProcesses, earliestFirstInput, firstInputSpreadMs, openGate, startWorkers, sumSamples, workerSpecs, workersWithInput } from '../lib/workers.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-scale-out-test-'));
// spawnSystemProcess installs the harness's Ctrl-C handlers; they are not the test runner's to keep
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const ownHandlers = new Map(signals.map((s) => [s, process.listeners(s)]));
afterAll(() => {
  for (const s of signals) for (const l of process.listeners(s)) if (!ownHandlers.get(s)!.includes(l)) process.off(s, l);
  rmSync(dir, { recursive: true, force: true });
});

function spec(): RunSpec {
  return {
    scenario: 's2',
    brokers: ['127.0.0.1:9092'],
    appId: 'bench-s2-sluice-r1x3-abcdef',
    inputTopic: 'in',
    otherInputTopic: null,
    outputTopic: 'bench-s2-sluice-r1x3-abcdef-out',
    partitions: 6,
    streamThreads: 1,
    guarantee: 'at_least_once',
    commitIntervalMs: 1000,
    cacheMaxBytes: 1 << 20,
    windowSizeMs: 60_000,
    graceMs: 30_000,
    joinWindowMs: 10_000,
    stateDir: '/tmp/sluice-bench/bench-s2-sluice-r1x3-abcdef',
    logFile: '/tmp/logs/bench-s2-sluice-r1x3-abcdef.log',
  };
}

/** A real Node process that prints the given events as `BENCH` lines, then waits to be stopped. */
function worker(events: BenchEvent[], logName: string, exitAfterMs?: number): SystemProcess {
  const lines = events.map((e) => `console.log('BENCH ' + ${JSON.stringify(JSON.stringify(e))});`).join('');
  const end = exitAfterMs === undefined ? 'setInterval(() => {}, 1000);' : `setTimeout(() => process.exit(3), ${exitAfterMs});`;
  return spawnSystemProcess({ command: process.execPath, args: ['-e', lines + end], logFile: join(dir, logName) });
}

describe('--workers and --scale-out', () => {
  it('parses the worker counts, sorted and distinct, with 6 partitions unless --partitions is given', () => {
    expect(parseOptions(['--scale-out', '3,1,2,2'])).toMatchObject({ scaleOut: [1, 2, 3], workers: 1, partitions: 6 });
    expect(parseOptions(['--scale-out=1,2', '--partitions', '8'])).toMatchObject({ scaleOut: [1, 2], partitions: 8 });
    expect(parseOptions(['--workers', '2'])).toMatchObject({ workers: 2, scaleOut: null, partitions: 4 });
    expect(parseOptions([])).toMatchObject({ workers: 1, scaleOut: null, partitions: 4 });
  });

  it('rejects worker counts without a partition for each worker, zero workers, and both flags at once', () => {
    expect(() => parseOptions(['--scale-out', '1,8'])).toThrow(/8 workers need at least 8 partitions .*pass --partitions 8/);
    expect(() => parseOptions(['--workers', '5'])).toThrow(/5 workers need at least 5 partitions/);
    expect(() => parseOptions(['--workers', '0'])).toThrow(/--workers needs an integer >= 1/);
    expect(() => parseOptions(['--scale-out', '1,0'])).toThrow(/--scale-out needs an integer >= 1/);
    expect(() => parseOptions(['--scale-out', ''])).toThrow(/--scale-out needs worker counts/);
    expect(() => parseOptions(['--scale-out', '1,2', '--workers', '2'])).toThrow(/either --workers .* or --scale-out/);
  });

  it('gives each of several workers its own state directory inside the run\'s, its own log and a shared start gate, with the same application id', () => {
    const one = spec();
    expect(workerSpecs(one, 1)).toEqual([one]);
    const three = workerSpecs(one, 3);
    expect(three.map((s) => s.appId)).toEqual([one.appId, one.appId, one.appId]);
    expect(three.map((s) => s.stateDir)).toEqual([1, 2, 3].map((i) => `${one.stateDir}/worker-${i}`));
    expect(three.map((s) => s.logFile)).toEqual([1, 2, 3].map((i) => `/tmp/logs/bench-s2-sluice-r1x3-abcdef-worker-${i}.log`));
    // one gate for all, inside the run's state directory (deleted with it); a single worker has none
    expect(new Set(three.map((s) => s.startGate))).toEqual(new Set([`${one.stateDir}/start-gate`]));
    expect(one.startGate).toBeUndefined();
  });

  it('starts the clock at the earliest first input of any worker, whatever order the events came in, and tells how far apart the workers started', () => {
    const histories: BenchEvent[][] = [
      [{ event: 'info' }, { event: 'first-input', at: 1_300 }],
      [{ event: 'state', state: 'RUNNING', at: 900 }], // got no partition
      [{ event: 'first-input', at: 1_100 }, { event: 'first-input', at: 1_000 }],
    ];
    expect(earliestFirstInput(histories)).toBe(1_000);
    expect(workersWithInput(histories)).toBe(2);
    expect(firstInputSpreadMs(histories)).toBe(300);
    expect(firstInputSpreadMs([histories[0]!, histories[1]!])).toBeNull();
    expect(earliestFirstInput([[{ event: 'info' }], []])).toBeNull();
  });

  it('sums CPU and peak RSS over the workers, keeps the largest worker\'s peak, and counts an exited worker with its last sample', () => {
    const mib = 1 << 20;
    const s = sumSamples([
      { at: 10, cpuSeconds: 1.5, rssBytes: 100 * mib, peakRssBytes: 120 * mib },
      null,
      { at: 12, cpuSeconds: 2, rssBytes: 150 * mib, peakRssBytes: 200 * mib },
    ]);
    expect(s).toEqual({ at: 12, cpuSeconds: 3.5, rssBytes: 250 * mib, peakRssBytes: 320 * mib, maxPeakRssBytes: 200 * mib, workers: 2 });
    expect(sumSamples([null, null])).toBeNull();
  });

  it('sees every worker\'s events through one process, and stops all of them', async () => {
    const a = worker([{ event: 'first-input', at: 2_000 }], 'a.log');
    const b = worker([{ event: 'first-input', at: 1_000 }], 'b.log');
    const both = combineProcesses([a, b]);
    const seen: number[] = [];
    both.onEvent((e) => {
      if (e.event === 'first-input') seen.push(e.at);
    });
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen.sort()).toEqual([1_000, 2_000]);
    expect(earliestFirstInput([a.history, b.history])).toBe(1_000);
    await both.stop(5_000);
    expect(await a.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(await b.exited).toMatchObject({ signal: 'SIGTERM' });
  });

  it('reports the group exited as soon as one worker dies', async () => {
    const steady = worker([], 'steady.log');
    const dying = worker([], 'dying.log', 100);
    const both = combineProcesses([steady, dying]);
    expect(await both.exited).toEqual({ code: 3, signal: null });
    await both.stop(5_000);
    expect(await steady.exited).toMatchObject({ signal: 'SIGTERM' });
  });

  it('holds workers at the start gate until it is opened', async () => {
    const gate = join(dir, 'gate-run', 'start-gate');
    const waiting = `const fs = require('node:fs'); console.log('BENCH ' + JSON.stringify({ event: 'ready', at: Date.now() }));
      const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(gate)})) { clearInterval(t); console.log('BENCH ' + JSON.stringify({ event: 'first-input', at: Date.now() })); setInterval(() => {}, 1000); } }, 5);`;
    const p = spawnSystemProcess({ command: process.execPath, args: ['-e', waiting], logFile: join(dir, 'gate.log') });
    const has = (kind: string) => p.history.some((e) => e.event === kind);
    for (let i = 0; i < 100 && !has('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    expect(has('first-input')).toBe(false);
    const opened = Date.now();
    openGate(gate);
    for (let i = 0; i < 100 && !has('first-input'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(earliestFirstInput([p.history])).toBeGreaterThanOrEqual(opened);
    await p.stop(5_000);
  });

  it('stops the workers already started when a later one fails to start', async () => {
    const started: SystemProcess[] = [];
    const adapter: ProcessorAdapter = {
      kind: 'processor',
      id: 'two-of-three',
      label: 'starts two workers, fails on the third',
      role: 'streams',
      multiProcess: true,
      supports: () => true,
      prepare: () => Promise.resolve({ version: '1', config: {} }),
      start(s) {
        if (started.length === 2) return Promise.reject(new Error('no third worker'));
        const p = worker([], `started-${started.length}.log`);
        started.push(p);
        expect(s.stateDir).toMatch(/worker-\d$/);
        return Promise.resolve(p);
      },
    };
    await expect(startWorkers(adapter, workerSpecs(spec(), 3))).rejects.toThrow('no third worker');
    expect(started).toHaveLength(2);
    for (const p of started) expect(await p.exited).toMatchObject({ signal: 'SIGTERM' });
  });
});

function run(rate: number, extra: Partial<RunResult> = {}): RunResult {
  return { rep: 1, warmup: false, ok: true, recordsPerSecond: rate, durationMs: 1000, inputRecords: 1000, latency: null, peakRssBytes: 200 << 20, cpuSeconds: 2, cpuSecondsTotal: 3, verified: true, notes: [], ...extra };
}

function cellOf(system: string, workers: number, runs: RunResult[], status: CellResult['status'] = 'ok', reason?: string): CellResult {
  return { scenario: 's2', system, workers, status, reason, runs, summary: summarize(runs) };
}

function scaleOutResults(): BenchResults {
  const mib = 1 << 20;
  return {
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:10:00.000Z',
    durationS: 600,
    command: 'npm run bench -- --scale-out 1,2,3 --scenarios s2 --systems sluice,java,kafkajs',
    machine: { cpus: 2 },
    broker: 'local stack',
    settings: { partitions: 6 },
    systems: [
      { id: 'java', label: 'Java Kafka Streams', role: 'streams', status: 'ready', version: '4.4.0', config: {} },
      { id: 'sluice', label: 'Sluice', role: 'streams', status: 'ready', version: '0.1.0', config: {} },
      { id: 'kafkajs', label: 'kafkajs pass-through', role: 'ceiling', status: 'ready', version: '2.2.4', config: {} },
    ],
    scenarios: [{ id: 's2', title: 'S2 word count', description: 'word count', inputRecords: 1000 }],
    cells: [
      cellOf('java', 1, [run(100_000)]),
      cellOf('java', 2, [run(180_000, { workers: 2, workersWithInput: 2, peakRssBytes: 600 * mib, maxWorkerPeakRssBytes: 310 * mib, cpuSeconds: 4 })]),
      cellOf('java', 3, [run(240_000, { workers: 3, workersWithInput: 3 })]),
      cellOf('sluice', 1, [run(50_000)]),
      cellOf('sluice', 2, [run(90_000, { workers: 2, workersWithInput: 2 })]),
      cellOf('sluice', 3, [run(1, { ok: false, error: 'the process exited unexpectedly (code 1, signal null)', workers: 3 })], 'failed', 'the process exited unexpectedly (code 1, signal null)'),
      cellOf('kafkajs', 1, [run(400_000)]),
      cellOf('kafkajs', 2, [], 'skipped', 'runs as one process only: skipped with 2 workers'),
      cellOf('kafkajs', 3, [], 'skipped', 'runs as one process only: skipped with 3 workers'),
    ],
    scaleOut: [1, 2, 3],
  };
}

describe('the scale-out table', () => {
  it('shows records/s, records/s per worker and the ratio to 1 worker for each worker count', () => {
    const rows = scaleOutTable(scaleOutResults()).split('\n');
    expect(rows[0]).toBe('| scenario | system | workers | records/s | records/s per worker | vs 1 worker | peak RSS MiB, all workers | peak RSS MiB, largest worker | CPU s, all workers | notes |');
    expect(rows).toContain('| S2 word count | Java Kafka Streams | 1 | 100k | 100k | 1.00× | 200 | 200 | 2.0 |  |');
    expect(rows).toContain('| S2 word count | Java Kafka Streams | 2 | 180k | 90.0k | 1.80× | 600 | 310 | 4.0 |  |');
    expect(rows).toContain('| S2 word count | Java Kafka Streams | 3 | 240k | 80.0k | 2.40× | 200 | 200 | 2.0 |  |');
    expect(rows).toContain('| S2 word count | Sluice | 2 | 90.0k | 45.0k | 1.80× | 200 | 200 | 2.0 |  |');
    expect(rows).toContain('| S2 word count | Sluice | 3 | failed | | | | | | the process exited unexpectedly (code 1, signal null) |');
    // a ceiling's skipped counts are left out; its 1-worker row stays
    expect(rows.filter((r) => r.includes('kafkajs'))).toEqual(['| S2 word count | kafkajs pass-through | 1 | 400k | 400k | 1.00× | 200 | 200 | 2.0 |  |']);
  });

  it('leaves the ratio empty when the system has no 1-worker figure', () => {
    const r = scaleOutResults();
    r.scaleOut = [2, 3];
    r.cells = r.cells.filter((c) => c.workers !== 1);
    expect(scaleOutTable(r).split('\n')).toContain('| S2 word count | Java Kafka Streams | 2 | 180k | 90.0k | – | 600 | 310 | 4.0 |  |');
  });

  it('puts the scale-out table into the Markdown, and compares each worker count with Java at the same count', () => {
    const r = scaleOutResults();
    const md = renderMarkdown(r);
    expect(md).toContain('## Scale-out');
    expect(md.indexOf('## Scale-out')).toBeLessThan(md.indexOf('## All runs'));
    const sluice2 = resultsTable(r).split('\n').find((l) => l.startsWith('| S2 word count | Sluice, 2 workers |'))!;
    expect(sluice2).toContain('| 90.0k | 0.50× |');
    expect(renderSvg(r)).toContain('Sluice ×2');
  });

  it('writes no scale-out section for a run without --scale-out', () => {
    const r = scaleOutResults();
    delete r.scaleOut;
    r.cells = r.cells.filter((c) => c.workers === 1).map(({ workers: _w, ...c }) => c);
    const md = renderMarkdown(r);
    expect(md).not.toContain('## Scale-out');
    expect(md).toContain('| S2 word count | Sluice | 50.0k | 0.50× |');
  });
});
