// A query never answers from a partial or wrong set of partitions: while the worker rebalances, a
// partition restores or a store closes under it, it fails with the retriable error that says which
// (unless stale stores are allowed); a wrong name or type fails at once with the fix.
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sluice/common';
import type { KeyValueStore } from '@sluice/state';
import {
  InvalidStateStoreError,
  InvalidStateStorePartitionError,
  QueryableStoreTypes,
  StateStoreMigratedError,
  StateStoreNotAvailableError,
  StoreQueryParameters,
  StreamsNotStartedError,
  StreamsRebalancingError,
  UnknownStateStoreError,
} from '../../src/query/index.js';
import { QueryHarness } from './query-harness.js';

const counts = () => StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>());

async function twoPartitions(): Promise<QueryHarness> {
  const h = new QueryHarness();
  await h.addTask(0, 0);
  await h.addTask(0, 1);
  await h.store<KeyValueStore<string, number>>('0_0', 'counts').put('a', 1);
  await h.store<KeyValueStore<string, number>>('0_1', 'counts').put('b', 2);
  return h;
}

describe('queries while a store cannot answer', () => {
  it('refuses before start() and after close()', async () => {
    const h = await twoPartitions();
    h.state = 'CREATED';
    expect(() => h.queries.store(counts())).toThrow(StreamsNotStartedError);
    h.state = 'NOT_RUNNING';
    expect(() => h.queries.store(counts())).toThrow(StateStoreNotAvailableError);
  });

  it('fails retriably while rebalancing, and answers from the stale copy when allowed', async () => {
    const h = await twoPartitions();
    const view = h.queries.store(counts());
    h.state = 'REBALANCING';
    const err = await view.get('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamsRebalancingError);
    expect(err).toMatchObject({ retriable: true, code: ErrorCodes.STREAMS_REBALANCING });
    expect((err as Error).message).toMatch(/rebalancing; retry once it is RUNNING, or allow stale stores with enableStaleStores\(\)/);
    expect(await h.queries.store(counts().enableStaleStores()).get('a')).toBe(1);
    // the same view answers again once the worker runs
    h.state = 'RUNNING';
    expect(await view.get('b')).toBe(2);
  });

  it('fails the whole query while one partition restores, never answering from the others', async () => {
    const h = await twoPartitions();
    h.tasks[1]!.restored = false;
    const view = h.queries.store(counts());
    await expect(view.get('a')).rejects.toThrow(/partition 1 of store 'counts' is restoring from its changelog on this worker; retry when it is done/);
    expect(() => view.all()).toThrow(InvalidStateStoreError);
    // one partition that is ready can still be read on its own; the restoring one only as stale
    expect(await h.queries.store(counts().withPartition(0)).get('a')).toBe(1);
    await expect(h.queries.store(counts().withPartition(1)).get('b')).rejects.toThrow(InvalidStateStoreError);
    expect(await h.queries.store(counts().withPartition(1).enableStaleStores()).get('b')).toBe(2);
  });

  it('says when a partition is not on this worker, or no partition is', async () => {
    const h = await twoPartitions();
    await expect(h.queries.store(counts().withPartition(7)).get('a')).rejects.toThrow(InvalidStateStorePartitionError);
    await expect(h.queries.store(counts().withPartition(7)).get('a')).rejects.toThrow(/partition 7 of store 'counts' is not hosted by this worker/);
    h.tasks.splice(0);
    await expect(h.queries.store(counts()).get('a')).rejects.toThrow(/this worker hosts no partition of store 'counts'/);
  });

  it('turns a store closed under a query into StateStoreMigratedError', async () => {
    const h = await twoPartitions();
    const view = h.queries.store(counts().withPartition(0));
    const it = view.all();
    await h.store<KeyValueStore<string, number>>('0_0', 'counts').close();
    await expect(view.get('a')).rejects.toThrow(StateStoreMigratedError);
    await expect(it.next()).rejects.toThrow(/partition 0 of store 'counts' was closed: its task moved to another worker/);
  });

  it('names an unknown store and the type a store needs', async () => {
    const h = await twoPartitions();
    expect(() => h.queries.store(StoreQueryParameters.fromNameAndType('cuonts', QueryableStoreTypes.keyValueStore()))).toThrow(UnknownStateStoreError);
    expect(() => h.queries.store(StoreQueryParameters.fromNameAndType('cuonts', QueryableStoreTypes.keyValueStore()))).toThrow(/no store named 'cuonts'; its stores are: counts, latest, per-minute, visits/);
    expect(() => h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.windowStore()))).toThrow(
      /store 'counts' is a keyValue store, which QueryableStoreTypes.windowStore\(\) does not accept; use QueryableStoreTypes.keyValueStore\(\)/,
    );
    expect(() => h.queries.store(StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.timestampedKeyValueStore()))).toThrow(/does not accept/);
    expect(() => counts().withPartition(-1)).toThrow(/withPartition needs a partition number >= 0, got -1/);
  });
});
