// Owns `topology.describe()`: sub-topologies with their sources, processors and sinks, printed in
// Kafka Streams' TopologyDescription text format (nodes ordered by sub-tree size, then name).
import type { NodeDef } from './node-factories.js';
import type { GlobalStoreDef } from './global-stores.js';

export interface NodeDescription {
  readonly type: 'source' | 'processor' | 'sink';
  readonly name: string;
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
  /** source: its topics (or the pattern); sink: its topic (or "extractor"). */
  readonly topics?: readonly string[];
  readonly pattern?: string;
  readonly topic?: string;
  /** sink with a topic-name function: the function's name */
  readonly extractor?: string;
  readonly stores?: readonly string[];
}

export interface SubtopologyDescription {
  readonly id: number;
  readonly nodes: readonly NodeDescription[];
}

/** A global store: its source and the processor that writes it (Kafka's TopologyDescription.GlobalStore). */
export interface GlobalStoreDescription {
  readonly id: number;
  readonly source: NodeDescription;
  readonly processor: NodeDescription;
}

export interface TopologyDescription {
  readonly subtopologies: readonly SubtopologyDescription[];
  readonly globalStores: readonly GlobalStoreDescription[];
  /** Kafka Streams' text format. */
  toString(): string;
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none' : list.join(', ');
}

function nodeText(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return `Source: ${n.name} (topics: ${n.pattern ?? `[${(n.topics ?? []).join(', ')}]`})\n      --> ${names(n.successors)}`;
    case 'processor':
      return `Processor: ${n.name} (stores: [${(n.stores ?? []).join(', ')}])\n      --> ${names(n.successors)}\n      <-- ${names(n.predecessors)}`;
    case 'sink':
      return n.topic !== undefined
        ? `Sink: ${n.name} (topic: ${n.topic})\n      <-- ${names(n.predecessors)}`
        : `Sink: ${n.name} (extractor class: ${n.extractor})\n      <-- ${names(n.predecessors)}`;
  }
}

/** Java's String.hashCode, spread as java.util.HashMap does. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h ^ (h >>> 16);
}

/** The order a java.util.HashMap<String, …> holding `keys` iterates in (bucket, then insertion). */
function javaHashMapOrder(keys: readonly string[]): string[] {
  let cap = 16;
  while (keys.length > cap * 0.75) cap *= 2;
  return keys
    .map((k, i) => ({ k, i, b: javaHash(k) & (cap - 1) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((e) => e.k);
}

/**
 * Mirrors Kafka Streams' describeSubtopology(): nodes are linked in HashMap order and each link adds
 * the child's current sub-tree size to the parent and its linked ancestors, so sizes (and with them
 * the printed order) come out exactly as Kafka Streams prints them, DAG corner cases included.
 */
function linkSubtopology(defs: ReadonlyMap<string, NodeDef>, nodes: readonly string[]) {
  const size = new Map<string, number>(nodes.map((n) => [n, 1]));
  const preds = new Map<string, string[]>(nodes.map((n) => [n, []]));
  const succs = new Map<string, string[]>(nodes.map((n) => [n, []]));
  const cmp = (a: string, b: string) => size.get(b)! - size.get(a)! || (a < b ? -1 : a > b ? 1 : 0);
  const insertSorted = (list: string[], item: string) => {
    if (list.includes(item)) return;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmp(list[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, item);
  };
  // no "visited" set on purpose: in a DAG Kafka Streams adds the delta once per path
  const grow = (n: string, delta: number) => {
    size.set(n, size.get(n)! + delta);
    for (const p of preds.get(n)!) grow(p, delta);
  };
  const members = new Set(nodes);
  for (const n of javaHashMapOrder(nodes)) {
    for (const p of defs.get(n)!.predecessors) {
      if (!members.has(p)) continue;
      insertSorted(preds.get(n)!, p);
      insertSorted(succs.get(p)!, n);
      grow(p, size.get(n)!);
    }
  }
  return { size, preds, succs, cmp };
}

function globalStoreText(g: GlobalStoreDescription): string {
  return `Sub-topology: ${g.id} for global store (will not generate tasks)\n    ${nodeText(g.source)}\n    ${nodeText(g.processor)}\n`;
}

export function describeTopology(
  defs: ReadonlyMap<string, NodeDef>,
  subtopologies: readonly { id: number; nodes: readonly string[] }[],
  globals: readonly GlobalStoreDef[] = [],
): TopologyDescription {
  const globalStores = globals.map(
    (g): GlobalStoreDescription => ({
      id: g.id,
      source: { type: 'source', name: g.sourceName, predecessors: [], successors: [g.processorName], topics: [g.topic] },
      processor: { type: 'processor', name: g.processorName, predecessors: [g.sourceName], successors: [], stores: [g.storeName] },
    }),
  );
  const subs: SubtopologyDescription[] = subtopologies.map((sub) => {
    const { preds, succs, cmp } = linkSubtopology(defs, sub.nodes);
    const nodes = [...sub.nodes].sort(cmp).map((n): NodeDescription => {
      const def = defs.get(n)!;
      const successors = succs.get(n)!;
      const predecessors = preds.get(n)!;
      if (def.kind === 'source') {
        return {
          type: 'source',
          name: n,
          predecessors: [],
          successors,
          ...(def.pattern ? { pattern: def.pattern.source } : { topics: [...(def.topics ?? [])].sort() }),
        };
      }
      if (def.kind === 'sink') {
        return {
          type: 'sink',
          name: n,
          predecessors,
          successors: [],
          ...(def.topic !== undefined ? { topic: def.topic } : { extractor: def.topicExtractor?.name || 'anonymous topic name extractor' }),
        };
      }
      return { type: 'processor', name: n, predecessors, successors, stores: [...def.stores].sort() };
    });
    return { id: sub.id, nodes };
  });
  return {
    subtopologies: subs,
    globalStores,
    toString() {
      // sub-topologies and global stores in id order, as Kafka Streams prints them
      const parts: { id: number; text: string }[] = [
        ...subs.map((s) => ({ id: s.id, text: `Sub-topology: ${s.id}\n${s.nodes.map((n) => `    ${nodeText(n)}\n`).join('')}\n` })),
        ...globalStores.map((g) => ({ id: g.id, text: globalStoreText(g) })),
      ].sort((a, b) => a.id - b.id);
      return 'Topologies:\n ' + parts.map((p) => `  ${p.text}`).join('');
    },
  };
}
