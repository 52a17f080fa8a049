// Owns the routes about the application rather than one key: the queryable stores (GET /v1/stores),
// this worker (GET /v1/instance: state, threads and tasks, consumer lag per input partition, store
// lags, throughput, dropped records and restore progress), the whole fleet (GET /v1/instances: every
// worker's endpoint, what it hosts and its own /v1/instance, plus which worker hosts each partition of
// each store, which is what StreamsHttpClient routes keys by), and the health probes.
import type { HostInfo, LagInfo } from '@sluice/runtime/query';
import { HttpErrorCodes, unavailable } from '../errors.js';
import { sendJson } from '../json.js';
import type { QueryRequest } from '../request.js';
import type { QueryServices } from '../services.js';

const INSTANCE_TIMEOUT_MS = 2_000;
const LAG_CACHE_MS = 2_000;

export function listStores(q: QueryRequest, svc: QueryServices): void {
  q.rejectUnknownParameters();
  sendJson(q.res, 200, {
    stores: svc.stores().map((s) => ({ name: s.name, kind: s.kind, keySerde: s.keySerde.name, partitions: s.partitions ?? null })),
  });
}

const lagCaches = new WeakMap<QueryServices, { at: number; lags: Promise<Map<string, Map<number, LagInfo>>> }>();

/** Store lags, asked of the brokers at most every two seconds (the fleet view asks every worker). */
function lags(svc: QueryServices): Promise<Map<string, Map<number, LagInfo>>> {
  let cached = lagCaches.get(svc);
  if (!cached || Date.now() - cached.at > LAG_CACHE_MS) {
    cached = { at: Date.now(), lags: svc.app.allLocalStorePartitionLags() };
    lagCaches.set(svc, cached);
    cached.lags.catch(() => lagCaches.delete(svc));
  }
  return cached.lags;
}

type Metric = ReturnType<ReturnType<QueryServices['app']['metrics']>['all']>[number];

interface TaskFigures {
  droppedRecordsTotal: number;
  restoreRemainingRecords: number;
}

/** What the console and operators read of this worker's metrics, summed over its stream threads. */
function figures(all: readonly Metric[]): Record<string, unknown> {
  const sum = (group: string, name: string) => all.reduce((n, m) => (m.group === group && m.name === name ? n + m.value : n), 0);
  const tasks: Record<string, TaskFigures> = {};
  const task = (m: Metric) => (tasks[m.tags['task-id'] ?? '?'] ??= { droppedRecordsTotal: 0, restoreRemainingRecords: 0 });
  for (const m of all) {
    if (m.group !== 'stream-task-metrics') continue;
    if (m.name === 'dropped-records-total') task(m).droppedRecordsTotal += m.value;
    else if (m.name === 'restore-remaining-records-total') task(m).restoreRemainingRecords += m.value;
  }
  return {
    processTotal: sum('stream-thread-metrics', 'process-total'),
    processRate: sum('stream-thread-metrics', 'process-rate'),
    pollTotal: sum('stream-thread-metrics', 'poll-total'),
    commitTotal: sum('stream-thread-metrics', 'commit-total'),
    droppedRecordsTotal: sum('stream-task-metrics', 'dropped-records-total'),
    deadLetterRecordsTotal: sum('stream-thread-metrics', 'dead-letter-records-total'),
    restoreRemainingRecords: sum('stream-task-metrics', 'restore-remaining-records-total'),
    tasks,
  };
}

async function instanceBody(svc: QueryServices): Promise<Record<string, unknown>> {
  const threads = svc.app.metadataForLocalThreads();
  const body: Record<string, unknown> = {
    endpoint: svc.self.toString(),
    state: svc.app.state,
    activeTasks: threads.flatMap((t) => t.activeTasks),
    standbyTasks: threads.flatMap((t) => t.standbyTasks),
    threads: threads.map((t) => ({ name: t.threadName, state: t.threadState, activeTasks: t.activeTasks.map((x) => x.taskId), standbyTasks: t.standbyTasks.map((x) => x.taskId) })),
    consumerLags: svc.app.consumerLags(),
    metrics: figures(svc.app.metrics().all()),
  };
  try {
    const all = await lags(svc);
    body['lags'] = Object.fromEntries(
      [...all].map(([store, parts]) => [store, Object.fromEntries([...parts].map(([p, l]) => [p, { current: l.currentOffsetPosition, end: l.endOffsetPosition, lag: l.offsetLag }]))]),
    );
  } catch (err) {
    body['lags'] = null;
    body['lagsError'] = err instanceof Error ? err.message : String(err);
  }
  return body;
}

export async function getInstance(q: QueryRequest, svc: QueryServices): Promise<void> {
  q.rejectUnknownParameters();
  sendJson(q.res, 200, await instanceBody(svc));
}

export async function listInstances(q: QueryRequest, svc: QueryServices): Promise<void> {
  q.rejectUnknownParameters();
  let fleet;
  try {
    fleet = svc.app.metadataForAllStreamsClients();
  } catch (err) {
    throw unavailable(HttpErrorCodes.NOT_RUNNING, `the fleet is not known: ${err instanceof Error ? err.message : String(err)}`, 2);
  }
  const instances = await Promise.all(
    fleet.map(async (m) => {
      const hosted = {
        stores: [...m.stateStoreNames].sort(),
        standbyStores: [...m.standbyStateStoreNames].sort(),
        topicPartitions: m.topicPartitions,
        standbyTopicPartitions: m.standbyTopicPartitions,
      };
      if (svc.isSelf(m.hostInfo)) return { ...(await instanceBody(svc)), self: true, reachable: true, ...hosted };
      try {
        const answer = await svc.forward(q, m.hostInfo, '/v1/instance', INSTANCE_TIMEOUT_MS);
        if (answer.status !== 200) throw new Error(`it answered ${answer.status}: ${answer.body.slice(0, 200)}`);
        return { ...(JSON.parse(answer.body) as Record<string, unknown>), endpoint: m.hostInfo.toString(), self: false, reachable: true, ...hosted };
      } catch (err) {
        return { endpoint: m.hostInfo.toString(), self: false, reachable: false, error: err instanceof Error ? err.message : String(err), ...hosted };
      }
    }),
  );
  const stores: Record<string, unknown> = {};
  for (const s of svc.stores()) {
    const active: (string | null)[] = [];
    const standbys: string[][] = [];
    for (let p = 0; p < (s.partitions ?? 0); p++) {
      const md = svc.app.queryMetadataForKey(s.name, p, () => p);
      active.push(known(md.activeHost));
      standbys.push(md.standbyHosts.map((h) => h.toString()));
    }
    stores[s.name] = { kind: s.kind, keySerde: s.keySerde.name, partitions: s.partitions ?? null, active, standbys };
  }
  sendJson(q.res, 200, { instances, stores });
}

function known(h: HostInfo): string | null {
  return h.port > 0 ? h.toString() : null;
}

export function live(q: QueryRequest, svc: QueryServices): void {
  sendJson(q.res, 200, { status: 'UP', state: svc.app.state });
}

/** Ready only while RUNNING (a rebalancing or restoring worker answers store queries with 503). */
export function ready(q: QueryRequest, svc: QueryServices): void {
  const state = svc.app.state;
  if (state === 'RUNNING') {
    sendJson(q.res, 200, { status: 'READY', state });
    return;
  }
  throw unavailable(state === 'REBALANCING' ? HttpErrorCodes.REBALANCING : HttpErrorCodes.NOT_RUNNING, `the worker is ${state}, not RUNNING`, state === 'REBALANCING' ? 1 : 5);
}
