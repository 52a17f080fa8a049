// @sluice/cli: the `sluice` command line (the `sluice` package's bin runs it). Commands: describe,
// diff, reset, lag, query, dlq list|show|redrive; see docs/cli.md.
export { main, createProgram, VERSION } from './program.js';
export { ExitCode, CliError } from './io.js';
export type { CliIO, CommandContext } from './io.js';
export { compareTopologies } from './topology-compatibility.js';
export type { CompatibilityReport, Finding, FindingLevel, CompareOptions } from './topology-compatibility.js';
export { toMermaid, toGraphviz } from './topology-graph.js';
export { loadTopology } from './module-loader.js';
export type { ModuleOptions } from './module-loader.js';
