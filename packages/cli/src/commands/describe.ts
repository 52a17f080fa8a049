// Owns `sluice describe <module>`: the topology in Kafka Streams' describe() text, as a Mermaid
// flowchart or as a Graphviz graph.
import { Option, type Command } from 'commander';
import type { CommandContext } from '../io.js';
import { loadTopology, type ModuleOptions } from '../module-loader.js';
import { toGraphviz, toMermaid } from '../topology-graph.js';

export function addDescribeCommand(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  program
    .command('describe')
    .summary('print a topology as text, Mermaid or Graphviz')
    .description(
      "Print the topology a module builds: Kafka Streams' describe() text (the default), a Mermaid flowchart or a Graphviz (dot) graph.\n" +
        'The module exports a Topology, a StreamsBuilder, or a function (sync or async) returning one; TypeScript files load through tsx.',
    )
    .argument('<module>', 'file exporting the topology (.ts, .mts, .js, .mjs)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'graphviz']).default('text'))
    .option('--export <name>', 'the export to use (default: the default export, else the only candidate)')
    .option('--args <json>', 'JSON value passed to an exported function, e.g. \'{"input":"lines"}\'')
    .addHelpText('after', '\nExamples:\n  sluice describe src/topology.ts\n  sluice describe dist/topology.js --format mermaid > topology.mmd\n  sluice describe src/topology.ts --export wordCountTopology --args \'{"input":"lines","output":"counts"}\' --format graphviz | dot -Tsvg > topology.svg\n')
    .action(async (module: string, opts: ModuleOptions & { format: 'text' | 'mermaid' | 'graphviz' }) => {
      const topology = await loadTopology(module, opts);
      if (opts.format === 'mermaid') io.out(toMermaid(topology));
      else if (opts.format === 'graphviz') io.out(toGraphviz(topology));
      else io.out(topology.describe().toString());
    });
}
