// bench/results/<date>.svg, drawn by hand (no chart library): two panels of grouped horizontal
// bars, one group per scenario and one bar per system — throughput (records/s, with the min–max
// of the repetitions as a whisker) and latency (p50 bar, p99 tick). Each scale is logarithmic
// because the ceilings and the slowest peers differ by orders of magnitude.
import type { BenchResults } from './results.js';
import { SCENARIOS } from './scenarios.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

interface Bar {
  scenario: string;
  system: string;
  /** the system's label, and with --scale-out its worker count */
  label: string;
  value: number;
  partial?: boolean;
  lo?: number;
  hi?: number;
  tick?: number;
  color: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Powers of ten covering [min, max]. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-9)));
  const hi = Math.ceil(Math.log10(Math.max(max, min * 10)));
  const out: number[] = [];
  for (let e = lo; e <= hi; e++) out.push(10 ** e);
  return out;
}

function short(v: number): string {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(v < 10 ? 1 : 0)}`;
}

function panel(title: string, unit: string, bars: Bar[], top: number, width: number): { svg: string; height: number } {
  const left = 250;
  const right = width - 70;
  const rowH = 16;
  const gap = 10;
  const parts: string[] = [`<text x="10" y="${top + 16}" font-size="14" font-weight="bold">${esc(title)}</text>`];
  if (bars.length === 0) {
    parts.push(`<text x="${left}" y="${top + 40}" font-size="12" fill="#666">no data</text>`);
    return { svg: parts.join('\n'), height: 60 };
  }
  const values = bars.flatMap((b) => [b.value, b.hi ?? b.value, b.tick ?? b.value]).filter((v) => v > 0);
  // half the smallest value as the floor, so a bar at exactly a power of ten is still visible
  const ticks = logTicks(Math.min(...values) / 2, Math.max(...values));
  const lmin = Math.log10(ticks[0]!);
  const lmax = Math.log10(ticks[ticks.length - 1]!);
  const x = (v: number) => left + ((Math.log10(Math.max(v, ticks[0]!)) - lmin) / (lmax - lmin || 1)) * (right - left);
  let y = top + 30;
  const axisTop = y;
  const scenarios = [...new Set(bars.map((b) => b.scenario))];
  for (const sc of scenarios) {
    // the scenario's title on a row of its own, so long titles never run into system labels
    const title = SCENARIOS[sc as keyof typeof SCENARIOS]?.title ?? sc;
    const suffix = sc === 's5' && unit === 'rec/s' ? '  (restored records/s)' : '';
    parts.push(`<text x="10" y="${y + 12}" font-size="12" font-weight="bold">${esc(title)}<tspan font-weight="normal" fill="#555">${esc(suffix)}</tspan></text>`);
    y += rowH;
    for (const b of bars.filter((bb) => bb.scenario === sc)) {
      parts.push(`<text x="${left - 6}" y="${y + 12}" font-size="11" text-anchor="end">${esc(b.label)}</text>`);
      parts.push(`<rect x="${left}" y="${y + 2}" width="${Math.max(1, x(b.value) - left).toFixed(1)}" height="${rowH - 4}" fill="${b.color}" opacity="0.85"/>`);
      if (b.lo !== undefined && b.hi !== undefined && b.hi > b.lo) {
        const cy = y + rowH / 2;
        parts.push(`<line x1="${x(b.lo).toFixed(1)}" x2="${x(b.hi).toFixed(1)}" y1="${cy}" y2="${cy}" stroke="#000" stroke-width="1"/>`);
      }
      if (b.tick !== undefined) parts.push(`<line x1="${x(b.tick).toFixed(1)}" x2="${x(b.tick).toFixed(1)}" y1="${y}" y2="${y + rowH}" stroke="#000" stroke-width="2"/>`);
      const label = (b.tick !== undefined ? `${short(b.value)} / ${short(b.tick)} ${unit}` : `${short(b.value)} ${unit}`) + (b.partial ? ' (partial run)' : '');
      parts.push(`<text x="${Math.min(right, Math.max(x(b.value), x(b.tick ?? 0), x(b.hi ?? 0))) + 4}" y="${y + 12}" font-size="10">${esc(label)}</text>`);
      y += rowH;
    }
    y += gap;
  }
  for (const t of ticks) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${axisTop}" y2="${y}" stroke="#ccc" stroke-dasharray="2,3"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${y + 12}" font-size="10" text-anchor="middle">${short(t)}</text>`);
  }
  return { svg: parts.join('\n'), height: y + 24 - top };
}

export function renderSvg(results: BenchResults): string {
  const width = 900;
  const labels = new Map(results.systems.map((s) => [s.id, s.label]));
  const colors = new Map(results.systems.map((s, i) => [s.id, PALETTE[i % PALETTE.length]!]));
  const ok = results.cells.filter((c) => c.status === 'ok');
  const throughput: Bar[] = [];
  const latency: Bar[] = [];
  for (const c of ok) {
    const color = colors.get(c.system) ?? '#333';
    const label = `${labels.get(c.system) ?? c.system}${c.workers !== undefined ? ` ×${c.workers}` : ''}`;
    const t = c.summary.throughput;
    const partial = c.runs.some((r) => !r.warmup && r.partial);
    if (t) throughput.push({ scenario: c.scenario, system: c.system, label, value: t.median, lo: t.min, hi: t.max, color, partial });
    if (c.summary.p50 && c.summary.p99) latency.push({ scenario: c.scenario, system: c.system, label, value: c.summary.p50.median, tick: c.summary.p99.median, color });
  }
  const a = panel('Throughput (input records/s, log scale; whisker = min–max of repetitions)', 'rec/s', throughput, 30, width);
  const b = panel('End-to-end latency (ms, log scale; bar = p50, tick = p99)', 'ms', latency, 30 + a.height + 10, width);
  const height = 30 + a.height + 10 + b.height + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="12" fill="#444">Sluice benchmarks ${esc(results.startedAt)} — ${esc(String(results.machine['cpus'] ?? '?'))} cores, ${esc(String(results.machine['memoryGiB'] ?? '?'))} GiB</text>`,
    a.svg,
    b.svg,
    '</svg>',
  ].join('\n') + '\n';
}
