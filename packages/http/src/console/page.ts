// Owns the console page (GET /): one HTML document with its style and script inline, so the page
// needs nothing but the worker that serves it, and the Content-Security-Policy that holds it to that:
// only this script and style (by their hashes) run, and only this server is fetched from.
import { createHash } from 'node:crypto';
import { CONSOLE_SCRIPT } from './script.js';

const STYLE = `
:root { --fg: #1d2330; --muted: #667085; --line: #d9dee7; --bg: #f5f7fa; --card: #fff; --active: #1f9d55; --standby: #2f6fde; --warn: #c2410c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 16px; padding: 12px 20px; background: #1d2330; color: #fff; }
header h1 { font-size: 18px; margin: 0; }
header #worker { color: #c9d1e0; }
header #status { margin-left: auto; font-size: 12px; }
#status.error { color: #ffb4a2; } #status.warn { color: #ffd68a; } #status.ok { color: #a6e3b8; }
main { padding: 8px 20px 24px; display: grid; gap: 16px; }
h2 { font-size: 15px; margin: 12px 0 6px; }
h3 { font-size: 14px; margin: 0 0 8px; }
#topology { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.flow { display: grid; grid-template-columns: minmax(110px, 1.3fr) 20px 3fr 20px minmax(110px, 1.3fr); align-items: center; gap: 6px; }
.arrow { color: var(--muted); font-size: 18px; text-align: center; }
.topics { display: flex; flex-direction: column; gap: 4px; }
.topic { display: inline-block; padding: 2px 8px; border-radius: 12px; background: #eef1f6; border: 1px solid var(--line); font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
.topic.internal { background: #fff7e6; border-color: #f3c77a; }
.nodes { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 3px; }
.node { border: 1px solid var(--line); border-left-width: 4px; border-radius: 4px; padding: 3px 6px; font-size: 12px; display: flex; flex-wrap: wrap; gap: 6px; align-items: baseline; }
.node.source { border-left-color: var(--active); } .node.processor { border-left-color: #8a94a6; } .node.sink { border-left-color: var(--standby); }
.node .kind { color: var(--muted); text-transform: uppercase; font-size: 10px; width: 64px; }
.node .name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.node .detail { color: var(--muted); }
.store { display: inline-block; padding: 1px 6px; border-radius: 4px; background: #f1ecff; border: 1px solid #cdbdf5; font-size: 12px; }
.stores-row { margin-top: 8px; color: var(--muted); font-size: 12px; display: flex; gap: 6px; align-items: center; }
table { border-collapse: collapse; background: var(--card); border: 1px solid var(--line); margin-bottom: 8px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: #eef1f6; font-weight: 600; font-size: 12px; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 600; }
.placement { display: inline-table; margin-right: 12px; vertical-align: top; }
.cell { text-align: center; font-size: 11px; min-width: 58px; }
.cell.active { background: var(--active); color: #fff; }
.cell.standby { background: #e8f0ff; color: var(--standby); outline: 1px dashed var(--standby); outline-offset: -3px; }
.state { padding: 1px 6px; border-radius: 4px; background: #eef1f6; font-size: 12px; }
.state.RUNNING { background: #dcf5e6; color: #13663a; } .state.REBALANCING { background: #fff2d6; color: #8a5a00; } .state.ERROR { background: #ffe1dc; color: #a11; }
.behind { color: var(--warn); font-weight: 600; }
.none { color: var(--muted); margin: 4px 0; }
.unreachable td { color: var(--warn); }
.grid2 { display: flex; flex-wrap: wrap; gap: 0 24px; align-items: flex-start; }
progress { width: 90px; }
footer { color: var(--muted); font-size: 12px; padding: 0 20px 16px; }
footer a { color: inherit; }
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The Content-Security-Policy of the page: its own script and style, requests to this server only. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  `script-src ${hash(CONSOLE_SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The page for a server whose routes live under `basePath` ('' or e.g. '/streams'). */
export function consolePage(basePath: string): string {
  const base = attr(basePath);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice console</title>
<style>${STYLE}</style>
</head>
<body data-base="${base}">
<header><h1>Sluice console</h1><span id="worker"></span><span id="status">loading…</span></header>
<main>
<div><h2>Topology</h2><div id="topology"></div></div>
<div><h2>Task placement</h2><div id="placement"></div></div>
<div><h2>Instances: throughput, dropped and dead-lettered records, restore and lag</h2><div id="instances"></div></div>
<div class="grid2">
<div><h2>Consumer lag per partition</h2><div id="lag"></div></div>
<div><h2>Restore: store changelog positions</h2><div id="restore"></div></div>
</div>
<div><h2>Dropped records per task (skipped by an exception handler)</h2><div id="dropped"></div></div>
</main>
<footer>Refreshes every 2 s from <a href="${base}/v1/instances">${base}/v1/instances</a> · <a href="${base}/v1/topology">topology</a> · <a href="${base}/metrics">Prometheus metrics</a> · <a href="${base}/v1/openapi.json">OpenAPI</a></footer>
<script>${CONSOLE_SCRIPT}</script>
</body>
</html>
`;
}
