// Owns the application module: what a worker with several stream threads loads in each thread. A
// topology holds the application's functions, which cannot be sent to another thread, so every
// thread builds the application itself from one module whose export returns { topology, config }
// (KafkaStreams.fromModule). The main thread checks the thread built the same topology and the
// same identity settings before it lets the thread join.
import { ConfigError } from '@sluice/common';
import type { Topology } from '@sluice/core';
import { pathToFileURL } from 'node:url';
import type { StreamsConfig } from '../config.js';

/** What an application module exports: a function building the topology and the settings, called once per stream thread. */
export type StreamsApplication = () => { topology: Topology; config: StreamsConfig } | Promise<{ topology: Topology; config: StreamsConfig }>;

/** The module as a URL string a worker thread can import (a path is taken relative to the working directory). */
export function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) throw new ConfigError(`KafkaStreams.fromModule needs the application module's path or URL (e.g. new URL('./app.js', import.meta.url)), got ${String(module)}`);
  return /^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module) ? module : pathToFileURL(module).href;
}

/** Imports the module and builds the application from its export. */
export async function loadApplication(url: string, exportName: string): Promise<{ topology: Topology; config: StreamsConfig }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`could not import the application module ${url}: ${(err as Error).message ?? String(err)}`, { cause: err });
  }
  const build = mod[exportName];
  if (typeof build !== 'function') {
    const exported = Object.keys(mod).join(', ') || '(nothing)';
    throw new ConfigError(`the application module ${url} must export '${exportName}' as a function returning { topology, config }; it exports ${exported}`);
  }
  const app = (await (build as StreamsApplication)()) as { topology?: unknown; config?: unknown } | undefined;
  if (app === undefined || app === null || typeof app !== 'object' || app.topology === undefined || app.config === undefined) {
    throw new ConfigError(`'${exportName}' of the application module ${url} must return { topology, config } (the topology from builder.build() and the StreamsConfig)`);
  }
  return app as { topology: Topology; config: StreamsConfig };
}
