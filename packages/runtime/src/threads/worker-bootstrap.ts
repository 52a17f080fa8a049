// Owns how a stream thread's worker thread starts the same way the worker process did. Node (20)
// does not carry module hooks registered with --import into worker threads, so an application run
// through a TypeScript loader (tsx: `node --import tsx app.ts`) would fail to load its module in the
// thread. The thread therefore starts from a small bootstrap that registers the same loaders (tsx
// through its API, any other --import module by importing it) before it imports the entry.
import type { WorkerOptions } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  for (const p of workerData.__sluicePreload) {
    if (p === 'tsx' || p.startsWith('tsx/')) (await import('tsx/esm/api')).register();
    else await import(p);
  }
  await import(workerData.__sluiceEntry);
})().catch((err) => {
  setImmediate(() => { throw err; });
});
`;

/** Flags that preload modules: their modules are imported by the bootstrap instead. */
const PRELOAD_FLAGS = ['--import', '--loader', '--experimental-loader'];

/** The Worker arguments that run `entry` with `data` as workerData, with the process's loaders. */
export function workerBootstrap(entry: URL, data: object, execArgv: readonly string[] = process.execArgv): { code: string; options: WorkerOptions } {
  const preload: string[] = [];
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const flag = PRELOAD_FLAGS.find((f) => a === f || a.startsWith(`${f}=`));
    if (flag === undefined) {
      kept.push(a);
      continue;
    }
    const value = a === flag ? execArgv[++i] : a.slice(flag.length + 1);
    if (value !== undefined) preload.push(value);
  }
  return { code: BOOTSTRAP, options: { eval: true, execArgv: kept, workerData: { ...data, __sluicePreload: preload, __sluiceEntry: entry.href } } };
}
