// Sluice variants that measure what operating features cost (issue 15 §5), in the same run as the
// `sluice` system: JSON logs at info level, the debug metrics level, tracing switched on (no SDK), and
// `sluice-base` — the Sluice of another git revision (BENCH_SLUICE_BASE, e.g. the commit before
// metrics, tracing and JSON logs existed), extracted into bench/.peers/sluice-base with this
// checkout's node_modules hard-linked beside it, running its own bench/systems/sluice.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSystemProcess } from '../lib/child.js';
import { nodeConfig, nodeWorkerAdapter } from './node-worker.js';
import { buildSluice } from './sluice-build.js';
import { NotAvailable, type ProcessorAdapter, type RunSpec, type SystemProcess } from './types.js';

function variant(id: string, label: string, env: Record<string, string>): ProcessorAdapter {
  return nodeWorkerAdapter({
    id,
    label,
    role: 'streams',
    script: 'bench/systems/sluice.ts',
    // the packages' dist/, as the sluice system runs them
    nodeArgs: [],
    supports: () => true,
    multiProcess: true,
    env: () => env,
    prepare: async (ctx) => {
      await buildSluice(ctx);
      return { version: 'workspace, built with tsc -b', config: { ...nodeConfig(), ...env } };
    },
  });
}

/** metricsRecordingLevel info (the default), logFormat 'json' at logLevel 'info'. */
export const sluiceJsonLogs = variant('sluice-json', 'Sluice, JSON logs at info', { SLUICE_BENCH_LOG_FORMAT: 'json', SLUICE_BENCH_LOG_LEVEL: 'info' });
/** logFormat 'text' at logLevel 'info': the same log lines as readable text. */
export const sluiceTextLogs = variant('sluice-text', 'Sluice, text logs at info', { SLUICE_BENCH_LOG_FORMAT: 'text', SLUICE_BENCH_LOG_LEVEL: 'info' });
/** metricsRecordingLevel 'debug': task, processor-node, store and cache sensors. */
export const sluiceDebugMetrics = variant('sluice-debug', 'Sluice, debug metrics', { SLUICE_BENCH_METRICS_LEVEL: 'debug' });
/** tracing: { enabled: true } without an SDK: spans are the API's no-op spans, headers are still read and written. */
export const sluiceTracingOn = variant('sluice-tracing', 'Sluice, tracing on (no SDK)', { SLUICE_BENCH_TRACING: 'on' });

let baseRoot = '';
export const sluiceBase: ProcessorAdapter = {
  kind: 'processor',
  id: 'sluice-base',
  label: 'Sluice (base revision)',
  role: 'streams',
  supports: () => true,
  // not multiProcess: an older revision's worker may not know RunSpec.startGate
  async prepare(ctx) {
    const ref = process.env['BENCH_SLUICE_BASE'];
    if (!ref) throw new NotAvailable('set BENCH_SLUICE_BASE to the git revision to compare with (e.g. the commit before a change)');
    let commit: string;
    try {
      commit = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: ctx.root, encoding: 'utf8' }).trim();
    } catch {
      throw new NotAvailable(`BENCH_SLUICE_BASE=${ref} is not a commit of this repository`);
    }
    baseRoot = join(ctx.root, 'bench', '.peers', 'sluice-base');
    const stamp = join(baseRoot, '.commit');
    if (!existsSync(stamp) || execFileSync('cat', [stamp], { encoding: 'utf8' }).trim() !== commit) {
      ctx.log(`sluice-base: extracting ${commit.slice(0, 10)} into bench/.peers/sluice-base ...`);
      rmSync(baseRoot, { recursive: true, force: true });
      mkdirSync(baseRoot, { recursive: true });
      execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C "${baseRoot}"`], { cwd: ctx.root });
      // the same third-party packages; the workspace links inside point at the base's own packages/
      execFileSync('cp', ['-al', join(ctx.root, 'node_modules'), join(baseRoot, 'node_modules')]);
      for (const pkg of readdirSync(join(ctx.root, 'packages'))) {
        const nested = join(ctx.root, 'packages', pkg, 'node_modules');
        if (existsSync(nested) && existsSync(join(baseRoot, 'packages', pkg))) execFileSync('cp', ['-al', nested, join(baseRoot, 'packages', pkg, 'node_modules')]);
      }
      writeFileSync(stamp, commit + '\n');
    }
    // built as the workspace is, so both run compiled JavaScript (a revision before the bench did
    // this still builds: tsc -b has been the build from the start)
    await buildSluice(ctx, baseRoot);
    return { version: commit.slice(0, 10), config: { ...nodeConfig(), revision: commit } };
  },
  start(spec: RunSpec): Promise<SystemProcess> {
    return Promise.resolve(
      spawnSystemProcess({
        command: process.execPath,
        args: ['--import', 'tsx', join(baseRoot, 'bench/systems/sluice.ts')],
        cwd: baseRoot,
        env: { ...process.env, BENCH_RUN_SPEC: JSON.stringify(spec) },
        logFile: spec.logFile,
      }),
    );
  },
};
