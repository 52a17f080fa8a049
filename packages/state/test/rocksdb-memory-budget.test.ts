// The RocksDB memory budget: the npm binding gives every database its own block cache, so each
// database opened gets budget / (databases open) at open time, never less than 1 MiB.
import { describe, expect, it } from 'vitest';
import { Serdes } from '@sluice/serdes';
import { Stores, defaultRocksDbSharedOptions } from '@sluice/state';
import { MIB, leaseDbMemory, openDatabaseCount } from '../src/internal/kv/rocksdb-binding.js';
import { fakeContext } from './helpers/fake-context.js';

describe('RocksDB memory budget', () => {
  it('defaults to 64 MiB of block cache, 8 MiB write buffers and 64 open files per store', () => {
    expect(defaultRocksDbSharedOptions()).toEqual({ blockCacheBytes: 64 * MIB, writeBufferBytes: 8 * MIB, maxOpenFiles: 64 });
  });

  it('divides the block cache by the databases open at open time, with a 1 MiB floor', () => {
    const budget = { blockCacheBytes: 8 * MIB, writeBufferBytes: 2 * MIB, maxOpenFiles: 100 };
    const leases = Array.from({ length: 10 }, () => leaseDbMemory(budget));
    expect(leases.slice(0, 4).map((l) => l.cacheSize / MIB)).toEqual([8, 4, 8 / 3, 2].map((x) => Math.floor(x * MIB) / MIB));
    expect(leases[9]!.cacheSize).toBe(MIB);
    expect(leases[0]!.writeBufferSize).toBe(2 * MIB);
    expect(openDatabaseCount(budget)).toBe(10);
    for (const l of leases) l.release();
    leases[0]!.release();
    expect(openDatabaseCount(budget)).toBe(0);
  });

  it('counts every open database of a worker, window segments included, and returns the share on close', async () => {
    const context = fakeContext();
    const kv = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), Serdes.String(), Serdes.String()).build();
    const win = Stores.windowStoreBuilder(Stores.persistentWindowStore('win', 600_000, 1_000, false), Serdes.String(), Serdes.String()).build();
    await kv.init(context);
    await win.init(context);
    await win.put('a', '1', 0);
    await win.put('a', '2', 400_000);
    expect(openDatabaseCount(context.rocksdb)).toBe(3);
    await win.close();
    await kv.close();
    expect(openDatabaseCount(context.rocksdb)).toBe(0);
  });
});
