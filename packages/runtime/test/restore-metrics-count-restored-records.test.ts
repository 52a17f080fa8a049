// Restoring a store at the debug recording level: the task's restore-total counts the changelog
// records restored, the store's restore sensor times each batch written (in-memory-state scope), a
// standby's records count as update-total; at info level no store sensor exists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry, ThreadMetrics, systemClock, type Logger, type RecordingLevel } from '@sluice/common';
import { Serdes } from '@sluice/serdes';
import { Stores } from '@sluice/state';
import type { FetchedBatch } from '../src/ports.js';
import type { ProducerChannel } from '../src/record-collector.js';
import { TaskStateManager } from '../src/state/task-state-manager.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const TOPIC = 'app-counts-changelog';
const reader = {
  endOffsets: async () => new Map([[`${TOPIC}:0`, 25]]),
  beginningOffsets: async () => new Map([[`${TOPIC}:0`, 0]]),
  fetch: async (_topic: string, _partition: number, offset: number): Promise<FetchedBatch> => {
    const records = Array.from({ length: Math.min(10, 25 - offset) }, (_, i) => ({
      topic: TOPIC,
      partition: 0,
      offset: offset + i,
      timestamp: 1,
      key: Buffer.from(`k${offset + i}`),
      value: Buffer.from(`v${offset + i}`),
      headers: undefined as never,
    }));
    return { topic: TOPIC, partition: 0, records, nextOffset: offset + records.length, highWatermark: 25 };
  },
};

async function restoreWith(level: RecordingLevel, standby: boolean): Promise<MetricsRegistry> {
  const registry = new MetricsRegistry(level, () => Date.now());
  const metrics = new ThreadMetrics(registry, 'app-1-StreamThread-1').task('0_0', standby);
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-restore-metrics-'));
  dirs.push(dir);
  const state = new TaskStateManager({
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    taskDir: dir,
    changelogTopicOf: (store) => `app-${store}-changelog`,
    checkpoint: { read: async () => new Map(), write: async () => undefined, delete: async () => undefined },
    exactlyOnce: false,
    standby,
    clock: systemClock,
    logger: quiet,
    cache: undefined,
    rocksdb: { blockCacheBytes: 1, writeBufferBytes: 1, maxOpenFiles: 1 },
    channel: () => undefined as unknown as ProducerChannel,
    streamTime: () => -1,
    recordTimestamp: () => -1,
    recordContext: () => undefined,
    metrics,
  });
  await state.prepare();
  const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.String(), Serdes.String()).build();
  await store.init(state.context());
  expect(await state.restore({ reader, heartbeat: async () => true })).toBe('done');
  expect(await store.get('k24')).toBe('v24');
  await store.close();
  return registry;
}

function value(registry: MetricsRegistry, group: string, name: string): number | undefined {
  return registry.metrics().find((m) => m.group === group && m.name === name)?.value;
}

describe('restore metrics', () => {
  it('count restored records per task and time restored batches per store', async () => {
    const r = await restoreWith('debug', false);
    expect(value(r, 'stream-task-metrics', 'restore-total')).toBe(25);
    expect(value(r, 'stream-task-metrics', 'update-total')).toBeUndefined();
    const batches = r.metrics().find((m) => m.group === 'stream-state-metrics' && m.name === 'restore-total');
    expect(batches?.tags).toEqual({ 'thread-id': 'app-1-StreamThread-1', 'task-id': '0_0', 'in-memory-state-id': 'counts' });
    expect(batches?.value).toBe(3); // 10 + 10 + 5
    expect(value(r, 'stream-state-metrics', 'restore-latency-max')).toBeGreaterThan(0);
  });

  it('count a standby’s records as updates', async () => {
    const r = await restoreWith('debug', true);
    expect(value(r, 'stream-task-metrics', 'update-total')).toBe(25);
    expect(value(r, 'stream-task-metrics', 'restore-total')).toBeUndefined();
  });

  it('record nothing per store at the info level', async () => {
    const r = await restoreWith('info', false);
    expect(r.metrics().filter((m) => m.group === 'stream-state-metrics')).toEqual([]);
    expect(value(r, 'stream-task-metrics', 'restore-total')).toBeUndefined();
  });
});
