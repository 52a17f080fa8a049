// The global state manager against a fake topic (no broker): a global table is restored by copying
// its records, an addGlobalStore store by running its processor; a restart reads only what came after
// the checkpoint; a checkpoint whose offset left the log (compaction, retention) wipes the stores and
// restores them from the beginning; records fetched while running update the stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Logger } from '@sluice/common';
import { Consumed, Headers, Materialized, StreamsBuilder, failOnInvalidTimestamp, type EngineConfig, type RawRecord } from '@sluice/core';
import { Serdes } from '@sluice/serdes';
import { Stores, type KeyValueStore, type TimestampedKeyValueStore } from '@sluice/state';
import type { FetchedBatch, PartitionReader } from '../src/ports.js';
import { GlobalStateManager } from '../src/global/global-state-manager.js';

const S = Serdes.String();
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A one-partition topic whose log starts at `begin` (records before it compacted or deleted away). */
function topic(name: string) {
  const log: RawRecord[] = [];
  let begin = 0;
  const fetches: number[] = [];
  const reader: PartitionReader = {
    endOffsets: async () => new Map([[`${name}:0`, log.length]]),
    beginningOffsets: async () => new Map([[`${name}:0`, begin]]),
    fetch: async (_t, _p, offset): Promise<FetchedBatch> => {
      fetches.push(offset);
      const records = log.filter((r) => r.offset >= Math.max(offset, begin)).slice(0, 3);
      return { topic: name, partition: 0, records, nextOffset: records.length > 0 ? records.at(-1)!.offset + 1 : offset, highWatermark: log.length };
    },
  };
  return {
    reader,
    fetches,
    append(key: string, value: string | null) {
      const offset = log.length;
      log.push({ topic: name, partition: 0, offset, timestamp: 1_000 + offset, key: Buffer.from(key), value: value === null ? null : Buffer.from(value), headers: new Headers() });
    },
    truncateBefore(offset: number) {
      begin = offset;
    },
    batch(from: number): FetchedBatch {
      const records = log.filter((r) => r.offset >= from);
      return { topic: name, partition: 0, records, nextOffset: log.length, highWatermark: log.length };
    },
  };
}

const engine: EngineConfig = {
  applicationId: 'app',
  defaultKeySerde: undefined,
  defaultValueSerde: undefined,
  defaultTimestampExtractor: failOnInvalidTimestamp,
  deserializationExceptionHandler: 'logAndFail',
  processingExceptionHandler: 'logAndFail',
  appConfigs: {},
  clock: systemClock,
  logger: quiet,
};

function manager(build: (b: StreamsBuilder) => void, dir: string): GlobalStateManager {
  const b = new StreamsBuilder();
  build(b);
  b.stream('other', Consumed.with(S, S)).to('sink');
  return new GlobalStateManager({ topology: b.build(), engine, globalDir: dir, cache: undefined, rocksdb: { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20, maxOpenFiles: 16 }, logger: quiet });
}

async function contents(store: TimestampedKeyValueStore<string, string>): Promise<{ [k: string]: string }> {
  const out: { [k: string]: string } = {};
  for await (const kv of store.all()) out[kv.key] = kv.value.value;
  return out;
}

describe('GlobalStateManager', () => {
  it('restores a global table, restarts from its checkpoint, and wipes it when the checkpoint left the log', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-global-'));
    dirs.push(dir);
    const t = topic('customers');
    for (let i = 0; i < 7; i++) t.append(`c${i}`, `name-${i}`);
    t.append('c3', null);
    const parts = [{ topic: 'customers', partition: 0 }];
    const table = (b: StreamsBuilder) => b.globalTable('customers', Consumed.with(S, S), Materialized.as('customers-store'));

    const m1 = manager(table, dir);
    await m1.initialize(t.reader, parts);
    await m1.restore(t.reader, parts);
    const store1 = m1.store('customers-store') as TimestampedKeyValueStore<string, string>;
    expect(await contents(store1)).toEqual({ c0: 'name-0', c1: 'name-1', c2: 'name-2', c4: 'name-4', c5: 'name-5', c6: 'name-6' });
    expect(await store1.get('c1')).toEqual({ value: 'name-1', timestamp: 1_001 }); // the record's timestamp
    // running: what the poll loop fetches goes through the table's processor
    t.append('c9', 'name-9');
    await m1.update(t.batch(8));
    expect(m1.position(parts[0]!)).toBe(9);
    await m1.close(true);

    // restart: only the records after the checkpoint are read
    t.append('c1', 'renamed-1');
    const m2 = manager(table, dir);
    t.fetches.length = 0;
    await m2.initialize(t.reader, parts);
    await m2.restore(t.reader, parts);
    expect(t.fetches).toEqual([9]);
    expect(await contents(m2.store('customers-store') as TimestampedKeyValueStore<string, string>)).toMatchObject({ c1: 'renamed-1', c9: 'name-9' });
    await m2.close(true);

    // the log moved past the checkpoint (c0 was deleted in the part compacted away): start over
    t.append('c0', null);
    t.truncateBefore(11);
    t.append('c10', 'name-10');
    const m3 = manager(table, dir);
    await m3.initialize(t.reader, parts);
    await m3.restore(t.reader, parts);
    // nothing from before the wipe survives; only the live log is there
    expect(await contents(m3.store('customers-store') as TimestampedKeyValueStore<string, string>)).toEqual({ c10: 'name-10' });
    await m3.close(true);
  });

  it('restores an addGlobalStore store by running its processor again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-global-'));
    dirs.push(dir);
    const t = topic('rates');
    t.append('EUR', '1.08');
    t.append('GBP', '1.27');
    const parts = [{ topic: 'rates', partition: 0 }];
    const m = manager(
      (b) =>
        b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), S, S), 'rates', Consumed.with(S, S), () => {
          let store: KeyValueStore<string, string>;
          return {
            init(ctx) {
              store = ctx.getStateStore<KeyValueStore<string, string>>('rates');
            },
            process: (r) => store.put(r.key, `x${r.value}`),
          };
        }),
      dir,
    );
    await m.initialize(t.reader, parts);
    await m.restore(t.reader, parts);
    const store = m.store('rates') as KeyValueStore<string, string>;
    expect([await store.get('EUR'), await store.get('GBP')]).toEqual(['x1.08', 'x1.27']);
    await m.close(true);
  });
});
