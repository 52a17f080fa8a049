// The Stores factory: supplier fields, builder defaults (caching off, logging on), changelog topic
// configs per store kind, and argument validation with messages that say what to change.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sluice/common';
import { Serdes, type Serde } from '@sluice/serdes';
import { Stores, changelogTopicName, type StoreType } from '@sluice/state';

const DAY = 86_400_000;

describe('Stores', () => {
  it('makes suppliers of each kind with Kafka’s segment interval', () => {
    expect(Stores.persistentKeyValueStore('a')).toMatchObject({ name: 'a', type: 'rocksdb' });
    expect(Stores.levelKeyValueStore('a')).toMatchObject({ type: 'level' });
    expect(Stores.inMemoryKeyValueStore('a')).toMatchObject({ type: 'in_memory' });
    expect(Stores.persistentWindowStore('w', 3_600_000, 60_000, false)).toMatchObject({ type: 'rocksdb', retentionMs: 3_600_000, windowSizeMs: 60_000, retainDuplicates: false, segmentIntervalMs: 1_800_000 });
    expect(Stores.inMemoryWindowStore('w', 10_000, 1_000, true).segmentIntervalMs).toBe(60_000);
    expect(Stores.levelSessionStore('s', 7_200_000)).toMatchObject({ type: 'level', retentionMs: 7_200_000, segmentIntervalMs: 3_600_000 });
    expect(Stores.persistentSessionStore('s', 1).type).toBe('rocksdb');
    expect(Stores.inMemorySessionStore('s', 1).type).toBe('in_memory');
    for (const type of ['rocksdb', 'level', 'in_memory'] as const) {
      expect(Stores.keyValueStoreSupplier('k', type).get().persistent).toBe(type !== 'in_memory');
      expect(Stores.windowStoreSupplier('w', type, 10, 10, false).get().persistent).toBe(type !== 'in_memory');
      expect(Stores.sessionStoreSupplier('s', type, 10).get().persistent).toBe(type !== 'in_memory');
    }
  });

  it('builds with caching disabled and logging enabled by default', () => {
    const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.String());
    expect(builder.name).toBe('kv');
    expect(builder.cachingEnabled).toBe(false);
    expect(builder.loggingEnabled).toBe(true);
    expect(builder.withCachingEnabled().cachingEnabled).toBe(true);
    expect(builder.withCachingDisabled().cachingEnabled).toBe(false);
    expect(builder.withLoggingDisabled().loggingEnabled).toBe(false);
    expect(builder.build().name).toBe('kv');
  });

  it('configures changelog topics per store kind, merged with the user’s config', () => {
    const kv = Stores.timestampedKeyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), Serdes.String(), Serdes.String());
    expect(kv.changelogConfig()).toEqual({ 'cleanup.policy': 'compact' });
    kv.withLoggingEnabled({ 'min.insync.replicas': '2' });
    expect(kv.logConfig).toEqual({ 'min.insync.replicas': '2' });
    expect(kv.changelogConfig()).toEqual({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2' });

    const win = Stores.windowStoreBuilder(Stores.persistentWindowStore('w', 3_600_000, 60_000, false), Serdes.String(), Serdes.String());
    expect(win.changelogConfig()).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(3_600_000 + DAY) });
    win.withLoggingEnabled({ 'retention.ms': '5' });
    expect(win.changelogConfig()['retention.ms']).toBe('5');

    const sess = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 1_000), Serdes.String(), Serdes.String());
    expect(sess.changelogConfig()).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(1_000 + DAY) });
    const tw = Stores.timestampedWindowStoreBuilder(Stores.inMemoryWindowStore('tw', 1_000, 10, false), Serdes.String(), Serdes.String());
    expect(tw.changelogConfig()['cleanup.policy']).toBe('compact,delete');
  });

  it('never caches window stores that retain duplicates', () => {
    const builder = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('join', 1_000, 10, true), Serdes.String(), Serdes.String()).withCachingEnabled();
    expect(builder.cachingEnabled).toBe(false);
    expect(builder.build().setFlushListener(() => undefined, false)).toBe(false);
  });

  it('names changelog topics <applicationId>-<store>-changelog', () => {
    expect(changelogTopicName('shop', 'counts')).toBe('shop-counts-changelog');
  });

  it.each([
    ['a negative retention', () => Stores.persistentWindowStore('w', -1, 0, false), /retention period of store 'w' must be a non-negative integer/],
    ['a window larger than the retention', () => Stores.inMemoryWindowStore('w', 1_000, 5_000, false), /retention period \(1000 ms\) must be at least the window size \(5000 ms\)/],
    ['a fractional window size', () => Stores.levelWindowStore('w', 1_000, 1.5, false), /window size of store 'w'/],
    ['a negative session retention', () => Stores.inMemorySessionStore('s', -5), /retention period of store 's'/],
    ['a name that cannot be part of a topic name', () => Stores.persistentKeyValueStore('my store'), /store name "my store" is invalid/],
    ['an empty name', () => Stores.inMemoryKeyValueStore(''), /is invalid/],
    ['an unknown store type', () => Stores.keyValueStoreSupplier('k', 'redis' as StoreType), /unknown store type "redis"; use one of 'rocksdb', 'level', 'in_memory'/],
    ['a missing supplier', () => Stores.keyValueStoreBuilder(undefined as never, Serdes.String(), Serdes.String()), /needs a store supplier/],
    ['a missing serde', () => Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 1), Serdes.String(), undefined as unknown as Serde<string>), /store 's' needs a value serde/],
  ])('rejects %s with a ConfigError that says what to change', (_case, make, message) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });
});
