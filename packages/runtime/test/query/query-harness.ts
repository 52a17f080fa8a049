// A KafkaStreams stand-in for query API tests: a Processor API topology with a key-value, a
// timestamped key-value, a window and a session store (in memory), one task per partition holding
// real store instances, and the lifecycle state and task list the query API reads.
import { ManualClock, noopLogger } from '@sluice/common';
import { Topology } from '@sluice/core';
import { Serdes, Windowed, SessionWindow } from '@sluice/serdes';
import { Stores, type StateStore, type StateStoreContext } from '@sluice/state';
import { InteractiveQueries, type RuntimeTask } from '../../src/query/interactive-queries.js';
import type { StreamsState } from '../../src/state-machine.js';

export const S = Serdes.String();
export const L = Serdes.Long();

/** Sub-topology 0 reads 'views' and holds 'counts' (kv), 'latest' (timestamped kv); 1 reads 'clicks' and holds 'per-minute', 'visits'. */
export function queryTopology(): Topology {
  return new Topology()
    .addSource('views-src', 'views', { keySerde: S, valueSerde: S })
    .addProcessor(
      'count',
      {
        get: () => ({ process: () => undefined }),
        stores: () => [
          Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), S, L),
          Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('latest'), S, S),
        ],
      },
      'views-src',
    )
    .addSource('clicks-src', 'clicks', { keySerde: S, valueSerde: S })
    .addProcessor(
      'window',
      {
        get: () => ({ process: () => undefined }),
        stores: () => [
          Stores.windowStoreBuilder(Stores.inMemoryWindowStore('per-minute', 3_600_000, 60_000, false), S, L),
          Stores.sessionStoreBuilder(Stores.inMemorySessionStore('visits', 3_600_000), S, L),
        ],
      },
      'clicks-src',
    );
}

function context(taskId: string, partition: number): StateStoreContext {
  return {
    applicationId: 'q-app',
    taskId,
    partition,
    taskDir: '/nonexistent',
    clock: new ManualClock(0),
    logger: noopLogger,
    cache: undefined,
    rocksdb: { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20, maxOpenFiles: 16 },
    register: () => undefined,
    logChange: () => undefined,
    streamTime: () => 0,
  };
}

export interface HarnessTask extends RuntimeTask {
  restored: boolean;
  offsets: Map<string, number>;
}

export class QueryHarness {
  state: StreamsState = 'RUNNING';
  readonly topology = queryTopology();
  readonly tasks: HarnessTask[] = [];
  readonly queries: InteractiveQueries;
  endOffsets = new Map<string, { partition: number; low: number; high: number }[]>();

  constructor(applicationServer: string | undefined = 'w1:7070') {
    this.queries = new InteractiveQueries({
      topology: this.topology,
      applicationId: 'q-app',
      applicationServer,
      clientId: 'q-app-1',
      state: () => this.state,
      activeTasks: () => this.tasks,
      admin: () => ({ topicOffsets: async (topic: string) => this.endOffsets.get(topic) ?? [] }) as never,
    });
  }

  /** A local task of sub-topology `sub` for `partition`, its stores built and open. */
  async addTask(sub: number, partition: number): Promise<HarnessTask> {
    const id = `${sub}_${partition}`;
    const names = this.topology.subtopologies()[sub]!.stores;
    const stores = new Map<string, StateStore>();
    for (const name of names) {
      const store = this.topology.stores.get(name)!.builder.build();
      await store.init(context(id, partition));
      stores.set(name, store);
    }
    const offsets = new Map<string, number>();
    const t: HarnessTask = {
      id,
      restored: true,
      offsets,
      inputs: [{ topic: sub === 0 ? 'views' : 'clicks', partition }],
      task: { partition, stores },
      state: {
        changelogPartitions: () => names.map((n) => ({ topic: `q-app-${n}-changelog`, partition })),
        changelogOffsets: () => offsets,
      },
    };
    this.tasks.push(t);
    return t;
  }

  store<T extends StateStore>(taskId: string, name: string): T {
    return this.tasks.find((t) => t.id === taskId)!.task.stores.get(name) as T;
  }
}

export { Windowed, SessionWindow };
