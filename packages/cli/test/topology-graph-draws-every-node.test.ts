// Mermaid and Graphviz drawings: pattern sources and topic-name extractors get nodes of their own,
// names that need quoting are escaped for each format.
import { describe, expect, it } from 'vitest';
import { Topology } from '@sluice/core';
import { toGraphviz, toMermaid } from '../src/topology-graph.js';

function topology(): Topology {
  return new Topology()
    .addSource('events "raw"', /events-.*/)
    .addProcessor('route', () => ({ process() {} }), 'events "raw"')
    .addSink('by-type', function eventTypeTopic() {
      return 'x';
    }, 'route');
}

describe('topology drawings', () => {
  it('draws a pattern source and an extractor sink in Mermaid, escaping quotes', () => {
    expect(toMermaid(topology())).toBe(
      [
        'flowchart TB',
        '  subgraph sub0["Sub-topology: 0"]',
        '    n0["Source: events #quot;raw#quot;"]',
        '    n1["Processor: route"]',
        '    n2["Sink: by-type (extractor: eventTypeTopic)"]',
        '  end',
        '  t0[/"pattern /events-.*/"/]',
        '  t0 --> n0',
        '  n0 --> n1',
        '  n1 --> n2',
        '',
      ].join('\n'),
    );
  });

  it('draws the same in Graphviz, escaping quotes', () => {
    const dot = toGraphviz(topology());
    expect(dot).toContain('    n0 [label="Source: events \\"raw\\""];');
    expect(dot).toContain('  t0 [shape=parallelogram, label="pattern /events-.*/"];');
    expect(dot).toContain('  t0 -> n0;\n  n0 -> n1;\n  n1 -> n2;\n}\n');
  });
});
