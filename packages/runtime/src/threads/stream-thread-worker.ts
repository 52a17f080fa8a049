// Owns a stream thread on a worker thread (numStreamThreads > 1): it builds the application from its
// module, checks it is the main thread's (same topology, same identity settings), prepares its own
// connections, serdes, record cache share and global stores, and runs a StreamThreadRunner as one
// more member of the group under the worker's process id. It tells the main thread its state
// changes, failures, restore progress and a snapshot of its tasks and metrics (every second and on
// changes), answers store reads, and does what the main thread asks (close, replace, rebalance).
import { ConfigError, describeError, MetricsRegistry } from '@sluice/common';
import { assertSerdes } from '@sluice/core';
import { StateDirectory } from '@sluice/state';
import { parentPort, workerData } from 'node:worker_threads';
import { resolveConfig } from '../config.js';
import { createKafkaClient } from '../kafka/client.js';
import type { GlobalStreamThread } from '../global/global-stream-thread.js';
import type { Admin } from '../ports.js';
import type { RuntimeTask } from '../query/interactive-queries.js';
import { loadApplication } from './application-module.js';
import { StoreServer } from './store-server.js';
import { StreamThreadRunner } from './stream-thread-runner.js';
import { prepareSerdes, prepareThreadContext, startGlobalThread } from './thread-context.js';
import { deserializeError, serializeError, type FromThread, type TaskSnapshot, type ThreadSnapshot, type ThreadWorkerData, type ToThread } from './thread-messages.js';

const SNAPSHOT_MS = 1_000;

const data = workerData as ThreadWorkerData;
const port = parentPort!;
const send = (m: FromThread): void => port.postMessage(m);

async function run(): Promise<void> {
  const app = await loadApplication(data.module, data.exportName);
  const config = resolveConfig(app.config);
  const { topology } = app;
  const n = data.threadIndex;
  if (topology.describe().toString() !== data.describe) {
    throw new ConfigError(`stream thread ${n} built a different topology from the application module ${data.module} than the main thread did; the module's export must build the same topology every time it is called (no randomness, no state kept between calls)`);
  }
  const mine = { applicationId: config.applicationId, bootstrapServers: config.brokers.join(','), processingGuarantee: config.guarantee, stateDir: config.stateDir };
  for (const [k, v] of Object.entries(data.settings) as [keyof typeof mine, string][]) {
    if (mine[k] !== v) throw new ConfigError(`stream thread ${n} got ${k} '${mine[k]}' from the application module but the main thread runs with '${v}'; the module's export must give every thread the same settings`);
  }
  topology.validate();
  assertSerdes(topology, config);
  const log = config.logger.child({ thread: `${config.clientId}-StreamThread-${n}` });
  const stateDirectory = new StateDirectory({ stateDir: config.stateDir, applicationId: config.applicationId, logger: log, processToken: data.processToken });
  const client = createKafkaClient({
    clientId: `${config.clientId}-StreamThread-${n}`,
    brokers: config.brokers,
    logger: log,
    kafkaLogLevel: config.kafkaLogLevel,
    taskTimeoutMs: config.taskTimeoutMs,
    clock: config.clock,
    ...(config.ssl !== undefined ? { ssl: config.ssl } : {}),
    ...(config.sasl !== undefined ? { sasl: config.sasl } : {}),
  });
  // set once started; the handlers below run earlier too (a close while starting)
  const parts: { admin?: Admin; runner?: StreamThreadRunner } = {};
  let globalThread: GlobalStreamThread | undefined;
  let shutdownReason: string | undefined;
  let snapshots: { cancel(): void } | undefined;
  const server = new StoreServer({ active: () => parts.runner?.activeTasks() ?? [], standby: () => parts.runner?.standbyTasks() ?? [] }, () => config.clock.now(), log);
  const registry = new MetricsRegistry(config.metricsRecordingLevel, () => config.clock.now());
  const topics = { sourceTopics: new Map(data.topics.sourceTopics), changelogTopics: new Map(data.topics.changelogTopics), partitionCounts: new Map(data.topics.partitionCounts) };

  const snapshot = (): ThreadSnapshot => {
    const task = (t: RuntimeTask): TaskSnapshot => ({
      id: t.id,
      partition: t.task.partition,
      restored: t.restored,
      inputs: t.inputs.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      stores: [...t.task.stores.keys()],
      changelogPartitions: t.state.changelogPartitions(),
      changelogOffsets: [...t.state.changelogOffsets()],
    });
    return {
      active: parts.runner?.activeTasks().map(task) ?? [],
      standby: parts.runner?.standbyTasks().map(task) ?? [],
      metrics: registry.metrics(),
      totals: parts.runner?.metrics?.totals() ?? { processed: 0, commits: 0, punctuations: 0 },
      lags: parts.runner?.metrics?.consumerLags() ?? [],
    };
  };
  const report = () => send({ type: 'snapshot', snapshot: snapshot() });

  let closing: Promise<void> | undefined;
  const close = (clean: boolean): Promise<void> =>
    (closing ??= (async () => {
      snapshots?.cancel();
      await server.closeAll();
      await parts.runner?.close(clean, log);
      await globalThread?.close(clean).catch((err: unknown) => log.warn(`closing the global stream thread failed: ${describeError(err)}`));
      await parts.admin?.close().catch((err: unknown) => log.warn(`closing the admin client failed: ${describeError(err)}`));
      stateDirectory.close();
      send({ type: 'closed' });
      port.close();
    })());

  const ctx = await prepareThreadContext({ topology, config: { ...config, logger: log }, topics, cacheBytes: data.cacheBytes, globalStore: (name) => globalThread?.store(name) });
  let join: () => void = () => undefined;
  const joinRequested = new Promise<void>((resolve) => (join = resolve));
  port.on('message', (m: ToThread) => {
    const fail = (err: unknown) => send({ type: 'fatal', error: serializeError(err) });
    switch (m.type) {
      case 'join':
        join();
        return;
      case 'close':
        join();
        void close(m.clean).catch(fail);
        return;
      case 'replace':
        void parts.runner?.replaceThread(deserializeError(m.error)).catch(fail);
        return;
      case 'stopThread':
        void parts.runner?.stopThread(false).catch(fail);
        return;
      case 'shutdownRequest':
        shutdownReason = m.reason;
        return;
      case 'enforceRebalance':
        parts.runner?.enforceRebalance(m.reason);
        return;
      case 'addSourceTopics':
        void (async () => {
          for (const a of m.added) {
            ctx.topologyTasks.addSourceTopic(a.subtopology, a.topic);
            topics.partitionCounts.set(a.topic, a.partitions);
          }
          for (const [t, s] of await prepareSerdes(topology, config, topics.sourceTopics)) ctx.sourceSerdes.set(t, s);
          await parts.runner?.resubscribe(m.reason);
        })().catch(fail);
        return;
      case 'store':
        server.handle(m.call).then(
          (value) => send({ type: 'reply', id: m.id, ok: true, value }),
          (err: unknown) => send({ type: 'reply', id: m.id, ok: false, error: serializeError(err) }),
        );
        return;
    }
  });

  const admin = await client.admin();
  parts.admin = admin;
  if (topology.globalStores().length > 0) {
    // global stores are read by every task of this thread: it keeps its own copy, complete before it joins
    globalThread = await startGlobalThread({ topology, config, engine: ctx.engine, client, admin, stateDirectory, dirName: `global-${n}`, cache: ctx.cache, logger: log.child({ thread: `global-${n}` }), onFatal: (err) => send({ type: 'fatal', error: serializeError(err) }) });
  }
  const runner = new StreamThreadRunner({
    config: { ...config, logger: log },
    topology,
    client,
    admin: () => parts.admin,
    ctx,
    processId: data.processId,
    threadIndex: n,
    stateDirectory,
    registry,
    shutdownRequested: () => shutdownReason,
    events: {
      onRebalanceStart: () => send({ type: 'rebalanceStart' }),
      onAllRunning: () => {
        // the tasks first: the main thread may answer the moment it hears the thread runs
        report();
        send({ type: 'allRunning' });
      },
      onFatal: (err) => send({ type: 'fatal', error: serializeError(err) }),
      onRestoreProgress: (taskId, progress) => send({ type: 'restore', taskId, progress }),
      onAssignment: (info) => {
        send({ type: 'assignment', info });
        report();
      },
    },
  });
  parts.runner = runner;
  if (closing !== undefined) return;
  // built: the worker's threads join the group together, when the main thread says so
  send({ type: 'ready' });
  await joinRequested;
  if (closing !== undefined) return;
  await runner.start();
  send({ type: 'started' });
  const tick = () => {
    report();
    snapshots = config.clock.setTimeout(tick, SNAPSHOT_MS);
  };
  snapshots = config.clock.setTimeout(tick, SNAPSHOT_MS);
}

run().catch((err: unknown) => send({ type: 'startFailed', error: serializeError(err) }));
