// Every system the harness knows, in table order, and the names accepted by --systems.
import { javaStreams } from './java-streams.js';
import { kafkajsPassthrough } from './kafkajs-passthrough.js';
import { kafkatsFlow } from './kafkats-flow.js';
import { perfConsume, perfE2e, perfProduce } from './perf-tools.js';
import { sluice } from './sluice.js';
import { sluiceBase, sluiceDebugMetrics, sluiceJsonLogs, sluiceTextLogs, sluiceTracingOn } from './sluice-variants.js';
import type { SystemAdapter } from './types.js';

export const ALL_SYSTEMS: SystemAdapter[] = [javaStreams, sluice, kafkatsFlow, kafkajsPassthrough, perfProduce, perfConsume, perfE2e];

/** Variants of Sluice for measuring what a feature costs; never part of `all` (select them by name). */
export const VARIANT_SYSTEMS: SystemAdapter[] = [sluiceBase, sluiceTextLogs, sluiceJsonLogs, sluiceDebugMetrics, sluiceTracingOn];

/** Group names for --systems. */
export const SYSTEM_ALIASES: Record<string, string[]> = {
  'perf-tools': ['perf-produce', 'perf-consume', 'perf-e2e'],
  'sluice-ops': ['sluice-base', 'sluice', 'sluice-text', 'sluice-json', 'sluice-debug', 'sluice-tracing'],
  all: ALL_SYSTEMS.map((s) => s.id),
};

/** Resolve --systems names (ids or aliases) to adapters, in table order. */
export function selectSystems(names: string[]): SystemAdapter[] {
  const wanted = new Set<string>();
  for (const n of names) {
    const ids = SYSTEM_ALIASES[n] ?? [n];
    for (const id of ids) {
      if (![...ALL_SYSTEMS, ...VARIANT_SYSTEMS].some((s) => s.id === id)) {
        throw new Error(`unknown system '${n}': choose from ${[...ALL_SYSTEMS, ...VARIANT_SYSTEMS].map((s) => s.id).concat(Object.keys(SYSTEM_ALIASES)).join(', ')}`);
      }
      wanted.add(id);
    }
  }
  // variants compare costs: they run in the order given, so repeated runs can alternate the order
  if (VARIANT_SYSTEMS.some((v) => wanted.has(v.id))) return [...wanted].map((id) => [...ALL_SYSTEMS, ...VARIANT_SYSTEMS].find((s) => s.id === id)!);
  return ALL_SYSTEMS.filter((s) => wanted.has(s.id));
}
