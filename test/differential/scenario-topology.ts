// Owns building a scenario's topology with Sluice's DSL: each step means what the same step means
// in java/.../ScenarioTopology.java (Kafka Streams' DSL). Add an operation to both files together.
import { BufferConfig, Consumed, GlobalKTable, Grouped, Suppressed, Joined, KeyValue, JoinWindows, KStream, KTable, Materialized, Named, Produced, Repartitioned, Stores, StreamJoined, StreamsBuilder, TableJoined, type Topology } from 'sluice';
import * as fn from './functions.js';
import type { SerdeName, Step } from './scenario.js';

type AnyStream = KStream<unknown, unknown>;
type AnyTable = KTable<unknown, unknown>;
type AnyGlobalTable = GlobalKTable<unknown, unknown>;
type Handle = AnyStream | AnyTable | AnyGlobalTable;

interface MaterializedSpec {
  readonly name?: string;
  readonly versioned?: { readonly historyRetentionMs: number; readonly segmentIntervalMs?: number };
  readonly storeType?: 'rocksdb' | 'in_memory';
  readonly caching?: boolean;
  readonly logging?: boolean;
  readonly key?: SerdeName;
  readonly value?: SerdeName;
}

/** What a step may carry besides op/as/from; every field is checked where it is used. */
type StepFields = Step & { [field: string]: unknown };

export class ScenarioTopology {
  private readonly builder = new StreamsBuilder();
  private readonly handles = new Map<string, Handle>();

  constructor(private readonly steps: readonly Step[]) {}

  build(): Topology {
    for (const step of this.steps) this.apply(step as StepFields);
    return this.builder.build();
  }

  /** The builder, for steps other files add (see README.md: adding an operation). */
  get streamsBuilder(): StreamsBuilder {
    return this.builder;
  }

  private apply(s: StepFields): void {
    switch (s.op) {
      case 'stream': {
        const topics = Array.isArray(s['topic']) ? (s['topic'] as string[]) : (s['topic'] as string);
        let c = Consumed.with(serde(s, 'key'), serde(s, 'value'));
        if (typeof s['name'] === 'string') c = c.withName(s['name']);
        return this.put(s, this.builder.stream(topics, c));
      }
      case 'table': {
        let c = Consumed.with(serde(s, 'key'), serde(s, 'value'));
        if (typeof s['name'] === 'string') c = c.withName(s['name']);
        return this.put(s, this.builder.table(s['topic'] as string, c, this.materialized(s['materialized'])));
      }
      case 'globalTable': {
        let c = Consumed.with(serde(s, 'key'), serde(s, 'value'));
        if (typeof s['name'] === 'string') c = c.withName(s['name']);
        return this.put(s, this.builder.globalTable(s['topic'] as string, c, this.materialized(s['materialized'])));
      }
      case 'toStream':
        return this.put(s, this.table(s, 'from').toStream(named(s)));
      case 'toTable':
        return this.put(s, this.stream(s, 'from').toTable(named(s), this.materialized(s['materialized'])));
      case 'to':
        return this.stream(s, 'from').to(s['topic'] as string, Produced.with(serde(s, 'key'), serde(s, 'value')) as Produced<NonNullable<unknown>, NonNullable<unknown>>);
      case 'selectKey':
        return this.put(s, this.stream(s, 'from').selectKey(fn.keySelector(s['fn'])));
      case 'map':
        return this.put(s, this.stream(s, 'from').map(fn.mapper(s['fn'])));
      case 'mapValues': {
        const from = this.handle(s, 'from');
        if (from instanceof KTable) return this.put(s, from.mapValues(fn.valueMapper(s['fn']), named(s), this.materialized(s['materialized'])));
        return this.put(s, this.stream(s, 'from').mapValues(fn.valueMapper(s['fn'])));
      }
      case 'filter': {
        const from = this.handle(s, 'from');
        if (from instanceof KTable) return this.put(s, from.filter(fn.predicate(s['fn']), named(s), this.materialized(s['materialized'])));
        return this.put(s, this.stream(s, 'from').filter(fn.predicate(s['fn'])));
      }
      case 'repartition': {
        let r = Repartitioned.with(serde(s, 'key'), serde(s, 'value'));
        if (typeof s['name'] === 'string') r = r.withName(s['name']);
        if (typeof s['partitions'] === 'number') r = r.withNumberOfPartitions(s['partitions']);
        return this.put(s, this.stream(s, 'from').repartition(r));
      }
      case 'count': {
        const source = this.handle(s, 'from');
        if (source instanceof KTable) {
          // a table regrouped: groupBy((k, v) => (selector(k, v), v)).count()
          const sel = fn.keySelector(s['groupBy']);
          const m = (this.materialized(s['materialized']) ?? Materialized.with<unknown, number>(serde(s, 'key'), fn.serde('long') as never)) as Materialized<unknown, number>;
          const grouped = source.groupBy((k, v) => KeyValue.pair(sel(k, v), v), Grouped.with(serde(s, 'key'), serde(s, 'value')));
          return this.put(s, grouped.count(m) as unknown as AnyTable);
        }
        const from = this.stream(s, 'from');
        const m = (this.materialized(s['materialized']) ?? Materialized.with<unknown, number>(serde(s, 'key'), fn.serde('long') as never)) as Materialized<unknown, number>;
        const grouped = Grouped.with(serde(s, 'key'), serde(s, 'value'));
        const g = s['groupBy'] !== undefined ? from.groupBy(fn.keySelector(s['groupBy']), grouped) : from.groupByKey(grouped);
        return this.put(s, g.count(m) as unknown as AnyTable);
      }
      case 'suppress':
        return this.put(s, this.table(s, 'from').suppress(Suppressed.untilTimeLimit(s['untilTimeLimitMs'] as number, BufferConfig.unbounded())));
      case 'join':
      case 'leftJoin':
      case 'outerJoin':
        return this.put(s, this.join(s.op, s));
      default:
        throw new Error(`unknown step op ${JSON.stringify(s.op)} in ${JSON.stringify(s)}`);
    }
  }

  private join(op: 'join' | 'leftJoin' | 'outerJoin', s: StepFields): AnyStream | AnyTable {
    const left = this.handle(s, 'left');
    const right = this.handle(s, 'right');
    const joiner = fn.joiner(s['joiner']);
    if (left instanceof KStream && right instanceof GlobalKTable) {
      // a stream with a global table: the key selector picks the table key
      const ks = fn.keySelector(s['keySelector']);
      if (op === 'outerJoin') throw new Error(`step ${JSON.stringify(s)}: a stream and a global table have no outerJoin`);
      return (op === 'join' ? left.join(right, ks, joiner, named(s)) : left.leftJoin(right, ks, joiner, named(s))) as unknown as AnyStream;
    }
    if (left instanceof KTable && right instanceof KTable && s['foreignKey'] !== undefined) {
      // foreign-key join: the extractor reads the value (Kafka's Function<V, KO>); joiners see no key
      const extract = fn.keySelector(s['foreignKey']);
      const options = [...(typeof s['name'] === 'string' ? [TableJoined.as<unknown, unknown>(s['name'])] : []), ...(s['materialized'] !== undefined ? [this.materialized<unknown>(s['materialized'])!] : [])];
      const fkJoiner = (a: unknown, b: unknown) => joiner(a, b, null);
      if (op === 'outerJoin') throw new Error(`step ${JSON.stringify(s)}: a foreign-key join has no outerJoin`);
      return (op === 'join' ? left.join(right, (v: unknown) => extract(null, v), fkJoiner, ...options) : left.leftJoin(right, (v: unknown) => extract(null, v), fkJoiner, ...options)) as unknown as AnyTable;
    }
    if (left instanceof KStream && right instanceof KStream) {
      const w = windows(s['windows'] as WindowsSpec);
      const sj = streamJoined(s['streamJoined'] as StreamJoinedSpec | undefined, w);
      const joined = op === 'join' ? left.join(right, joiner, w, sj) : op === 'leftJoin' ? left.leftJoin(right, joiner, w, sj) : left.outerJoin(right, joiner, w, sj);
      return joined as unknown as AnyStream;
    }
    if (left instanceof KStream && right instanceof KTable) {
      const j = joinedOptions(s['joined'] as JoinedSpec | undefined);
      if (op === 'outerJoin') throw new Error(`step ${JSON.stringify(s)}: a stream and a table have no outerJoin`);
      return (op === 'join' ? left.join(right, joiner, j) : left.leftJoin(right, joiner, j)) as unknown as AnyStream;
    }
    if (left instanceof KTable && right instanceof KTable) {
      // Kafka's table-table joiners see no key: scenarios use key-less joiners here
      const mat = this.materialized<unknown>(s['materialized']);
      const n = named(s);
      const joined = op === 'join' ? left.join(right, joiner, n, mat) : op === 'leftJoin' ? left.leftJoin(right, joiner, n, mat) : left.outerJoin(right, joiner, n, mat);
      return joined as unknown as AnyTable;
    }
    throw new Error(`step ${JSON.stringify(s)}: a ${op} of these handles is not supported by the harness`);
  }

  private materialized<V>(spec: unknown): Materialized<unknown, V> | undefined {
    if (spec === undefined) return undefined;
    const m = spec as MaterializedSpec;
    let out: Materialized<unknown, V>;
    if (m.versioned !== undefined) out = Materialized.as<unknown, V>(Stores.persistentVersionedKeyValueStore(m.name!, m.versioned.historyRetentionMs, m.versioned.segmentIntervalMs));
    else out = m.name !== undefined ? Materialized.as<unknown, V>(m.name) : Materialized.with<unknown, V>(undefined, undefined);
    if (m.key !== undefined) out = out.withKeySerde(fn.serde(m.key));
    if (m.value !== undefined) out = out.withValueSerde(fn.serde(m.value) as never);
    if (m.storeType !== undefined) out = out.withStoreType(m.storeType);
    if (m.caching !== undefined) out = m.caching ? out.withCachingEnabled() : out.withCachingDisabled();
    if (m.logging === false) out = out.withLoggingDisabled();
    return out;
  }

  private put(s: Step, handle: Handle): void {
    if (s.as !== undefined) this.handles.set(s.as, handle);
  }

  private handle(s: StepFields, field: string): Handle {
    const h = this.handles.get(s[field] as string);
    if (!h) throw new Error(`step ${JSON.stringify(s)}: no handle named ${JSON.stringify(s[field])}`);
    return h;
  }

  private stream(s: StepFields, field: string): AnyStream {
    const h = this.handle(s, field);
    if (!(h instanceof KStream)) throw new Error(`step ${JSON.stringify(s)}: '${String(s[field])}' is not a stream`);
    return h;
  }

  private table(s: StepFields, field: string): AnyTable {
    const h = this.handle(s, field);
    if (!(h instanceof KTable)) throw new Error(`step ${JSON.stringify(s)}: '${String(s[field])}' is not a table`);
    return h;
  }
}

interface WindowsSpec {
  readonly timeDifferenceMs: number;
  readonly graceMs?: number;
  readonly beforeMs?: number;
  readonly afterMs?: number;
}

function windows(w: WindowsSpec): JoinWindows {
  let out = w.graceMs !== undefined ? JoinWindows.ofTimeDifferenceAndGrace(w.timeDifferenceMs, w.graceMs) : JoinWindows.ofTimeDifferenceWithNoGrace(w.timeDifferenceMs);
  if (w.beforeMs !== undefined) out = out.before(w.beforeMs);
  if (w.afterMs !== undefined) out = out.after(w.afterMs);
  return out;
}

interface StoreSpec {
  readonly name: string;
  readonly type?: 'rocksdb' | 'in_memory';
}

interface StreamJoinedSpec {
  readonly name?: string;
  readonly storeName?: string;
  readonly logging?: boolean;
  readonly key?: SerdeName;
  readonly value?: SerdeName;
  readonly otherValue?: SerdeName;
  readonly thisStore?: StoreSpec;
  readonly otherStore?: StoreSpec;
}

function streamJoined(j: StreamJoinedSpec | undefined, w: JoinWindows): StreamJoined<unknown, unknown, unknown> {
  let out = StreamJoined.with(fn.serde(j?.key), fn.serde(j?.value), fn.serde(j?.otherValue));
  if (j === undefined) return out;
  const supplier = (st: StoreSpec) =>
    st.type === 'in_memory' ? Stores.inMemoryWindowStore(st.name, w.size() + w.gracePeriodMs(), w.size(), true) : Stores.persistentWindowStore(st.name, w.size() + w.gracePeriodMs(), w.size(), true);
  if (j.name !== undefined) out = out.withName(j.name);
  if (j.storeName !== undefined) out = out.withStoreName(j.storeName);
  if (j.logging === false) out = out.withLoggingDisabled();
  if (j.thisStore !== undefined) out = out.withThisStoreSupplier(supplier(j.thisStore));
  if (j.otherStore !== undefined) out = out.withOtherStoreSupplier(supplier(j.otherStore));
  return out;
}

interface JoinedSpec {
  readonly name?: string;
  readonly graceMs?: number;
  readonly key?: SerdeName;
  readonly value?: SerdeName;
  readonly otherValue?: SerdeName;
}

function joinedOptions(j: JoinedSpec | undefined): Joined<unknown, unknown, unknown> {
  let out = Joined.with(fn.serde(j?.key), fn.serde(j?.value), fn.serde(j?.otherValue));
  if (j?.name !== undefined) out = out.withName(j.name);
  if (j?.graceMs !== undefined) out = out.withGracePeriod(j.graceMs);
  return out;
}

function serde(s: StepFields, which: string): ReturnType<typeof fn.serde> {
  return fn.serde(s[which] as SerdeName | undefined);
}

function named(s: StepFields): Named | undefined {
  return typeof s['name'] === 'string' ? Named.as(s['name']) : undefined;
}
