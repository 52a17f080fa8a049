// @kafkats/flow, the TypeScript peer with a Kafka Streams-like DSL. It is never a dependency of
// the repository: prepare() installs the pinned version from the npm registry into bench/.peers/
// (git-ignored, outside the npm workspaces) and the worker (bench/systems/kafkats-flow.ts) loads it
// from there. When the registry or the package is unusable the system is reported unavailable.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCommand } from '../lib/child.js';
import { nodeConfig, nodeWorkerAdapter } from './node-worker.js';
import { NotAvailable, type PrepareContext, type ScenarioId, type Support } from './types.js';

/** The version benchmarked; BENCH_FLOW_VERSION overrides it. */
export const FLOW_VERSION = '0.12.0';

let peerDir = '';

function installedVersion(dir: string): string | null {
  const pkg = join(dir, 'node_modules', '@kafkats', 'flow', 'package.json');
  if (!existsSync(pkg)) return null;
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

async function prepare(ctx: PrepareContext) {
  const version = process.env['BENCH_FLOW_VERSION'] ?? FLOW_VERSION;
  peerDir = join(ctx.root, 'bench', '.peers', 'kafkats-flow');
  if (installedVersion(peerDir) !== version) {
    ctx.log(`flow: installing @kafkats/flow@${version} from the npm registry into bench/.peers/kafkats-flow ...`);
    mkdirSync(peerDir, { recursive: true });
    // its own package.json keeps npm from treating the folder as part of the workspace root
    writeFileSync(join(peerDir, 'package.json'), JSON.stringify({ name: 'bench-peer-kafkats-flow', private: true, type: 'module' }, null, 2) + '\n');
    const logFile = join(ctx.logDir, 'flow-install.log');
    const npm = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', `@kafkats/flow@${version}`], { cwd: peerDir, logFile, timeoutMs: 300_000 });
    if (npm.code !== 0) {
      const why = /npm error (?:code )?(\w+)/.exec(npm.stderr)?.[1] ?? `exit ${npm.code}`;
      throw new NotAvailable(`npm install @kafkats/flow@${version} failed (${why}; log: ${logFile})`);
    }
  }
  const entry = join(peerDir, 'node_modules', '@kafkats', 'flow', 'dist', 'index.js');
  try {
    const mod = (await import(pathToFileURL(entry).href)) as { flow?: unknown };
    if (typeof mod.flow !== 'function') throw new Error('the package exports no flow() function');
  } catch (err) {
    throw new NotAvailable(`@kafkats/flow@${version} does not load on Node ${process.version}: ${String(err)}`);
  }
  const clientPkg = join(peerDir, 'node_modules', '@kafkats', 'client', 'package.json');
  const clientVersion = existsSync(clientPkg) ? (JSON.parse(readFileSync(clientPkg, 'utf8')) as { version: string }).version : '?';
  return {
    version: `@kafkats/flow ${installedVersion(peerDir) ?? version} (@kafkats/client ${clientVersion})`,
    config: {
      ...nodeConfig(),
      numStreamThreads: 1,
      'state stores': 'in-memory (flow default) with changelog topics',
      'record cache': 'none (flow emits every update)',
      'repartition': 'explicit: to(`${appId}-words-repartition`) + stream() of it (flow groupBy does not repartition)',
      'windows': 'TimeWindows.of(size): flow has no grace setting (late records are kept for 24 windows)',
    },
    notes: ['exactly_once is flow\'s own transactional mode (processingGuarantee: "exactly_once")'],
  };
}

function supports(s: ScenarioId): Support {
  if (s === 's6' || s === 's7') return 'joins are not written for the flow worker (bench/systems/kafkats-flow.ts) yet';
  return true;
}

export const kafkatsFlow = nodeWorkerAdapter({
  id: 'flow',
  label: '@kafkats/flow',
  role: 'streams',
  script: 'bench/systems/kafkats-flow.ts',
  supports,
  prepare,
  env: () => ({ BENCH_FLOW_DIR: peerDir }),
});
