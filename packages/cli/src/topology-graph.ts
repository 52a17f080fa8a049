// Owns drawing a topology as a graph: Mermaid (flowchart) and Graphviz (dot). Sub-topologies are
// boxes of their nodes; topics and stores are nodes of their own, so a repartition topic shows the
// sink of one sub-topology feeding the source of the next. Built from topology.describe() (Kafka
// Streams' node order) plus the topology's internal topics.
import type { NodeDescription, Topology } from '@sluice/core';

interface Graph {
  subtopologies: { id: number; nodes: { id: string; label: string }[] }[];
  topics: { id: string; label: string }[];
  stores: { id: string; label: string }[];
  /** [from, to, dashed] */
  edges: [string, string, boolean][];
}

function nodeLabel(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return `Source: ${n.name}`;
    case 'processor':
      return `Processor: ${n.name}`;
    case 'sink':
      return n.topic !== undefined ? `Sink: ${n.name}` : `Sink: ${n.name} (extractor: ${n.extractor})`;
  }
}

function buildGraph(topology: Topology): Graph {
  const description = topology.describe();
  const graph: Graph = { subtopologies: [], topics: [], stores: [], edges: [] };
  const ids = new Map<string, string>();
  const counts = { n: 0, t: 0, s: 0 };
  const idOf = (kind: 'n' | 't' | 's', name: string, label: string, list?: { id: string; label: string }[]): string => {
    const k = `${kind}:${name}`;
    let id = ids.get(k);
    if (id === undefined) {
      id = `${kind}${counts[kind]++}`;
      ids.set(k, id);
      list?.push({ id, label });
    }
    return id;
  };
  const topicId = (name: string) => idOf('t', name, topology.isInternalTopic(name) ? `${name} (repartition)` : name, graph.topics);
  for (const sub of description.subtopologies) {
    const nodes: { id: string; label: string }[] = [];
    for (const n of sub.nodes) idOf('n', n.name, nodeLabel(n), nodes);
    graph.subtopologies.push({ id: sub.id, nodes });
    for (const n of sub.nodes) {
      const self = idOf('n', n.name, '');
      if (n.type === 'source') {
        for (const t of n.topics ?? []) graph.edges.push([topicId(t), self, false]);
        if (n.pattern !== undefined) graph.edges.push([idOf('t', `/${n.pattern}/`, `pattern /${n.pattern}/`, graph.topics), self, false]);
      }
      for (const s of n.successors) graph.edges.push([self, idOf('n', s, ''), false]);
      if (n.type === 'sink' && n.topic !== undefined) graph.edges.push([self, topicId(n.topic), false]);
      for (const store of n.stores ?? []) graph.edges.push([self, idOf('s', store, `store: ${store}`, graph.stores), true]);
    }
  }
  return graph;
}

const mermaidText = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;

/** A Mermaid flowchart (paste into Markdown inside a ```mermaid block). */
export function toMermaid(topology: Topology): string {
  const g = buildGraph(topology);
  const lines = ['flowchart TB'];
  for (const sub of g.subtopologies) {
    lines.push(`  subgraph sub${sub.id}[${mermaidText(`Sub-topology: ${sub.id}`)}]`);
    for (const n of sub.nodes) lines.push(`    ${n.id}[${mermaidText(n.label)}]`);
    lines.push('  end');
  }
  for (const t of g.topics) lines.push(`  ${t.id}[/${mermaidText(t.label)}/]`);
  for (const s of g.stores) lines.push(`  ${s.id}[(${mermaidText(s.label)})]`);
  for (const [from, to, dashed] of g.edges) lines.push(`  ${from} ${dashed ? '-.-' : '-->'} ${to}`);
  return lines.join('\n') + '\n';
}

const dotText = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** A Graphviz digraph (render with `dot -Tsvg`). */
export function toGraphviz(topology: Topology): string {
  const g = buildGraph(topology);
  const lines = ['digraph topology {', '  rankdir=TB;', '  node [shape=box, fontname="Helvetica"];'];
  for (const sub of g.subtopologies) {
    lines.push(`  subgraph cluster_${sub.id} {`, `    label=${dotText(`Sub-topology: ${sub.id}`)};`);
    for (const n of sub.nodes) lines.push(`    ${n.id} [label=${dotText(n.label)}];`);
    lines.push('  }');
  }
  for (const t of g.topics) lines.push(`  ${t.id} [shape=parallelogram, label=${dotText(t.label)}];`);
  for (const s of g.stores) lines.push(`  ${s.id} [shape=cylinder, label=${dotText(s.label)}];`);
  for (const [from, to, dashed] of g.edges) lines.push(`  ${from} -> ${to}${dashed ? ' [style=dashed, arrowhead=none]' : ''};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
