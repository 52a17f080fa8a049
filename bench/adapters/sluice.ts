// The Sluice system: bench/systems/sluice.ts runs the scenario's topology in one worker process,
// from the workspace's TypeScript sources (as the tests do).
import { nodeConfig, nodeWorkerAdapter } from './node-worker.js';

export const sluice = nodeWorkerAdapter({
  id: 'sluice',
  label: 'Sluice',
  role: 'streams',
  script: 'bench/systems/sluice.ts',
  // run the workspace packages from their TypeScript sources, as the tests do
  nodeArgs: ['--conditions=sluice-source'],
  supports: () => true,
  // a worker's identity (process id, stores) lives in its state directory: one each is all it needs
  multiProcess: true,
  prepare() {
    return Promise.resolve({
      version: 'workspace',
      config: { ...nodeConfig(), stores: 'RocksDB (npm rocksdb), record cache as statestore.cache.max.bytes', client: 'kafkajs 2.2.4 (patched grouping)' },
    });
  },
});
