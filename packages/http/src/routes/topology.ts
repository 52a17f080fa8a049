// Owns GET /v1/topology: the app's topology as Topology#describe() gives it (sub-topologies with
// their nodes, global stores, Kafka Streams' text form), with each sub-topology's source topics, sink
// topics and stores gathered for readers such as the console. Internal topic names are as described
// (without the application id prefix the brokers know them by).
import { sendJson } from '../json.js';
import type { QueryRequest } from '../request.js';
import type { QueryServices } from '../services.js';

type Description = ReturnType<QueryServices['app']['describe']>;
type Node = Description['subtopologies'][number]['nodes'][number];

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}

function gather(nodes: readonly Node[]) {
  return {
    sourceTopics: unique(nodes.flatMap((n) => (n.type === 'source' ? (n.pattern !== undefined ? [n.pattern] : [...(n.topics ?? [])]) : []))),
    sinkTopics: unique(nodes.flatMap((n) => (n.type === 'sink' ? [n.topic ?? `(${n.extractor ?? 'topic extractor'})`] : []))),
    stores: unique(nodes.flatMap((n) => [...(n.stores ?? [])])),
  };
}

export function topologyBody(d: Description): Record<string, unknown> {
  return {
    subtopologies: d.subtopologies.map((s) => ({ id: s.id, ...gather(s.nodes), nodes: s.nodes })),
    globalStores: d.globalStores.map((g) => ({ id: g.id, ...gather([g.source, g.processor]), source: g.source, processor: g.processor })),
    text: d.toString(),
  };
}

export function getTopology(q: QueryRequest, svc: QueryServices): void {
  q.rejectUnknownParameters();
  sendJson(q.res, 200, topologyBody(svc.app.describe()));
}
