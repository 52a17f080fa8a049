// Every system the harness knows, in table order, and the names accepted by --systems.
import { javaStreams } from './java-streams.js';
import { kafkajsPassthrough } from './kafkajs-passthrough.js';
import { kafkatsFlow } from './kafkats-flow.js';
import { perfConsume, perfE2e, perfProduce } from './perf-tools.js';
import { sluice } from './sluice.js';
import type { SystemAdapter } from './types.js';

export const ALL_SYSTEMS: SystemAdapter[] = [javaStreams, sluice, kafkatsFlow, kafkajsPassthrough, perfProduce, perfConsume, perfE2e];

/** Group names for --systems. */
export const SYSTEM_ALIASES: Record<string, string[]> = {
  'perf-tools': ['perf-produce', 'perf-consume', 'perf-e2e'],
  all: ALL_SYSTEMS.map((s) => s.id),
};

/** Resolve --systems names (ids or aliases) to adapters, in table order. */
export function selectSystems(names: string[]): SystemAdapter[] {
  const wanted = new Set<string>();
  for (const n of names) {
    const ids = SYSTEM_ALIASES[n] ?? [n];
    for (const id of ids) {
      if (!ALL_SYSTEMS.some((s) => s.id === id)) {
        throw new Error(`unknown system '${n}': choose from ${[...ALL_SYSTEMS.map((s) => s.id), ...Object.keys(SYSTEM_ALIASES)].join(', ')}`);
      }
      wanted.add(id);
    }
  }
  return ALL_SYSTEMS.filter((s) => wanted.has(s.id));
}
