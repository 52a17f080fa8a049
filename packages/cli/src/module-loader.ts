// Owns loading a user's topology module for `describe` and `diff`. The convention (docs/cli.md):
// the module exports a Topology, a StreamsBuilder, or a function (sync or async) returning either;
// the default export is used, else the one export that is one of those, else the one named with
// --export. A function is called with the JSON value of --args. TypeScript files load through tsx.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Topology } from '@sluice/core';
import { CliError, usageError } from './io.js';

export interface ModuleOptions {
  /** The export to use (default: `default`, else the only candidate). */
  export?: string;
  /** JSON text; its value is passed to an exported function. */
  args?: string;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

function isTopology(x: unknown): x is Topology {
  const t = x as Partial<Topology> | null;
  return typeof t === 'object' && t !== null && typeof t.describe === 'function' && typeof t.subtopologies === 'function' && t.stores instanceof Map;
}

function isBuilder(x: unknown): x is { build(): unknown } {
  return typeof x === 'object' && x !== null && typeof (x as { build?: unknown }).build === 'function' && !isTopology(x);
}

function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return `an object (${(x as object).constructor?.name ?? 'Object'})`;
  return `a ${typeof x}`;
}

export function parseArgs(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw usageError(`--args must be JSON (e.g. --args '{"input":"lines"}'): ${(err as Error).message}`);
  }
}

async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (TS_EXTENSIONS.has(path.extname(file))) {
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

function pickExport(ns: Record<string, unknown>, file: string, wanted: string | undefined): [string, unknown] {
  const names = Object.keys(ns).filter((n) => n !== '__esModule' && n !== 'module.exports');
  if (wanted !== undefined) {
    if (!(wanted in ns)) throw usageError(`${file} has no export named '${wanted}'; its exports are: ${names.join(', ') || '(none)'}`);
    return [wanted, ns[wanted]];
  }
  if (ns['default'] !== undefined) return ['default', ns['default']];
  const candidates = names.filter((n) => isTopology(ns[n]) || isBuilder(ns[n]) || typeof ns[n] === 'function');
  if (candidates.length === 1) return [candidates[0]!, ns[candidates[0]!]];
  if (candidates.length === 0) {
    throw new CliError(
      `${file} exports no Topology, StreamsBuilder or function returning one (its exports: ${names.join(', ') || 'none'}). ` +
        `Export one, e.g. 'export default builder' or 'export function topology() { ... return builder.build(); }'`,
    );
  }
  throw usageError(`${file} exports several candidates (${candidates.join(', ')}); choose one with --export <name>`);
}

/** Loads the module at `modulePath` (relative to the working directory) and returns its Topology. */
export async function loadTopology(modulePath: string, options: ModuleOptions = {}): Promise<Topology> {
  const file = path.resolve(modulePath);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new CliError(`module '${modulePath}' not found (looked for the file ${file})`);
  const args = parseArgs(options.args);
  let ns: Record<string, unknown>;
  try {
    ns = await importModule(file);
  } catch (err) {
    throw new CliError(`loading ${modulePath} failed: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err });
  }
  const [name, exported] = pickExport(ns, modulePath, options.export);
  let value = exported;
  if (typeof value === 'function') {
    try {
      value = await (value as (a: unknown) => unknown)(args);
    } catch (err) {
      const hint = args === undefined ? `; if it needs arguments, pass them as JSON with --args` : '';
      throw new CliError(`calling export '${name}' of ${modulePath} failed: ${(err as Error)?.message ?? String(err)}${hint}`, undefined, { cause: err });
    }
  }
  if (isBuilder(value)) {
    try {
      value = value.build();
    } catch (err) {
      throw new CliError(`building the topology of ${modulePath} failed: ${(err as Error)?.message ?? String(err)}`, undefined, { cause: err });
    }
  }
  if (!isTopology(value)) {
    throw new CliError(`export '${name}' of ${modulePath} gave ${kindOf(value)}, not a Topology or StreamsBuilder`);
  }
  return value;
}
