import { describe, expect, it } from 'vitest';
import { parseOptions } from '../lib/options.js';
import { fmtRate, renderMarkdown, resultsTable } from '../lib/report-markdown.js';
import { logTicks, renderSvg } from '../lib/report-svg.js';
import { summarize, type BenchResults, type RunResult } from '../lib/results.js';

function run(rate: number, p99: number, extra: Partial<RunResult> = {}): RunResult {
  return { rep: 1, warmup: false, ok: true, recordsPerSecond: rate, durationMs: 1000, inputRecords: 1000, latency: { p50: p99 / 4, p99, samples: 100, what: 'input send → output append' }, peakRssBytes: 200 << 20, cpuSeconds: 2, cpuSecondsTotal: 3, verified: true, notes: [], ...extra };
}

function results(): BenchResults {
  const java = [run(1, 1, { warmup: true }), run(90_000, 40), run(100_000, 50), run(110_000, 60)];
  const sluice = [run(45_000, 100), run(50_000, 100), run(55_000, 100)];
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:20:00.000Z',
    durationS: 1200,
    command: 'npm run bench',
    machine: { cpus: 2, memoryGiB: 24 },
    broker: 'local stack',
    settings: { records: 1000 },
    systems: [
      { id: 'java', label: 'Java Kafka Streams', role: 'streams', status: 'ready', version: '4.4.0', config: {} },
      { id: 'sluice', label: 'Sluice', role: 'streams', status: 'ready', version: '0.1.0', config: {} },
      { id: 'flow', label: '@kafkats/flow', role: 'streams', status: 'unavailable', reason: 'not installed' },
    ],
    scenarios: [{ id: 's1', title: 'S1 stateless', description: 'filter + mapValues', inputRecords: 1000 }],
    cells: [
      { scenario: 's1', system: 'java', status: 'ok', runs: java, summary: summarize(java) },
      { scenario: 's1', system: 'sluice', status: 'ok', runs: sluice, summary: summarize(sluice) },
      { scenario: 's1', system: 'flow', status: 'skipped', reason: 'not available: not installed', runs: [], summary: summarize([]) },
    ],
  };
}

describe('bench reports', () => {
  it('summarises measured runs only (the warm-up is discarded)', () => {
    const s = results().cells[0]!.summary;
    expect(s.throughput).toMatchObject({ median: 100_000, min: 90_000, max: 110_000, n: 3 });
    expect(s.p99?.median).toBe(50);
  });

  it('shows each figure as a ratio to Java Kafka Streams in the same run', () => {
    const table = resultsTable(results());
    const sluiceRow = table.split('\n').find((l) => l.includes('| Sluice |'))!;
    expect(sluiceRow).toContain('| 50.0k ±10% | 0.50× |');
    expect(sluiceRow).toContain('| 100 | 2.00× |');
    expect(table).toMatch(/@kafkats\/flow \| skipped .*not available \(see Systems below\)/);
  });

  it('writes the machine, versions and unavailable systems into the Markdown', () => {
    const md = renderMarkdown(results(), 'x.svg');
    expect(md).toContain('- cpus: 2');
    expect(md).toContain('**Java Kafka Streams** (`java`, streams): 4.4.0');
    expect(md).toContain('not available: not installed');
    expect(md).toContain('![throughput and latency](x.svg)');
  });

  it('draws a well-formed SVG with one bar per system that ran', () => {
    const svg = renderSvg(results());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect /g)?.length).toBe(1 + 2 + 2); // background + 2 throughput + 2 latency bars
    expect(svg).toContain('Java Kafka Streams');
    expect(svg).not.toContain('@kafkats/flow');
  });

  it('picks decade ticks for log axes and formats rates compactly', () => {
    expect(logTicks(3, 250)).toEqual([1, 10, 100, 1000]);
    expect(fmtRate(123_456)).toBe('123k');
    expect(fmtRate(12_345)).toBe('12.3k');
    expect(fmtRate(999)).toBe('999');
    expect(fmtRate(null)).toBe('–');
  });

  it('parses the command line and rejects unknown flags with the usage', () => {
    const q = parseOptions(['--quick', '--scenarios', 's1,S3', '--systems=java,perf-tools']);
    expect(q).toMatchObject({ records: 100_000, wordLines: 10_000, reps: 1, warmup: 0, scenarios: ['s1', 's3'], systems: ['java', 'perf-tools'] });
    expect(parseOptions([])).toMatchObject({ records: 1_000_000, reps: 3, warmup: 1, partitions: 4 });
    expect(() => parseOptions(['--bogus', '1'])).toThrow(/unknown option --bogus/);
    expect(() => parseOptions(['--scenarios', 's9'])).toThrow(/unknown scenario 's9'/);
  });
});
