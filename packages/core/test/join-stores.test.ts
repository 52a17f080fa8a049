// Unit tests of the stores joins keep besides window stores: the grace buffer of a stream-table join
// (time order, too-late records refused, changelog and restoration, headers kept) and the byte
// layout of the outer-join store (time first, right before left, Kafka's list format).
import { describe, expect, it } from 'vitest';
import { ManualClock, noopLogger } from '@sluice/common';
import { Serdes } from '@sluice/serdes';
import type { ChangelogRecord, KeyValueStore, RestoreCallback, StateStoreContext } from '@sluice/state';
import { Headers } from '../src/index.js';
import { StreamTableJoinBufferBuilder, type BufferedRecord } from '../src/dsl/joins/stream-table-buffer.js';
import { outerJoinStoreBuilder } from '../src/dsl/joins/outer-join-store.js';
import { Stores } from '@sluice/state';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function context(taskDir = '/nonexistent') {
  const logged: ChangelogRecord[] = [];
  let restore: RestoreCallback | undefined;
  const ctx: StateStoreContext = {
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    taskDir,
    clock: new ManualClock(0),
    logger: noopLogger,
    cache: undefined,
    rocksdb: { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20, maxOpenFiles: 16 },
    register: (_store, r) => {
      restore = r;
    },
    logChange: (_name, key, value, timestamp) => logged.push({ key, value, timestamp, offset: logged.length }),
    streamTime: () => -1,
  };
  return { ctx, logged, restore: () => restore! };
}

const S = Serdes.String();
const rec = (key: string, value: string, timestamp: number, h?: string): BufferedRecord<string, string> => ({ key, value, timestamp, headers: h ? new Headers().add('h', h) : new Headers() });

async function evictAll(buffer: { evict(cb: (r: BufferedRecord<string, string>) => void): Promise<void> }): Promise<string[]> {
  const out: string[] = [];
  await buffer.evict((r) => {
    out.push(`${r.key}=${r.value}@${r.timestamp}${r.headers.lastHeader('h') ? `#${r.headers.lastHeader('h')!.value!.toString()}` : ''}`);
  });
  return out;
}

describe('stream-table join grace buffer', () => {
  it('holds records until stream time is the grace period past them, then hands them out in time order', async () => {
    const { ctx } = context();
    const buffer = new StreamTableJoinBufferBuilder<string, string>('b', 10, S, S).build();
    await buffer.init(ctx);
    expect(buffer.put(rec('b', 'x', 5))).toBe(true);
    expect(buffer.put(rec('a', 'y', 3))).toBe(true);
    expect(await evictAll(buffer)).toEqual([]);
    expect(buffer.put(rec('c', 'z', 14))).toBe(true);
    expect(await evictAll(buffer)).toEqual(['a=y@3']);
    expect(buffer.put(rec('d', 'late', 3))).toBe(false); // older than stream time (14) - grace (10)
    expect(buffer.put(rec('e', 'w', 30))).toBe(true);
    expect(await evictAll(buffer)).toEqual(['b=x@5', 'c=z@14']);
    expect(buffer.numRecords()).toBe(1);
  });

  it('logs puts and evictions, and a new buffer restored from that log holds the same records with their headers', async () => {
    const { ctx, logged } = context();
    const buffer = new StreamTableJoinBufferBuilder<string, string>('b', 10, S, S).build();
    await buffer.init(ctx);
    buffer.put(rec('k', 'one', 1, 'first'));
    buffer.put(rec('k', 'two', 2, 'second'));
    buffer.put(rec('j', 'three', 12));
    await evictAll(buffer); // evicts k@1 and k@2
    expect(logged.map((l) => l.value === null)).toEqual([false, false, false, true, true]);
    const target = context();
    const restored = new StreamTableJoinBufferBuilder<string, string>('b', 10, S, S).build();
    await restored.init(target.ctx);
    const withEvictionsUndone = logged.slice(0, 3);
    await target.restore()(withEvictionsUndone);
    expect(restored.numRecords()).toBe(3);
    expect(restored.put(rec('x', 'too-late', 1))).toBe(false); // observed stream time restored (12)
    expect(await evictAll(restored)).toEqual(['k=one@1#first', 'k=two@2#second']);
    const again = new StreamTableJoinBufferBuilder<string, string>('b', 10, S, S).build();
    const third = context();
    await again.init(third.ctx);
    await third.restore()(logged);
    expect(again.numRecords()).toBe(1);
  });
});

describe('outer-join store', () => {
  it('orders entries by time, right side before left, and keeps each key and time as a list (Kafka\'s layout)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outer-store-'));
    try {
      const { ctx, logged } = context(dir);
      const { store, defaultsAware } = outerJoinStoreBuilder({
        name: 'outer',
        supplier: Stores.inMemoryKeyValueStore('outer'),
        keySerde: S,
        leftValueSerde: S,
        rightValueSerde: Serdes.Long() as never,
        logging: true,
        logConfig: {},
      });
      defaultsAware.bindDefaults({ defaultKeySerde: undefined, defaultValueSerde: undefined });
      store.bindDefaults({ defaultKeySerde: undefined, defaultValueSerde: undefined });
      const s = store.build() as unknown as KeyValueStore<{ key: string; timestamp: number; leftSide: boolean }, { left: unknown; right: unknown }[]>;
      await s.init(ctx);
      await s.put({ key: 'b', timestamp: 5, leftSide: true }, [{ left: 'l1', right: null }, { left: 'l2', right: null }]);
      await s.put({ key: 'a', timestamp: 5, leftSide: false }, [{ left: null, right: 7 }]);
      await s.put({ key: 'z', timestamp: 1, leftSide: true }, [{ left: 'early', right: null }]);
      const all: string[] = [];
      for await (const kv of s.all()) all.push(`${kv.key.timestamp}/${kv.key.leftSide ? 'L' : 'R'}/${kv.key.key}=${JSON.stringify(kv.value)}`);
      expect(all).toEqual(['1/L/z=[{"left":"early","right":null}]', '5/R/a=[{"left":null,"right":7}]', '5/L/b=[{"left":"l1","right":null},{"left":"l2","right":null}]']);
      // <ts int64><1 = left><key>, and ListSerde: flag 1, count, then length + <1 = left><value> per entry
      expect(logged[0]!.key.toString('hex')).toBe('0000000000000005' + '01' + Buffer.from('b').toString('hex'));
      expect(logged[0]!.value!.toString('hex')).toBe('01' + '00000002' + '00000003' + '01' + Buffer.from('l1').toString('hex') + '00000003' + '01' + Buffer.from('l2').toString('hex'));
      await s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
