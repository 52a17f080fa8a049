// The @kafkats/flow worker: the scenarios' topologies in flow's DSL, loaded from bench/.peers (see
// bench/adapters/kafkats-flow.ts). Types below describe only the part of flow's API used here, so
// the repository type-checks without the package installed.
import { Kafka, logLevel } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { emit, fail, firstInputReporter, onShutdown, readRunSpec } from './worker-protocol.js';

interface Codec<T> {
  encode(v: T): Buffer;
  decode(b: Buffer): T;
}
interface KStream<K, V> {
  peek(fn: (k: K | null, v: V | null) => void): KStream<K, V>;
  filter(fn: (k: K | null, v: V | null) => boolean): KStream<K, V>;
  mapValues<V2>(fn: (v: V | null) => V2 | null): KStream<K, V2>;
  flatMapValues<V2>(fn: (v: V | null) => Iterable<V2>): KStream<K, V2>;
  selectKey<K2>(fn: (v: V | null, k: K | null) => K2): KStream<K2, V>;
  map<K2, V2>(fn: (k: K | null, v: V | null) => readonly [K2, V2]): KStream<K2, V2>;
  groupByKey(o?: { key?: Codec<K>; value?: Codec<V> }): KGroupedStream<K, V>;
  toTable(o?: { storeName?: string; key?: Codec<K>; value?: Codec<V> }): unknown;
  to(topic: string, o?: { key?: Codec<K>; value?: Codec<V> }): void;
}
interface KTable<K, V> {
  toStream(): KStream<K, V>;
}
interface Windowed<K> {
  key: K;
  window: { start: number; end: number };
}
interface KGroupedStream<K, _V> {
  count(o?: { storeName?: string }): KTable<K, number>;
  windowedBy(w: unknown): { count(o?: { storeName?: string }): KTable<Windowed<K>, number> };
}
interface FlowApp {
  stream<K, V>(topic: string, o: { key: Codec<K>; value: Codec<V>; offsetReset: 'earliest' }): KStream<K, V>;
  start(): Promise<void>;
  close(): Promise<void>;
}
interface KeyValueStore {
  put(k: unknown, v: unknown): Promise<void>;
}
interface StateStoreProvider {
  createKeyValueStore(name: string, o: unknown): KeyValueStore;
}
interface FlowModule {
  flow(config: Record<string, unknown>): FlowApp;
  string(): Codec<string>;
  inMemory(): StateStoreProvider;
  TimeWindows: { of(ms: number): unknown };
}

const spec = readRunSpec();
const dir = process.env['BENCH_FLOW_DIR'];
if (!dir) fail(new Error('BENCH_FLOW_DIR is not set (the flow adapter sets it after installing the package)'));
const pkg = join(dir, 'node_modules', '@kafkats', 'flow');
const F = (await import(pathToFileURL(join(pkg, 'dist', 'index.js')).href)) as FlowModule;
emit({ event: 'info', version: (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version });

const str = F.string();
const firstInput = firstInputReporter();

// S5: restoration writes into the inner store through put() before start() resolves; counting
// those puts gives the restore's start and size without reaching into flow's internals
let started = false;
let restorePuts = 0;
let restoreStartedAt = 0;
const memory = F.inMemory();
const stateStoreProvider = new Proxy(memory, {
  get(target, prop, receiver) {
    if (prop !== 'createKeyValueStore') return Reflect.get(target, prop, receiver) as unknown;
    return (name: string, o: unknown) => {
      const store = target.createKeyValueStore(name, o);
      const put = store.put.bind(store);
      store.put = (k, v) => {
        if (!started) {
          if (restorePuts++ === 0) {
            restoreStartedAt = Date.now();
            emit({ event: 'restore-start', at: restoreStartedAt });
          }
        }
        return put(k, v);
      };
      return store;
    };
  },
});

const app = F.flow({
  applicationId: spec.appId,
  client: { brokers: spec.brokers, clientId: spec.appId, logLevel: 'error' },
  numStreamThreads: 1,
  processingGuarantee: spec.guarantee === 'exactly_once_v2' ? 'exactly_once' : 'at_least_once',
  commitIntervalMs: spec.commitIntervalMs,
  runEach: { autoCommitIntervalMs: spec.commitIntervalMs },
  stateStoreProvider,
});

// flow commits a partition's offsets lazily: report how much input it really consumed
let consumed = 0;
setInterval(() => emit({ event: 'progress', consumed, at: Date.now() }), 1000).unref();
const input = app.stream<string, string>(spec.inputTopic, { key: str, value: str, offsetReset: 'earliest' }).peek(() => {
  if (consumed++ === 0) firstInput();
});
const output = spec.outputTopic ?? '';

switch (spec.scenario) {
  case 's1':
    input
      .filter((_k, v) => v !== null && v.charCodeAt(0) >= 48 && v.charCodeAt(0) < 56)
      .mapValues((v) => (v === null ? null : v.toUpperCase()))
      .to(output, { key: str, value: str });
    break;
  case 's2':
  case 's4': {
    // flow's groupBy re-keys in process; Kafka Streams' goes through a repartition topic, so the
    // same work is spelled out here: write the re-keyed words out, count them from the topic
    const repartition = `${spec.appId}-words-repartition`;
    await createTopic(repartition);
    input
      .flatMapValues((v) => (v === null ? [] : v.split(' ')))
      .selectKey((w) => w ?? '')
      .to(repartition, { key: str, value: str });
    app
      .stream<string, string>(repartition, { key: str, value: str, offsetReset: 'earliest' })
      .groupByKey({ key: str, value: str })
      .count({ storeName: 'word-counts' })
      .toStream()
      .mapValues((c) => String(c))
      .to(output, { key: str, value: str });
    break;
  }
  case 's3':
    input
      .groupByKey({ key: str, value: str })
      .windowedBy(F.TimeWindows.of(spec.windowSizeMs))
      .count({ storeName: 'window-counts' })
      .toStream()
      .map((wk, c): readonly [string, string] => [`${wk?.key ?? ''}@${wk?.window.start ?? 0}`, String(c)])
      .to(output, { key: str, value: str });
    break;
  case 's5':
    input.toTable({ storeName: 'restore-store', key: str, value: str });
    break;
}

async function createTopic(name: string): Promise<void> {
  const admin = new Kafka({ clientId: spec.appId, brokers: spec.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(name)) {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: spec.partitions, replicationFactor: 1 }] });
    }
  } finally {
    await admin.disconnect();
  }
}

onShutdown(() => app.close());
try {
  await app.start();
  started = true;
  if (restorePuts > 0) emit({ event: 'restore-end', at: Date.now(), records: restorePuts, startedAt: restoreStartedAt });
  emit({ event: 'state', state: 'RUNNING', at: Date.now() });
} catch (err) {
  fail(err);
}
