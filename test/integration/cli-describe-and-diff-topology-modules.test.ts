// `sluice describe` and `sluice diff` run as a user runs them, on TypeScript topology modules
// (test/integration/fixtures/topologies/): describe prints Kafka Streams' text exactly as
// topology.describe() does, and the same graph as Mermaid and Graphviz; diff accepts a version that
// keeps every store and repartition name and rejects (exit 3) one whose generated names shifted.
import { describe, expect, it } from 'vitest';
import type { Topology } from 'sluice';
import { jsonOf, runCli } from '../helpers/cli.js';
import ordersV1 from './fixtures/topologies/orders-v1.js';

const V1 = 'test/integration/fixtures/topologies/orders-v1.ts';
const V2 = 'test/integration/fixtures/topologies/orders-v2-compatible.ts';
const V3 = 'test/integration/fixtures/topologies/orders-v3-incompatible.ts';

/** Node labels and edges (as label pairs) of a Mermaid flowchart or a dot graph. */
function graphOf(text: string, format: 'mermaid' | 'graphviz') {
  const labels = new Map<string, string>();
  const edges: [string, string, 'data' | 'store'][] = [];
  const node = format === 'mermaid' ? /^\s*(\w+)\[[/(]?"(.*)"[/)]?\]$/ : /^\s*(\w+) \[(?:shape=\w+, )?label="(.*)"\];$/;
  const edge = format === 'mermaid' ? /^\s*(\w+) (-->|-\.-) (\w+)$/ : /^\s*(\w+) -> (\w+)( \[style=dashed.*)?;$/;
  for (const line of text.split('\n')) {
    const n = node.exec(line);
    if (n) labels.set(n[1]!, n[2]!);
    const e = edge.exec(line);
    if (e) edges.push(format === 'mermaid' ? [e[1]!, e[3]!, e[2] === '-->' ? 'data' : 'store'] : [e[1]!, e[2]!, e[3] ? 'store' : 'data']);
  }
  return { labels: [...labels.values()], edges: edges.map(([a, b, kind]) => `${labels.get(a)} ${kind === 'data' ? '->' : '~'} ${labels.get(b)}`) };
}

/** The same graph read from the topology's own description: what every drawing must show. */
function expectedGraph(topology: Topology) {
  const edges: string[] = [];
  const kind = { source: 'Source', processor: 'Processor', sink: 'Sink' } as const;
  const repartition = (t: string) => (topology.isInternalTopic(t) ? `${t} (repartition)` : t);
  for (const sub of topology.describe().subtopologies) {
    for (const n of sub.nodes) {
      const me = `${kind[n.type]}: ${n.name}`;
      for (const t of n.topics ?? []) edges.push(`${repartition(t)} -> ${me}`);
      for (const s of n.successors) edges.push(`${me} -> ${kind[sub.nodes.find((x) => x.name === s)!.type]}: ${s}`);
      if (n.topic) edges.push(`${me} -> ${repartition(n.topic)}`);
      for (const s of n.stores ?? []) edges.push(`${me} ~ store: ${s}`);
    }
  }
  return { edges };
}

describe('sluice describe', () => {
  it("prints Kafka Streams' describe() text of a TypeScript module's topology", async () => {
    const r = await runCli(['describe', V1]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(ordersV1().build().describe().toString());
    expect(r.stdout).toContain('Processor: KSTREAM-AGGREGATE-0000000003 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000002])');
  });

  it('draws the same graph as Mermaid and Graphviz, with topics, the repartition link and the store', async () => {
    const topology = ordersV1({ input: 'web-orders' }).build();
    const want = expectedGraph(topology);
    for (const format of ['mermaid', 'graphviz'] as const) {
      const r = await runCli(['describe', V1, '--format', format, '--args', '{"input":"web-orders"}']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.startsWith(format === 'mermaid' ? 'flowchart TB\n' : 'digraph topology {\n')).toBe(true);
      const got = graphOf(r.stdout, format);
      expect(got.edges.sort()).toEqual([...want.edges].sort());
      // the repartition topic is the one node that links the two sub-topologies
      expect(got.edges).toContain('Sink: KSTREAM-SINK-0000000004 -> KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition (repartition)');
      expect(got.edges).toContain('KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition (repartition) -> Source: KSTREAM-SOURCE-0000000006');
      expect(got.edges).toContain('web-orders -> Source: KSTREAM-SOURCE-0000000000');
      expect(r.stdout.match(format === 'mermaid' ? /^ {2}subgraph /gm : /^ {2}subgraph cluster_/gm)).toHaveLength(2);
    }
  });

  it('says what is wrong with a module', async () => {
    const missing = await runCli(['describe', 'no/such/topology.ts']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: module 'no\/such\/topology.ts' not found \(looked for the file .*no\/such\/topology.ts\)\n$/);
    const noExport = await runCli(['describe', V1, '--export', 'topology']);
    expect(noExport.code).toBe(2);
    expect(noExport.stderr).toContain("has no export named 'topology'; its exports are: default");
    const badArgs = await runCli(['describe', V1, '--args', '{input:']);
    expect(badArgs.code).toBe(2);
    expect(badArgs.stderr).toContain('--args must be JSON');
    const notATopology = await runCli(['describe', 'test/helpers/env.ts']);
    expect(notATopology.code).toBe(2);
    expect(notATopology.stderr).toContain('exports several candidates (kafkaBrokers, schemaRegistryUrl); choose one with --export <name>');
    const wrongKind = await runCli(['describe', 'test/helpers/env.ts', '--export', 'kafkaBrokers']);
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toContain("export 'kafkaBrokers' of test/helpers/env.ts gave an object (Array), not a Topology or StreamsBuilder");
  });
});

describe('sluice diff', () => {
  it('accepts a version that keeps every store and repartition name', async () => {
    const r = await runCli(['diff', V1, V2]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('note         writes to a new output topic big-customers');
    expect(r.stdout).toContain("Compatible: the new topology can be deployed over the old one's state.");
    const same = await runCli(['diff', V1, V1]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No changes to stores, changelogs, repartition topics or sub-topologies.');
  });

  it('rejects a version whose generated store and repartition names shifted, with exit code 3', async () => {
    const r = await runCli(['diff', V1, V3, '--application-id', 'shop']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain(
      "INCOMPATIBLE store 'KSTREAM-AGGREGATE-STATE-STORE-0000000002' is now 'KSTREAM-AGGREGATE-STATE-STORE-0000000003' (a generated name shifted because an operator was added or removed upstream): its changelog shop-KSTREAM-AGGREGATE-STATE-STORE-0000000002-changelog and local state are orphaned",
    );
    expect(r.stdout).toContain('INCOMPATIBLE repartition topic shop-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition is now shop-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition');
    expect(r.stdout).toContain('Incompatible (2 problems)');
    const json = await runCli(['diff', V1, V3, '--format', 'json']);
    expect(json.code).toBe(3);
    const report = jsonOf<{ compatible: boolean; findings: { level: string; message: string }[] }>(json);
    expect(report.compatible).toBe(false);
    expect(report.findings.map((f) => f.level)).toEqual(['incompatible', 'incompatible']);
    // the other way round is as incompatible
    expect((await runCli(['diff', V3, V1])).code).toBe(3);
  });
});
