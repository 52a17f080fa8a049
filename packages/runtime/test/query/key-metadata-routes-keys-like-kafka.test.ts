// queryMetadataForKey puts a key on the partition Kafka's default partitioner picks for its bytes
// (murmur2; the expected partitions follow from Kafka's own murmur2 test vectors) and names the
// workers hosting it; the fleet metadata lists every worker with its stores and partitions.
import { describe, expect, it } from 'vitest';
import { HostInfo, KeyQueryMetadata } from '../../src/query/index.js';
import { QueryHarness, S } from './query-harness.js';

const owner = (endpoint: string | undefined) => ({ processId: `p-${endpoint ?? 'none'}`, endpoint });

function fleet(): QueryHarness {
  const h = new QueryHarness('w1:7070');
  h.queries.onTopics({
    sourceTopics: new Map([
      [0, ['views']],
      [1, ['clicks']],
    ]),
    partitionCounts: new Map([
      ['views', 4],
      ['clicks', 2],
    ]),
  });
  h.queries.onAssignment({
    activeOwners: new Map([
      ['0_0', owner('w1:7070')],
      ['0_1', owner('w2:7070')],
      ['0_2', owner('w2:7070')],
      ['0_3', owner('w3:7070')],
      ['1_0', owner('w3:7070')],
      ['1_1', owner('w1:7070')],
    ]),
    standbyOwners: new Map([['0_2', [owner('w1:7070'), owner('w3:7070')]]]),
    clients: [owner('w1:7070'), owner('w2:7070'), owner('w3:7070'), owner('w4:7070'), owner(undefined)],
  });
  return h;
}

describe('key and fleet metadata', () => {
  it("finds a key's partition as Kafka's default partitioner does, and its active and standby hosts", () => {
    const h = fleet();
    // Kafka's UtilsTest vectors: murmur2("21") = -973932308, ("foobar") = -790332482, ("abc") = 479470107;
    // toPositive(h) % 4 = 0, 2, 3
    const where = (key: string) => {
      const m = h.queries.queryMetadataForKey('counts', key, S);
      return [m.partition, m.activeHost.toString(), m.standbyHosts.map(String)];
    };
    expect(where('21')).toEqual([0, 'w1:7070', []]);
    expect(where('foobar')).toEqual([2, 'w2:7070', ['w1:7070', 'w3:7070']]);
    expect(where('abc')).toEqual([3, 'w3:7070', []]);
    // the window store's sub-topology reads 'clicks' (2 partitions): 1357151166 % 2 = 0
    expect(h.queries.queryMetadataForKey('per-minute', 'foobar', S).activeHost.toString()).toBe('w3:7070');
  });

  it('takes a partitioner instead of a serde, and refuses a partition that does not exist', () => {
    const h = fleet();
    expect(h.queries.queryMetadataForKey('counts', 'anything', (_t, _k, _v, n) => n - 1).partition).toBe(3);
    expect(() => h.queries.queryMetadataForKey('counts', 'x', () => 9)).toThrow(/the partitioner gave 9 for a key of store 'counts', but its source topic 'views' has partitions 0..3/);
    expect(() => h.queries.queryMetadataForKey('counts', 'x', {} as never)).toThrow(/needs the store's key serde/);
    expect(() => h.queries.queryMetadataForKey('nope', 'x', S)).toThrow(/no store named 'nope'/);
  });

  it('is NOT_AVAILABLE until the first assignment arrives', () => {
    const h = new QueryHarness();
    h.queries.onTopics({ sourceTopics: new Map([[0, ['views']]]), partitionCounts: new Map([['views', 4]]) });
    expect(h.queries.queryMetadataForKey('counts', 'a', S)).toBe(KeyQueryMetadata.NOT_AVAILABLE);
    expect(KeyQueryMetadata.NOT_AVAILABLE.activeHost).toEqual(HostInfo.unavailable());
  });

  it('lists every worker with an endpoint, what it hosts, and which hold a store', () => {
    const h = fleet();
    const all = h.queries.metadataForAllStreamsClients();
    expect(all.map((m) => [m.host, m.port, [...m.stateStoreNames].sort(), m.topicPartitions.map((tp) => `${tp.topic}-${tp.partition}`), [...m.standbyStateStoreNames]])).toEqual([
      ['w1', 7070, ['counts', 'latest', 'per-minute', 'visits'], ['clicks-1', 'views-0'], ['counts', 'latest']],
      ['w2', 7070, ['counts', 'latest'], ['views-1', 'views-2'], []],
      ['w3', 7070, ['counts', 'latest', 'per-minute', 'visits'], ['clicks-0', 'views-3'], ['counts', 'latest']],
      ['w4', 7070, [], [], []],
    ]);
    expect(h.queries.streamsMetadataForStore('per-minute').map((m) => m.hostInfo.toString())).toEqual(['w1:7070', 'w3:7070']);
    expect(h.queries.queryableStores().map((s) => [s.name, s.kind, s.keySerde.name, s.partitions])).toEqual([
      ['counts', 'keyValue', 'String', 4],
      ['latest', 'timestampedKeyValue', 'String', 4],
      ['per-minute', 'window', 'String', 2],
      ['visits', 'session', 'String', 2],
    ]);
  });

  it('parses and refuses applicationServer endpoints', () => {
    expect(HostInfo.buildFromEndpoint('[::1]:8080')).toEqual(new HostInfo('::1', 8080));
    expect(HostInfo.buildFromEndpoint('[::1]:8080')!.toString()).toBe('[::1]:8080');
    expect(HostInfo.buildFromEndpoint(undefined)).toBeUndefined();
    expect(() => HostInfo.buildFromEndpoint('worker-1')).toThrow(/applicationServer must be 'host:port' .* the port is missing/);
    expect(() => HostInfo.buildFromEndpoint('worker-1:99999')).toThrow(/port must be between 1 and 65535/);
    expect(() => new QueryHarness('http://w1:80')).toThrow(/applicationServer must be 'host:port'/);
  });

  it('reports store lags: processing tasks are caught up, restoring ones are behind by their changelog position', async () => {
    const h = fleet();
    const done = await h.addTask(0, 0);
    const restoring = await h.addTask(0, 1);
    restoring.restored = false;
    restoring.offsets.set('q-app-counts-changelog:1', 40);
    done.offsets.set('q-app-counts-changelog:0', 90);
    h.endOffsets.set('q-app-counts-changelog', [
      { partition: 0, low: 0, high: 100 },
      { partition: 1, low: 0, high: 100 },
    ]);
    h.endOffsets.set('q-app-latest-changelog', [
      { partition: 0, low: 0, high: 7 },
      { partition: 1, low: 0, high: 0 },
    ]);
    const lags = await h.queries.allLocalStorePartitionLags();
    const show = (store: string) => [...lags.get(store)!].map(([p, l]) => [p, l.currentOffsetPosition, l.endOffsetPosition, l.offsetLag]);
    expect(show('counts')).toEqual([
      [0, 100, 100, 0],
      [1, 40, 100, 60],
    ]);
    expect(show('latest')).toEqual([
      [0, 7, 7, 0],
      [1, 0, 0, 0],
    ]);
    expect(h.queries.metadataForLocalThreads()).toEqual([
      { threadName: 'q-app-1-StreamThread-1', threadState: 'RUNNING', consumerClientId: 'q-app-1', activeTasks: [
        { taskId: '0_0', topicPartitions: [{ topic: 'views', partition: 0 }] },
        { taskId: '0_1', topicPartitions: [{ topic: 'views', partition: 1 }] },
      ], standbyTasks: [] },
    ]);
  });
});
