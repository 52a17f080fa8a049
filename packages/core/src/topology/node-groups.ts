// Owns how a topology's nodes group into node groups (Kafka Streams' makeNodeGroups): nodes joined by
// parent links or by sharing a store belong together, numbered in the order their first node was
// added; a group holding a global source keeps a global store and never becomes tasks. Also which
// source topics feed a node (for co-partitioning).
import type { NodeDef } from './node-factories.js';
import type { StoreDef, SubtopologyDef } from './topology.js';
import { UnionFind } from './union-find.js';

export interface NodeGroup {
  readonly id: number;
  readonly nodes: string[];
  readonly global: boolean;
}

export function nodeGroups(defs: ReadonlyMap<string, NodeDef>, stores: ReadonlyMap<string, StoreDef>, isGlobalSource: (node: string) => boolean): NodeGroup[] {
  const uf = new UnionFind();
  for (const def of defs.values()) {
    uf.add(def.name);
    if (def.predecessors.length > 0) uf.unite(def.name, ...def.predecessors);
  }
  for (const store of stores.values()) {
    const users = [...store.users];
    if (users.length > 1) uf.unite(users[0]!, ...users.slice(1));
  }
  const groups = new Map<string, string[]>();
  for (const name of defs.keys()) {
    const root = uf.root(name);
    let g = groups.get(root);
    if (!g) groups.set(root, (g = []));
    g.push(name);
  }
  let id = 0;
  return [...groups.values()].map((nodes) => ({ id: id++, nodes, global: nodes.some(isGlobalSource) }));
}

export function subtopologyDef(id: number, nodes: readonly string[], defs: ReadonlyMap<string, NodeDef>, isInternalTopic: (topic: string) => boolean): SubtopologyDef {
  const sourceTopics: string[] = [];
  const sourcePatterns: RegExp[] = [];
  const sinkTopics: string[] = [];
  const stores = new Set<string>();
  for (const n of nodes) {
    const def = defs.get(n)!;
    if (def.kind === 'source') {
      if (def.topics) sourceTopics.push(...def.topics);
      if (def.pattern) sourcePatterns.push(def.pattern);
    } else if (def.kind === 'sink') {
      if (def.topic !== undefined && !sinkTopics.includes(def.topic)) sinkTopics.push(def.topic);
    } else {
      for (const st of def.stores) stores.add(st);
    }
  }
  return { id, nodes, sourceTopics, sourcePatterns, repartitionSourceTopics: sourceTopics.filter(isInternalTopic), sinkTopics, stores: [...stores] };
}

/** The source topics feeding `name` within its sub-topology (a source stands for its own topics). */
export function topicsFeeding(defs: ReadonlyMap<string, NodeDef>, name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const def = defs.get(name);
  if (!def) return [];
  if (def.kind === 'source') return [...(def.topics ?? [])];
  return def.predecessors.flatMap((p) => topicsFeeding(defs, p, seen));
}
