// ┌──────────────────────────────────────────────────────────────────────────────────────────┐
// │ SLUICE ADAPTER — STUB. To be completed by the runtime's author once KafkaStreams runs.     │
// └──────────────────────────────────────────────────────────────────────────────────────────┘
// What to do (bench/README.md, "Adding a system", has the full contract):
//  1. Write bench/systems/sluice.ts, a worker like bench/systems/kafkats-flow.ts: read the RunSpec
//     with readRunSpec(), build the scenario's topology with the `sluice` DSL exactly as
//     bench/java/src/main/java/dev/sluice/bench/StreamsBench.java does (same operators, store
//     names, repartition name "words", String serdes, string output values), configure
//     applicationId = spec.appId, one worker, commit interval, cache size, guarantee and state dir
//     from the spec, emit 'first-input' when the first input batch arrives and, for S5,
//     'restore-start' / 'restore-end' from the restore listener; close on SIGTERM (onShutdown).
//  2. Replace the `throw` in prepare() below with the version and configuration Sluice runs with.
//  3. Widen supports() as capabilities land (S1 needs the stateless runner; S2/S4 repartition,
//     count and RocksDB with changelog; S3 windows; S4 exactly-once; S5 restore).
// The harness then runs it in every scenario and shows each figure as a ratio to Java.
import { nodeConfig, nodeWorkerAdapter } from './node-worker.js';
import { NotAvailable } from './types.js';

export const sluice = nodeWorkerAdapter({
  id: 'sluice',
  label: 'Sluice',
  role: 'streams',
  script: 'bench/systems/sluice.ts',
  // run the workspace packages from their TypeScript sources, as the tests do
  nodeArgs: ['--conditions=sluice-source'],
  supports: () => true,
  prepare() {
    void nodeConfig;
    return Promise.reject(new NotAvailable('not implemented yet: the Sluice runtime (packages/runtime) cannot run a topology yet; see bench/adapters/sluice.ts'));
  },
});
