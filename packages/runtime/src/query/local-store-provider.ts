// Owns which local store partitions a query may read right now (Kafka's StreamThreadStateStoreProvider
// and WrappingStoreProvider): only while the app runs; while it rebalances, or a partition restores,
// only with stale stores enabled; standby copies only with stale stores enabled. Otherwise it throws
// the retriable error that says which, so a query never answers from a partial set of partitions.
import type { StateStore, StoreQueryInfo } from '@sluice/state';
import type { StreamsState } from '../state-machine.js';
import { InvalidStateStoreError, InvalidStateStorePartitionError, StateStoreMigratedError, StateStoreNotAvailableError, StreamsNotStartedError, StreamsRebalancingError } from './errors.js';
import type { LocalStorePartition, QueryableStoreType, StateStoreProvider } from './queryable-store-types.js';

/** What queries see of one local task. */
export interface LocalTask {
  readonly id: string;
  readonly partition: number;
  /** Restored and processing (active), or caught up enough to serve (standby). */
  readonly restored: boolean;
  store(name: string): StateStore | undefined;
}

/** This worker's lifecycle state and tasks, as queries see them. */
export interface LocalTasksView {
  state(): StreamsState;
  active(): Iterable<LocalTask>;
  /** Standby tasks (none until standby replicas exist). */
  standby(): Iterable<LocalTask>;
}

export interface LocalQuery {
  readonly partition: number | undefined;
  readonly staleStoresEnabled: boolean;
}

const STOPPED: readonly StreamsState[] = ['PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR'];

export class LocalStoreProvider implements StateStoreProvider {
  constructor(
    private readonly view: LocalTasksView,
    private readonly query: LocalQuery,
    private readonly info: (storeName: string) => StoreQueryInfo,
    private readonly serdeTopic: (storeName: string) => string,
  ) {}

  stores<S>(storeName: string, type: QueryableStoreType<unknown>): LocalStorePartition<S>[] {
    const { partition, staleStoresEnabled: stale } = this.query;
    checkState(this.view.state(), storeName, stale);
    const kind = this.info(storeName).kind;
    const where = partition === undefined ? `store '${storeName}'` : `partition ${partition} of store '${storeName}'`;
    const out: LocalStorePartition<S>[] = [];
    const seen = new Set<number>();
    const consider = (t: LocalTask, standby: boolean) => {
      if (partition !== undefined && t.partition !== partition) return;
      const store = t.store(storeName);
      if (store === undefined || seen.has(t.partition)) return;
      if (!t.restored && !stale) {
        throw new InvalidStateStoreError(
          `${partition === undefined ? `partition ${t.partition} of store '${storeName}'` : where} is ${standby ? 'a standby copy still catching up' : 'restoring from its changelog'} on this worker; retry when it is done, or allow stale stores with enableStaleStores()`,
          { context: { store: storeName, partition: t.partition, task: t.id } },
        );
      }
      if (!store.isOpen()) {
        throw new StateStoreMigratedError(`${where} is not open on this worker (task ${t.id} is being opened, closed or rebuilt); retry`, { context: { store: storeName, task: t.id } });
      }
      seen.add(t.partition);
      out.push({ partition: t.partition, store: type.view(store, kind, t.partition) as S });
    };
    for (const t of this.view.active()) consider(t, false);
    if (stale) for (const t of this.view.standby()) consider(t, true);
    if (out.length === 0) {
      if (partition !== undefined) {
        throw new InvalidStateStorePartitionError(`${where} is not hosted by this worker; find its host with queryMetadataForKey() or streamsMetadataForStore()`, {
          context: { store: storeName, partition },
        });
      }
      throw new InvalidStateStoreError(`this worker hosts no partition of store '${storeName}' (it may have migrated to another worker); find its hosts with streamsMetadataForStore()`, {
        context: { store: storeName },
      });
    }
    return out.sort((a, b) => a.partition - b.partition);
  }

  keyBytes(storeName: string, key: unknown): Buffer {
    return this.info(storeName).keySerde.serialize(this.serdeTopic(storeName), key);
  }
}

/** The lifecycle check every query makes (also at app.store() time). */
export function checkState(state: StreamsState, storeName: string, stale: boolean): void {
  if (state === 'CREATED') throw new StreamsNotStartedError(`cannot query store '${storeName}': KafkaStreams has not been started; call start() and retry`);
  if (STOPPED.includes(state)) {
    throw new StateStoreNotAvailableError(`cannot query store '${storeName}': KafkaStreams is ${state} on this worker; query another worker`, { context: { store: storeName, state } });
  }
  if (state === 'REBALANCING' && !stale) {
    throw new StreamsRebalancingError(`cannot query store '${storeName}' while this worker is rebalancing; retry once it is RUNNING, or allow stale stores with enableStaleStores()`, {
      context: { store: storeName },
    });
  }
}
