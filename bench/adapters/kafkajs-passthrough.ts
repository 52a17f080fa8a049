// The client ceiling (bench/systems/kafkajs-passthrough.ts): S1 only, since a pass-through has no
// state; it shows what kafkajs alone can move through a consume → produce loop on this machine.
import { createRequire } from 'node:module';
import { nodeConfig, nodeWorkerAdapter } from './node-worker.js';

export const kafkajsPassthrough = nodeWorkerAdapter({
  id: 'kafkajs',
  label: 'kafkajs pass-through',
  role: 'ceiling',
  script: 'bench/systems/kafkajs-passthrough.ts',
  supports: (s) => (s === 's1' ? true : 'a stateless consume → produce loop: runs S1 only'),
  prepare() {
    const version = (createRequire(import.meta.url)('kafkajs/package.json') as { version: string }).version;
    return Promise.resolve({
      version: `kafkajs ${version}`,
      config: {
        ...nodeConfig(),
        'batch handling': 'eachBatch; one produce request per fetched partition batch',
        acks: 'all (-1)',
        'commit': 'offsets of acknowledged batches every commit interval',
        partitionsConsumedConcurrently: 'number of input partitions',
      },
    });
  },
});
