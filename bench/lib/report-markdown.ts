// bench/results/<date>.md: the results table (median of the measured repetitions, their spread,
// and every streams system's figures as a ratio to Java Kafka Streams in the same run), with
// --scale-out the scale-out table (records/s per worker count, per worker, ratio to 1 worker), then
// the machine, the versions and configurations, and the skipped / failed cells with their reasons.
import type { BenchResults, CellResult } from './results.js';
import { SCENARIOS } from './scenarios.js';
import { ratio, type Spread } from './stats.js';

export const REFERENCE_SYSTEM = 'java';

export function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v >= 100_000) return `${Math.round(v / 1000)}k`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}k`;
  return Math.round(v).toLocaleString('en-US');
}

export function fmtRatio(r: number | null): string {
  if (r === null) return '–';
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(2)}×`;
}

function fmtSpread(s: Spread | null): string {
  if (!s || s.n < 2) return '';
  return ` ±${Math.round((s.relative * 100) / 2)}%`;
}

function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  return v >= 100 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}

/** The cell of scenario × system with that many workers (absent = 1). */
function cell(results: BenchResults, scenario: string, system: string, workers = 1): CellResult | undefined {
  return results.cells.find((c) => c.scenario === scenario && c.system === system && (c.workers ?? 1) === workers);
}

function workersLabel(workers: number): string {
  return `${workers} worker${workers === 1 ? '' : 's'}`;
}

/** Notes of the measured runs and errors of the failed ones, deduplicated. */
function cellNotes(c: CellResult): Set<string> {
  const measured = c.runs.filter((r) => !r.warmup);
  const notes = new Set<string>();
  for (const r of measured) for (const n of r.notes) notes.add(n);
  for (const r of measured) if (!r.ok && r.error) notes.add(`failed run: ${r.error}`);
  return notes;
}

/** One table row per scenario × system that was attempted or skipped. */
export function resultsTable(results: BenchResults): string {
  const label = new Map(results.systems.map((s) => [s.id, s.label]));
  const lines = [
    '| scenario | system | records/s (median ±half-range) | vs Java | p50 ms | p99 ms | p99 vs Java | peak RSS MiB | CPU s | runs | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const sc of results.scenarios) {
    for (const sys of results.systems) {
      // one cell per worker count (--scale-out), else one
      for (const c of results.cells.filter((cc) => cc.scenario === sc.id && cc.system === sys.id)) {
        const name = `${label.get(sys.id) ?? sys.id}${c.workers !== undefined ? `, ${workersLabel(c.workers)}` : ''}`;
        // a ceiling only appears where it was measured; a streams system always has its row
        if (c.status === 'skipped' && sys.role === 'ceiling') continue;
        if (c.status !== 'ok') {
          const reason = sys.status === 'ready' ? (c.reason ?? '') : 'not available (see Systems below)';
          lines.push(`| ${SCENARIOS[sc.id].title} | ${name} | ${c.status} | | | | | | | | ${escape(reason)} |`);
          continue;
        }
        // compared with Java Kafka Streams running as many workers
        const ref = sys.id === REFERENCE_SYSTEM ? undefined : cell(results, sc.id, REFERENCE_SYSTEM, c.workers ?? 1);
        const refOk = ref?.status === 'ok' ? ref : undefined;
        const s = c.summary;
        const measured = c.runs.filter((r) => !r.warmup);
        const okRuns = measured.filter((r) => r.ok).length;
        const notes = cellNotes(c);
        const latencyWhat = measured.find((r) => r.latency)?.latency?.what;
        if (latencyWhat && !latencyWhat.startsWith('input send')) notes.add(`latency: ${latencyWhat}`);
        lines.push(
          `| ${SCENARIOS[sc.id].title} | ${name} | ${fmtRate(s.throughput?.median)}${fmtSpread(s.throughput)} | ${refOk ? fmtRatio(ratio(s.throughput?.median, refOk.summary.throughput?.median)) : ''} | ${fmtMs(s.p50?.median)} | ${fmtMs(s.p99?.median)} | ${refOk ? fmtRatio(ratio(s.p99?.median, refOk.summary.p99?.median)) : ''} | ${s.peakRssMiB ? Math.round(s.peakRssMiB.median) : '–'} | ${s.cpuSeconds ? s.cpuSeconds.median.toFixed(1) : '–'} | ${okRuns}/${measured.length} | ${escape([...notes].join('; '))} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

/**
 * --scale-out: one row per scenario × system × worker count — median records/s, that per worker,
 * and its ratio to the same system with 1 worker (1.00× = no gain from adding workers, 2.00× with
 * 2 workers = linear); peak RSS and CPU seconds summed over the workers, and the largest worker's
 * peak RSS.
 */
export function scaleOutTable(results: BenchResults): string {
  const label = new Map(results.systems.map((s) => [s.id, s.label]));
  const counts = results.scaleOut ?? [];
  const lines = [
    '| scenario | system | workers | records/s | records/s per worker | vs 1 worker | peak RSS MiB, all workers | peak RSS MiB, largest worker | CPU s, all workers | notes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const sc of results.scenarios) {
    for (const sys of results.systems) {
      const one = cell(results, sc.id, sys.id, 1);
      const oneRate = one?.status === 'ok' ? one.summary.throughput?.median : undefined;
      for (const w of counts) {
        const c = cell(results, sc.id, sys.id, w);
        if (!c) continue;
        const name = label.get(sys.id) ?? sys.id;
        if (c.status === 'skipped' && sys.role === 'ceiling') continue;
        if (c.status !== 'ok') {
          const reason = sys.status === 'ready' ? (c.reason ?? '') : 'not available (see Systems below)';
          lines.push(`| ${SCENARIOS[sc.id].title} | ${name} | ${w} | ${c.status} | | | | | | ${escape(reason)} |`);
          continue;
        }
        const s = c.summary;
        const rate = s.throughput?.median;
        const largest = s.maxWorkerPeakRssMiB ?? s.peakRssMiB;
        lines.push(
          `| ${SCENARIOS[sc.id].title} | ${name} | ${w} | ${fmtRate(rate)}${fmtSpread(s.throughput)} | ${fmtRate(rate === undefined ? null : rate / w)} | ${fmtRatio(ratio(rate, oneRate))} | ${s.peakRssMiB ? Math.round(s.peakRssMiB.median) : '–'} | ${largest ? Math.round(largest.median) : '–'} | ${s.cpuSeconds ? s.cpuSeconds.median.toFixed(1) : '–'} | ${escape([...cellNotes(c)].join('; '))} |`,
        );
      }
    }
  }
  return lines.join('\n');
}

function escape(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(results: BenchResults, svgFile?: string): string {
  const out: string[] = [];
  out.push(`# Sluice benchmarks — ${results.startedAt}`, '');
  out.push(`Command: \`${results.command}\` (${Math.round(results.durationS / 60)} min)`, '');
  out.push(
    'Median of the measured repetitions (warm-up discarded); ±half-range is half of (max − min) relative to the median. ' +
      '"vs Java" divides a figure by Java Kafka Streams\' figure in the same run (throughput: higher is better; p99: lower is better). ' +
      'records/s counts input records from the first input consumed to the last output appended (S5: restored records per second of restore). ' +
      'Latency: a separate fixed-rate phase after the throughput phase, input send time → output append time. See bench/README.md.',
    '',
  );
  if (results.scaleOut) {
    out.push('## Scale-out', '');
    out.push(
      `Each scenario × system ran with ${results.scaleOut.join(', ')} worker processes of one application (same application id and consumer group, a state directory each) on ${results.settings['partitions'] ?? '?'} partitions. ` +
        'records/s: input records from the earliest first input of any worker to the last output appended; "vs 1 worker" divides it by the same system\'s figure with 1 worker (2.00× with 2 workers = linear scaling). ' +
        'Peak RSS and CPU seconds are summed over the workers (each worker\'s own peak, so an upper bound of their peak together). ' +
        'All workers share one machine here: scaling beyond its cores measures the machine, not the system.',
      '',
    );
    out.push(scaleOutTable(results), '', '## All runs', '');
  }
  out.push(resultsTable(results), '');
  if (svgFile) out.push(`![throughput and latency](${svgFile})`, '');
  out.push('## Machine', '');
  for (const [k, v] of Object.entries(results.machine)) out.push(`- ${k}: ${v}`);
  out.push(`- broker: ${results.broker}`, '');
  out.push('## Settings', '');
  for (const [k, v] of Object.entries(results.settings)) out.push(`- ${k}: ${v}`);
  out.push('', '## Scenarios', '');
  for (const s of results.scenarios) out.push(`- **${s.title}** (${s.inputRecords.toLocaleString('en-US')} input records): ${s.description}`);
  out.push('', '## Systems', '');
  for (const s of results.systems) {
    if (s.status !== 'ready') {
      out.push(`- **${s.label}** (\`${s.id}\`): not available: ${s.reason ?? ''}`);
      continue;
    }
    const cfg = Object.entries(s.config ?? {}).map(([k, v]) => `${k}=${v}`).join('; ');
    out.push(`- **${s.label}** (\`${s.id}\`, ${s.role}): ${s.version ?? ''}${cfg ? ` — ${cfg}` : ''}${s.notes?.length ? ` — ${s.notes.join('; ')}` : ''}`);
  }
  return out.join('\n') + '\n';
}
