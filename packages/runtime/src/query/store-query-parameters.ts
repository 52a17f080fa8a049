// Owns StoreQueryParameters (Kafka Streams' name): which store to query, as which type, optionally one
// partition only, and whether stale copies (restoring, or standby) may answer. Immutable: each
// with*/enable* returns a new object. Arguments are checked when given.
import { ConfigError } from '@sluice/common';
import type { QueryableStoreType } from './queryable-store-types.js';

export class StoreQueryParameters<T> {
  private constructor(
    readonly storeName: string,
    readonly queryableStoreType: QueryableStoreType<T>,
    /** Only this partition; undefined = every partition this worker may read. */
    readonly partition: number | undefined,
    readonly staleStoresEnabled: boolean,
  ) {}

  static fromNameAndType<T>(storeName: string, queryableStoreType: QueryableStoreType<T>): StoreQueryParameters<T> {
    if (typeof storeName !== 'string' || storeName.length === 0) {
      throw new ConfigError(`StoreQueryParameters.fromNameAndType needs the store's name, got ${JSON.stringify(storeName)}`);
    }
    if (!queryableStoreType || typeof queryableStoreType.create !== 'function' || typeof queryableStoreType.accepts !== 'function') {
      throw new ConfigError(`StoreQueryParameters.fromNameAndType needs a store type, e.g. QueryableStoreTypes.keyValueStore(); got ${String(queryableStoreType)}`);
    }
    return new StoreQueryParameters(storeName, queryableStoreType, undefined, false);
  }

  /** Query only this partition of the store (it must be hosted by this worker). */
  withPartition(partition: number): StoreQueryParameters<T> {
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new ConfigError(`withPartition needs a partition number >= 0, got ${String(partition)}`);
    }
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, partition, this.staleStoresEnabled);
  }

  /** Also let copies that are restoring (and, with standby replicas, standbys) answer, possibly behind. */
  enableStaleStores(): StoreQueryParameters<T> {
    return new StoreQueryParameters(this.storeName, this.queryableStoreType, this.partition, true);
  }
}
