// The Sluice system: bench/systems/sluice.ts runs the scenario's topology in one worker process,
// on the workspace packages as built by `tsc -b` (their dist/, as a user runs them).
import { nodeConfig, nodeWorkerAdapter } from './node-worker.js';
import { buildSluice } from './sluice-build.js';

export const sluice = nodeWorkerAdapter({
  id: 'sluice',
  label: 'Sluice',
  role: 'streams',
  script: 'bench/systems/sluice.ts',
  // the packages' dist/ (built in prepare), not their sources
  nodeArgs: [],
  supports: () => true,
  // a worker's identity (process id, stores) lives in its state directory: one each is all it needs
  multiProcess: true,
  async prepare(ctx) {
    await buildSluice(ctx);
    return {
      version: 'workspace, built with tsc -b',
      config: { ...nodeConfig(), stores: 'RocksDB (npm rocksdb), record cache as statestore.cache.max.bytes', client: "Sluice's own Kafka client (packages/runtime/src/kafka)" },
    };
  },
});
