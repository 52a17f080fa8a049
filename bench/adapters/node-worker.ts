// A processor adapter for systems that run as a Node worker script (bench/systems/*.ts): the
// harness spawns `node --import tsx <script>` with the RunSpec in BENCH_RUN_SPEC; the script speaks
// the worker protocol (bench/systems/worker-protocol.ts).
import { join } from 'node:path';
import { spawnSystemProcess } from '../lib/child.js';
import type { PrepareContext, ProcessorAdapter, RunSpec, ScenarioId, Support, SystemInfo, SystemProcess } from './types.js';

export interface NodeWorkerOptions {
  id: string;
  label: string;
  role: 'streams' | 'ceiling';
  /** path of the worker script relative to the repository root */
  script: string;
  supports: (scenario: ScenarioId) => Support;
  prepare: (ctx: PrepareContext) => Promise<SystemInfo>;
  /** extra node flags, e.g. '--conditions=sluice-source' to run workspace packages from source */
  nodeArgs?: string[];
  /** extra environment for the worker */
  env?: () => Record<string, string>;
  /** see ProcessorAdapter.multiProcess */
  multiProcess?: boolean;
}

export function nodeWorkerAdapter(o: NodeWorkerOptions): ProcessorAdapter {
  let root = process.cwd();
  return {
    kind: 'processor',
    id: o.id,
    label: o.label,
    role: o.role,
    supports: o.supports,
    ...(o.multiProcess ? { multiProcess: true } : {}),
    async prepare(ctx) {
      root = ctx.root;
      return o.prepare(ctx);
    },
    start(spec: RunSpec): Promise<SystemProcess> {
      return Promise.resolve(
        spawnSystemProcess({
          command: process.execPath,
          args: [...(o.nodeArgs ?? []), ...extraNodeArgs(), '--import', 'tsx', join(root, o.script)],
          cwd: root,
          env: { ...process.env, ...(o.env?.() ?? {}), BENCH_RUN_SPEC: JSON.stringify(spec) },
          logFile: spec.logFile,
        }),
      );
    },
  };
}

/**
 * `BENCH_NODE_ARGS` adds flags to every Node worker, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to
 * profile one (Node refuses --cpu-prof in NODE_OPTIONS). Split on whitespace.
 */
function extraNodeArgs(): string[] {
  return (process.env['BENCH_NODE_ARGS'] ?? '').split(/\s+/).filter((a) => a.length > 0);
}

/** Node's own version and flags, for SystemInfo.config of every Node worker. */
export function nodeConfig(): Record<string, string> {
  return { node: process.version, 'max-old-space-size': 'node default' };
}
