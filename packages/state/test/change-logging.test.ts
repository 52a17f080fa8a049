// The change-logging layer: every write that reaches the bytes store is sent to context.logChange in
// the documented changelog format (key-value, timestamped, window with seqnums, session).
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, SessionWindow, Windowed } from '@sluice/serdes';
import { Stores, type StateStore } from '@sluice/state';
import { fakeContext, s } from './helpers/fake-context.js';

const open: StateStore[] = [];
afterEach(async () => {
  for (const st of open.splice(0)) if (st.isOpen()) await st.close();
});

async function init<T extends StateStore>(store: T, context = fakeContext()): Promise<{ store: T; context: ReturnType<typeof fakeContext> }> {
  await store.init(context);
  open.push(store);
  return { store, context };
}

function int64(n: number): string {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64BE(BigInt(n));
  return buf.toString('hex');
}

function int32(n: number): string {
  const buf = Buffer.alloc(4);
  buf.writeInt32BE(n);
  return buf.toString('hex');
}

describe('change-logging layer', () => {
  it('logs puts, batch puts and deletes of key-value stores with the clock time', async () => {
    const { store, context } = await init(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.String()).build());
    await store.put('a', '1');
    context.clock.advance(10);
    await store.putAll([
      { key: 'b', value: '2' },
      { key: 'a', value: null },
    ]);
    await store.delete('b');
    expect(context.logged.map((l) => [l.store, s(l.key), l.value === null ? null : s(l.value), l.timestamp])).toEqual([
      ['kv', 'a', '1', 1_000],
      ['kv', 'b', '2', 1_010],
      ['kv', 'a', null, 1_010],
      ['kv', 'b', null, 1_010],
    ]);
  });

  it('stamps writes without a timestamp with the current record, else stream time, else the clock', async () => {
    let record: number | undefined = 17;
    const withRecord = await init(
      Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.String()).build(),
      fakeContext({ streamTime: () => 40, recordTimestamp: () => record ?? -1 }),
    );
    await withRecord.store.put('a', '1');
    record = undefined;
    await withRecord.store.delete('a');
    const withStreamTime = await init(Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('ts'), Serdes.String(), Serdes.String()).build(), fakeContext({ streamTime: () => 40 }));
    await withStreamTime.store.put('a', { value: 'v', timestamp: 5 });
    await withStreamTime.store.put('a', null);
    expect(withRecord.context.logged.map((l) => l.timestamp)).toEqual([17, 40]);
    expect(withStreamTime.context.logged.map((l) => l.timestamp)).toEqual([5, 40]);
  });

  it('logs nothing when logging is disabled', async () => {
    const { store, context } = await init(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.String()).withLoggingDisabled().build());
    await store.put('a', '1');
    await store.delete('a');
    expect(context.logged).toEqual([]);
  });

  it('logs the plain value of timestamped stores, carrying the value timestamp as the record timestamp', async () => {
    const { store, context } = await init(Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('ts'), Serdes.String(), Serdes.String()).build());
    await store.put('a', { value: 'v', timestamp: 42 });
    await store.put('a', null);
    expect(context.logged.map((l) => [s(l.key), l.value === null ? null : s(l.value), l.timestamp])).toEqual([
      ['a', 'v', 42],
      ['a', null, 1_000],
    ]);
  });

  it('logs window writes under <key><windowStart int64><seqnum int32>, and not the ones dropped as expired', async () => {
    const { store, context } = await init(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('win', 120_000, 1_000, false), Serdes.String(), Serdes.String()).build());
    await store.put('a', 'x', 5_000);
    await store.put('a', null, 5_000);
    await store.put('a', 'y', 600_000);
    await store.put('a', 'late', 1_000);
    expect(context.logged.map((l) => [l.key.toString('hex'), l.value === null ? null : s(l.value)])).toEqual([
      [Buffer.from('a').toString('hex') + int64(5_000) + int32(0), 'x'],
      [Buffer.from('a').toString('hex') + int64(5_000) + int32(0), null],
      [Buffer.from('a').toString('hex') + int64(600_000) + int32(0), 'y'],
    ]);
  });

  it('logs each retained duplicate under its own seqnum', async () => {
    const { store, context } = await init(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('join', 60_000, 1_000, true), Serdes.String(), Serdes.String()).build());
    await store.put('a', '1', 0);
    await store.put('a', '2', 0);
    await store.put('a', null, 0);
    await store.put('a', '3', 0);
    expect(context.logged.map((l) => l.key.subarray(-4).readInt32BE(0))).toEqual([1, 2, 3]);
  });

  it('logs timestamped windows without the timestamp prefix', async () => {
    const { store, context } = await init(Stores.timestampedWindowStoreBuilder(Stores.inMemoryWindowStore('tw', 60_000, 1_000, false), Serdes.String(), Serdes.String()).build());
    await store.put('a', { value: 'v', timestamp: 7 }, 0);
    expect(context.logged.map((l) => [s(l.value!), l.timestamp])).toEqual([['v', 7]]);
  });

  it('logs sessions under <key><end int64><start int64>', async () => {
    const { store, context } = await init(Stores.sessionStoreBuilder(Stores.inMemorySessionStore('sess', 60_000), Serdes.String(), Serdes.String()).build());
    await store.put(new Windowed('k', new SessionWindow(10, 20)), 'agg');
    await store.remove(new Windowed('k', new SessionWindow(10, 20)));
    expect(context.logged.map((l) => [l.key.toString('hex'), l.value === null ? null : s(l.value)])).toEqual([
      [Buffer.from('k').toString('hex') + int64(20) + int64(10), 'agg'],
      [Buffer.from('k').toString('hex') + int64(20) + int64(10), null],
    ]);
  });

  it('logs the same bytes the window key serde of the serdes package writes, plus the seqnum', async () => {
    const { store, context } = await init(Stores.sessionStoreBuilder(Stores.inMemorySessionStore('sess', 60_000), Serdes.String(), Serdes.String()).build());
    const key = new Windowed('k', new SessionWindow(10, 20));
    await store.put(key, 'agg');
    const { WindowedSerdes } = await import('@sluice/serdes');
    expect(context.logged[0]!.key).toEqual(WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String()).serialize('t', key));
  });
});
