// Restoration reads a changelog in many fetches with the next fetch in flight while a batch is written:
// every record arrives once, in offset order, across compaction gaps, a fetch that finds nothing yet
// (an open transaction), and records past the end offset; progress says so.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Logger } from '@sluice/common';
import type { ChangelogRecord, StateStore } from '@sluice/state';
import type { RawRecord } from '@sluice/core';
import type { FetchedBatch } from '../src/ports.js';
import type { ProducerChannel } from '../src/record-collector.js';
import { TaskStateManager, type RestoreProgress } from '../src/state/task-state-manager.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function changelog(offsets: number[]): RawRecord[] {
  return offsets.map((offset) => ({ topic: 'app-s-changelog', partition: 0, offset, timestamp: offset * 10, key: Buffer.from(`k${offset}`), value: Buffer.from(`v${offset}`), headers: undefined as never }));
}

describe('TaskStateManager.restore', () => {
  it('restores every record once and in order over many fetches, stalls and gaps', async () => {
    // offsets 0..29 with compaction gaps; the end offset is 40 (later records are past it)
    const log = changelog([0, 1, 2, 5, 6, 9, 10, 11, 12, 13, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 41, 42]);
    const fetches: number[] = [];
    let stalled = false;
    const reader = {
      endOffsets: async () => new Map([['app-s-changelog:0', 40]]),
      beginningOffsets: async () => new Map([['app-s-changelog:0', 0]]),
      fetch: async (_topic: string, _partition: number, offset: number): Promise<FetchedBatch> => {
        fetches.push(offset);
        await new Promise((r) => setTimeout(r, 1));
        if (offset === 22 && !stalled) {
          stalled = true;
          return { topic: 'app-s-changelog', partition: 0, records: [], nextOffset: 22, highWatermark: 43 };
        }
        const records = log.filter((r) => r.offset >= offset).slice(0, 4);
        const last = records.at(-1);
        return { topic: 'app-s-changelog', partition: 0, records, nextOffset: last ? last.offset + 1 : offset, highWatermark: 43 };
      },
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-restore-'));
    dirs.push(dir);
    const progress: RestoreProgress[] = [];
    const m = new TaskStateManager({
      applicationId: 'app',
      taskId: '0_0',
      partition: 0,
      taskDir: dir,
      changelogTopicOf: (store) => `app-${store}-changelog`,
      checkpoint: { read: async () => new Map(), write: async () => undefined, delete: async () => undefined },
      exactlyOnce: false,
      clock: systemClock,
      logger: quiet,
      cache: undefined,
      rocksdb: { blockCacheBytes: 1, writeBufferBytes: 1, maxOpenFiles: 1 },
      channel: () => undefined as unknown as ProducerChannel,
      streamTime: () => -1,
      recordTimestamp: () => -1,
      recordContext: () => undefined,
      onProgress: (p) => progress.push(p),
    });
    await m.prepare();
    const restored: ChangelogRecord[] = [];
    let writing = false;
    const store = { name: 's', persistent: true } as StateStore;
    m.context().register(store, async (batch) => {
      expect(writing).toBe(false); // batches are written one after another
      writing = true;
      await new Promise((r) => setTimeout(r, 2));
      restored.push(...batch);
      writing = false;
    });
    expect(await m.restore({ reader, heartbeat: async () => true })).toBe('done');
    expect(restored.map((r) => r.offset)).toEqual(log.filter((r) => r.offset < 40).map((r) => r.offset));
    expect(restored.map((r) => r.value?.toString())).toEqual(log.filter((r) => r.offset < 40).map((r) => `v${r.offset}`));
    expect(stalled).toBe(true);
    expect(new Set(fetches).size).toBe(fetches.length - 1); // only the stalled offset is fetched twice
    expect(progress.at(-1)).toMatchObject({ store: 's', done: true, total: 40 });
  });
});
