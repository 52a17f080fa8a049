// Owns KStream, the DSL handle of a record stream. Every method validates its arguments, names a
// node, writes it into the topology and returns a new handle; nothing runs until the topology does.
// A key-changing operation marks the stream so a later stateful operation repartitions it first.
import type { Serde } from '@sluice/serdes';
import type { ProcessorSupplier, TopicNameExtractor } from '../processor/api.js';
import type { InternalStreamsBuilder, NodeInternals } from './internal-builder.js';
import type { KeyValueLike } from './key-value.js';
import { Named, type Produced, type Repartitioned } from './options.js';
import {
  FilterProcessor,
  FlatMapProcessor,
  FlatMapValuesProcessor,
  ForeachProcessor,
  MapProcessor,
  MapValuesProcessor,
  PassThroughProcessor,
  PeekProcessor,
  SelectKeyProcessor,
} from './operators/stateless.js';
import { BranchedKStream } from './branched-kstream.js';
import { addRepartition } from './repartition.js';
import { splitArgs } from './args.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { materializedTable, type KTable } from './ktable.js';
import { keyValueStoreFor, resolveMaterialized, type Materialized } from './materialized.js';
import { TableSourceSupplier } from './ktable/table-processors.js';
import type { Grouped } from './options.js';
import { fixedKeySupplier, type FixedKeyProcessorSupplier } from '../processor/fixed-key.js';
import { Printed, PrintProcessor } from './printed.js';
import type { GlobalKTable } from './global/global-ktable.js';
import { joinGlobalTable } from './global/stream-global-join.js';

export const Prefix = {
  SOURCE: 'KSTREAM-SOURCE-',
  SINK: 'KSTREAM-SINK-',
  FILTER: 'KSTREAM-FILTER-',
  MAP: 'KSTREAM-MAP-',
  MAPVALUES: 'KSTREAM-MAPVALUES-',
  FLATMAP: 'KSTREAM-FLATMAP-',
  FLATMAPVALUES: 'KSTREAM-FLATMAPVALUES-',
  KEY_SELECT: 'KSTREAM-KEY-SELECT-',
  PEEK: 'KSTREAM-PEEK-',
  FOREACH: 'KSTREAM-FOREACH-',
  MERGE: 'KSTREAM-MERGE-',
  BRANCH: 'KSTREAM-BRANCH-',
  REPARTITION: 'KSTREAM-REPARTITION-',
  PROCESSOR: 'KSTREAM-PROCESSOR-',
  PROCESSVALUES: 'KSTREAM-PROCESSVALUES-',
  PRINTER: 'KSTREAM-PRINTER-',
  TOTABLE: 'KSTREAM-TOTABLE-',
} as const;

export interface KStreamInternals<K, V> extends NodeInternals<K, V> {
  /** True after a key-changing operation: the next stateful operation repartitions first. */
  readonly repartitionRequired: boolean;
}

function checkFn(builder: InternalStreamsBuilder, op: string, fn: unknown, name: string): boolean {
  if (typeof fn === 'function') return true;
  builder.problem(`${op}() needs a function, got ${fn === null ? 'null' : typeof fn}`, name);
  return false;
}

export class KStream<K, V> {
  /** @internal */
  constructor(readonly internals: KStreamInternals<K, V>) {}

  private get b(): InternalStreamsBuilder {
    return this.internals.builder;
  }

  private nameOf(named: Named | undefined, prefix: string): string {
    return named?.name ?? this.b.newProcessorName(prefix);
  }

  /** Adds one processor below this stream and returns the handle for its output. */
  private addProcessor<KR, VR>(
    name: string,
    supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    next: { keySerde: Serde<KR> | undefined; valueSerde: Serde<VR> | undefined; repartitionRequired: boolean },
    stores: readonly string[] = [],
  ): KStream<KR, VR> {
    const parent = this.internals.nodeName;
    this.b.add(name, [parent], (t) => {
      t.addProcessor(name, supplier, parent);
      if (stores.length > 0) t.connectProcessorAndStateStores(name, ...stores);
    });
    return new KStream<KR, VR>({ builder: this.b, nodeName: name, ...next });
  }

  private same(): { keySerde: Serde<K> | undefined; valueSerde: Serde<V> | undefined; repartitionRequired: boolean } {
    return { keySerde: this.internals.keySerde, valueSerde: this.internals.valueSerde, repartitionRequired: this.internals.repartitionRequired };
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const name = this.nameOf(named, Prefix.FILTER);
    checkFn(this.b, 'filter', predicate, name);
    return this.addProcessor(name, () => new FilterProcessor(predicate, false), this.same());
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const name = this.nameOf(named, Prefix.FILTER);
    checkFn(this.b, 'filterNot', predicate, name);
    return this.addProcessor(name, () => new FilterProcessor(predicate, true), this.same());
  }

  /** New key and value; marks the stream for repartitioning before a stateful operation. */
  map<KR, VR>(mapper: (key: K, value: V) => KeyValueLike<KR, VR>, named?: Named): KStream<KR, VR> {
    const name = this.nameOf(named, Prefix.MAP);
    checkFn(this.b, 'map', mapper, name);
    return this.addProcessor<KR, VR>(name, () => new MapProcessor(mapper), { keySerde: undefined, valueSerde: undefined, repartitionRequired: true });
  }

  /** New value from the value (and, optionally, the read-only key); keeps partitioning. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, named?: Named): KStream<K, VR> {
    const name = this.nameOf(named, Prefix.MAPVALUES);
    checkFn(this.b, 'mapValues', mapper, name);
    return this.addProcessor<K, VR>(name, () => new MapValuesProcessor(mapper), {
      keySerde: this.internals.keySerde,
      valueSerde: undefined,
      repartitionRequired: this.internals.repartitionRequired,
    });
  }

  selectKey<KR>(selector: (key: K, value: V) => KR, named?: Named): KStream<KR, V> {
    const name = this.nameOf(named, Prefix.KEY_SELECT);
    checkFn(this.b, 'selectKey', selector, name);
    return this.addProcessor<KR, V>(name, () => new SelectKeyProcessor(selector), {
      keySerde: undefined,
      valueSerde: this.internals.valueSerde,
      repartitionRequired: true,
    });
  }

  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValueLike<KR, VR>>, named?: Named): KStream<KR, VR> {
    const name = this.nameOf(named, Prefix.FLATMAP);
    checkFn(this.b, 'flatMap', mapper, name);
    return this.addProcessor<KR, VR>(name, () => new FlatMapProcessor(mapper), { keySerde: undefined, valueSerde: undefined, repartitionRequired: true });
  }

  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, named?: Named): KStream<K, VR> {
    const name = this.nameOf(named, Prefix.FLATMAPVALUES);
    checkFn(this.b, 'flatMapValues', mapper, name);
    return this.addProcessor<K, VR>(name, () => new FlatMapValuesProcessor(mapper), {
      keySerde: this.internals.keySerde,
      valueSerde: undefined,
      repartitionRequired: this.internals.repartitionRequired,
    });
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    const name = this.nameOf(named, Prefix.PEEK);
    checkFn(this.b, 'peek', action, name);
    return this.addProcessor(name, () => new PeekProcessor(action), this.same());
  }

  /** Terminal: runs `action` for every record. */
  foreach(action: (key: K, value: V) => void | Promise<void>, named?: Named): void {
    const name = this.nameOf(named, Prefix.FOREACH);
    checkFn(this.b, 'foreach', action, name);
    this.addProcessor(name, () => new ForeachProcessor(action), this.same());
  }

  /** Records of both streams, in no particular order across the two. */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = this.nameOf(named, Prefix.MERGE);
    if (!(other instanceof KStream) || other.internals.builder !== this.b) {
      this.b.problem(`merge() needs a KStream built by the same StreamsBuilder (node '${name}')`, name);
      return new KStream({ builder: this.b, nodeName: name, ...this.same() });
    }
    const parents = [this.internals.nodeName, other.internals.nodeName];
    this.b.add(name, parents, (t) => t.addProcessor(name, () => new PassThroughProcessor(), ...parents));
    const sameSerde = <T>(a: Serde<T> | undefined, b: Serde<T> | undefined) => (a === b ? a : undefined);
    return new KStream<K, V>({
      builder: this.b,
      nodeName: name,
      keySerde: sameSerde(this.internals.keySerde, other.internals.keySerde),
      valueSerde: sameSerde(this.internals.valueSerde, other.internals.valueSerde),
      repartitionRequired: this.internals.repartitionRequired || other.internals.repartitionRequired,
    });
  }

  /** Route records into branches: `.split().branch(p1, Branched.as('a')).defaultBranch()`. */
  split(named?: Named): BranchedKStream<K, V> {
    const name = this.nameOf(named, Prefix.BRANCH);
    return new BranchedKStream<K, V>(this, name);
  }

  /** Write to a topic, or to the topic a function picks per record. */
  /** Null keys and values are written as null (tombstones), so the serdes are for the non-null types. */
  to(topic: string | TopicNameExtractor<K, V>, produced?: Produced<NonNullable<K>, NonNullable<V>>): void {
    const name = produced?.name ?? this.b.newProcessorName(Prefix.SINK);
    const parent = this.internals.nodeName;
    if (topic === undefined || topic === null || (typeof topic === 'string' && topic.length === 0)) {
      this.b.problem(`to() of '${parent}' has no topic: sink '${name}' would write to nothing; give a topic name or a function (key, value, context) => topic`, name);
      return;
    }
    this.b.add(name, [parent], (t) =>
      t.addSink(
        name,
        topic as string | TopicNameExtractor<unknown, unknown>,
        {
          keySerde: (produced?.keySerde ?? this.internals.keySerde) as Serde<unknown> | undefined,
          valueSerde: (produced?.valueSerde ?? this.internals.valueSerde) as Serde<unknown> | undefined,
          partitioner: produced?.partitioner as never,
        },
        parent,
      ),
    );
  }

  /** Write through an internal topic `<applicationId>-<name>-repartition` and read it back. */
  repartition(repartitioned?: Repartitioned<K, V>): KStream<K, V> {
    const name = repartitioned?.name ?? this.b.newProcessorName(Prefix.REPARTITION);
    if (repartitioned?.numberOfPartitions !== undefined && (!Number.isInteger(repartitioned.numberOfPartitions) || repartitioned.numberOfPartitions < 1)) {
      this.b.problem(`repartition '${name}': numberOfPartitions must be a positive integer, got ${repartitioned.numberOfPartitions}`, name);
    }
    const keySerde = repartitioned?.keySerde ?? this.internals.keySerde;
    const valueSerde = repartitioned?.valueSerde ?? this.internals.valueSerde;
    const sourceName = addRepartition(this.b, {
      parent: this.internals.nodeName,
      topicPrefix: name,
      keySerde,
      valueSerde,
      numberOfPartitions: repartitioned?.numberOfPartitions,
      partitioner: repartitioned?.partitioner,
    });
    return new KStream<K, V>({ builder: this.b, nodeName: sourceName, keySerde, valueSerde, repartitionRequired: false });
  }

  /**
   * Run a Processor API processor on each record; it may use the named stores (added to the builder
   * with addStateStore, or returned by the supplier's stores()).
   */
  process<KOut, VOut>(supplier: ProcessorSupplier<K, V, KOut, VOut>, ...storeNames: (string | Named)[]): KStream<KOut, VOut> {
    const named = storeNames.find((s): s is Named => s instanceof Named);
    const stores = storeNames.filter((s): s is string => typeof s === 'string');
    const name = this.nameOf(named, Prefix.PROCESSOR);
    if (supplier === undefined || supplier === null || (typeof supplier !== 'function' && typeof supplier.get !== 'function')) {
      this.b.problem(`process() needs a processor supplier: a function returning a new Processor, or an object with get() (node '${name}')`, name);
    }
    return this.addProcessor<KOut, VOut>(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, { keySerde: undefined, valueSerde: undefined, repartitionRequired: true }, stores);
  }

  /**
   * Run a fixed-key processor on each record: it may change values, timestamps and headers but not
   * the key, so no repartition follows (Kafka Streams' processValues).
   */
  processValues<VOut>(supplier: FixedKeyProcessorSupplier<K, V, VOut>, ...storeNames: (string | Named)[]): KStream<K, VOut> {
    const named = storeNames.find((s): s is Named => s instanceof Named);
    const stores = storeNames.filter((s): s is string => typeof s === 'string');
    const name = this.nameOf(named, Prefix.PROCESSVALUES);
    if (supplier === undefined || supplier === null || (typeof supplier !== 'function' && typeof supplier.get !== 'function')) {
      this.b.problem(`processValues() needs a fixed-key processor supplier: a function returning a new FixedKeyProcessor, or an object with get() (node '${name}')`, name);
    }
    return this.addProcessor<K, VOut>(name, fixedKeySupplier(supplier), { keySerde: this.internals.keySerde, valueSerde: undefined, repartitionRequired: this.internals.repartitionRequired }, stores);
  }

  /** Terminal: print each record as "[label]: key, value" to standard output or a file. */
  print(printed: Printed<K, V>): void {
    if (!(printed instanceof Printed)) {
      this.b.problem(`print() needs a Printed (Printed.toSysOut() or Printed.toFile(path)), got ${String(printed)}`);
      return;
    }
    const name = printed.processorName ?? this.b.newProcessorName(Prefix.PRINTER);
    if (printed.processorName !== undefined) this.b.newProcessorName(Prefix.PRINTER);
    const label = printed.label ?? this.internals.nodeName;
    this.addProcessor(name, () => new PrintProcessor(printed, label), this.same());
  }

  /**
   * Join each record with the row of a GlobalKTable whose key `keySelector` picks (Kafka Streams'
   * KStream-GlobalKTable join): records without a match are dropped, and table updates produce
   * nothing. The joiner gets the stream value, the table value and the read-only key.
   */
  join<KG, VG, VR>(table: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG | null | undefined, joiner: (value: V, globalValue: VG, key: K) => VR, named?: Named): KStream<K, VR> {
    return joinGlobalTable(this, table, keySelector, joiner as (value: V, globalValue: VG | null, key: K) => VR, named, false);
  }

  /** As join(), and records without a match join with null. */
  leftJoin<KG, VG, VR>(table: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG | null | undefined, joiner: (value: V, globalValue: VG | null, key: K) => VR, named?: Named): KStream<K, VR> {
    return joinGlobalTable(this, table, keySelector, joiner, named, true);
  }

  /** Group by the current key for an aggregation (repartitions first if the key changed upstream). */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>({
      builder: this.b,
      nodeName: this.internals.nodeName,
      keySerde: grouped?.keySerde ?? this.internals.keySerde,
      valueSerde: grouped?.valueSerde ?? this.internals.valueSerde,
      repartitionRequired: this.internals.repartitionRequired,
      repartitionName: grouped?.name,
    });
  }

  /** Group by a new key; the aggregation reads the records back from a repartition topic. */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped?: Grouped<KR, V>): KGroupedStream<KR, V> {
    const name = grouped?.name ?? this.b.newProcessorName(Prefix.KEY_SELECT);
    checkFn(this.b, 'groupBy', selector, name);
    const selected = this.addProcessor<KR, V>(name, () => new SelectKeyProcessor(selector), { keySerde: undefined, valueSerde: this.internals.valueSerde, repartitionRequired: true });
    return new KGroupedStream<KR, V>({
      builder: this.b,
      nodeName: selected.internals.nodeName,
      keySerde: grouped?.keySerde,
      valueSerde: grouped?.valueSerde ?? this.internals.valueSerde,
      repartitionRequired: true,
      repartitionName: grouped?.name,
    });
  }

  /** Read this stream as a changelog: the latest value per key (null values delete). */
  toTable(materialized: Materialized<K, V>): KTable<K, V>;
  toTable(named?: Named, materialized?: Materialized<K, V>): KTable<K, V>;
  toTable(a?: Named | Materialized<K, V>, b?: Materialized<K, V>): KTable<K, V> {
    const { named, materialized } = splitArgs(a, b);
    const name = named?.name ?? this.b.newProcessorName(Prefix.TOTABLE);
    const mat = resolveMaterialized(this.b, materialized, Prefix.TOTABLE, { keySerde: this.internals.keySerde, valueSerde: this.internals.valueSerde });
    let parent = this.internals.nodeName;
    if (this.internals.repartitionRequired) {
      parent = addRepartition(this.b, { parent, topicPrefix: name, keySerde: mat.keySerde, valueSerde: mat.valueSerde, numberOfPartitions: undefined, partitioner: undefined });
    }
    const store = keyValueStoreFor(mat, `toTable '${name}'`);
    const from = parent;
    const supplier = new TableSourceSupplier<K, V>(mat.storeName, mat.queryable ? mat.storeName : undefined, () =>
      this.b.add(`${name}#store`, [name], (t) => {
        t.addStateStore(store, name);
        t.registerDefaultsAware(store);
      }),
    );
    this.b.add(name, [from], (t) => {
      t.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, from);
      if (mat.queryable) {
        t.addStateStore(store, name);
        t.registerDefaultsAware(store);
      }
    });
    return materializedTable(this.b, name, supplier, mat);
  }
}
