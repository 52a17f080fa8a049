// Owns KStream.join/leftJoin(KTable, …) (Kafka Streams' KStreamImpl.doStreamTableJoin and
// KStreamKTableJoinProcessor): each stream record is joined with the table's current value for its
// key — or, for a versioned table, the value as of the record's time — and table updates never
// trigger output. With Joined.withGracePeriod, records wait in a buffer and are joined in time
// order once stream time has passed them by the grace period.
import type { Processor, ProcessorContext, ProcessorSupplier, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';
import { valueGetterOf, type TableValueGetter, type TableValueGetterSupplier } from '../ktable/value-getter.js';
import { repartitionForJoin } from './join-repartition.js';
import { Joined } from './joined.js';
import { StreamTableJoinBufferBuilder, type StreamTableJoinBuffer } from './stream-table-buffer.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

const JOIN = 'KSTREAM-JOIN-';
const LEFTJOIN = 'KSTREAM-LEFTJOIN-';

export function streamTableJoin<K, V, VO, VR>(
  op: 'join' | 'leftJoin',
  stream: KStream<K, V>,
  table: KTable<K, VO>,
  joiner: ValueJoinerWithKey<K, V, VO | null, VR>,
  joined: Joined<K, V, VO> | undefined,
): KStream<K, VR> {
  const b = stream.internals.builder;
  const leftJoin = op === 'leftJoin';
  const j = joined ?? Joined.with<K, V, VO>(undefined, undefined, undefined);
  const fail = (message: string): KStream<K, VR> => {
    const name = b.nameOrGenerate(j.name, leftJoin ? LEFTJOIN : JOIN);
    b.problem(message, name);
    return new KStream<K, VR>({ builder: b, nodeName: name, keySerde: undefined, valueSerde: undefined, repartitionRequired: false });
  };
  if (table.internals.builder !== b) return fail(`${op}() needs a KStream or KTable built by the same StreamsBuilder (joining '${stream.internals.nodeName}')`);
  if (typeof joiner !== 'function') return fail(`${op}() of '${stream.internals.nodeName}' needs a joiner function (value, tableValue, key) => result`);
  if (!(j instanceof Joined)) return fail(`${op}() of a stream and a table takes Joined as its options, for example Joined.with(keySerde, valueSerde, tableValueSerde)`);

  const source = repartitionForJoin(stream, j.name ?? stream.internals.nodeName, j.keySerde, j.valueSerde);
  b.copartition([source.internals.nodeName, table.internals.nodeName]);
  const name = b.nameOrGenerate(j.name, leftJoin ? LEFTJOIN : JOIN);
  const view = valueGetterOf<K, VO>(b, table.internals.supplier, table.internals.nodeName, `${op}() of '${stream.internals.nodeName}'`, name);
  if (view === undefined) return new KStream<K, VR>({ builder: b, nodeName: name, keySerde: undefined, valueSerde: undefined, repartitionRequired: false });
  const bufferName = j.gracePeriodMs !== undefined ? `${name}-Buffer` : undefined;
  if (j.gracePeriodMs !== undefined) {
    const problem = checkGrace(b, view as TableValueGetterSupplier<unknown, unknown>, j.gracePeriodMs);
    if (problem !== undefined) b.problem(`${op}() '${name}': ${problem}`, name);
  }
  const supplier = new StreamTableJoinSupplier<K, V, VO, VR>(view, joiner, leftJoin, bufferName);
  const parent = source.internals.nodeName;
  b.add(name, [parent, table.internals.nodeName], (t) => {
    t.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent);
    // the buffer comes with the processor (Kafka's ConnectedStoreProvider), before the table's stores
    if (bufferName !== undefined) {
      const buffer = new StreamTableJoinBufferBuilder(bufferName, j.gracePeriodMs!, j.keySerde ?? source.internals.keySerde, j.valueSerde ?? source.internals.valueSerde);
      t.addStateStore(buffer, name);
      t.registerDefaultsAware(buffer);
    }
    t.connectProcessorAndStateStores(name, ...view.storeNames());
  });
  return new KStream<K, VR>({ builder: b, nodeName: name, keySerde: j.keySerde ?? stream.internals.keySerde, valueSerde: undefined, repartitionRequired: false });
}

/** Kafka's checks: a grace period needs every store the join reads to be versioned, with at least that much history. */
function checkGrace(b: InternalStreamsBuilder, view: TableValueGetterSupplier<unknown, unknown>, graceMs: number): string | undefined {
  for (const storeName of view.storeNames()) {
    const history = (b.topology.stores.get(storeName)?.builder as { historyRetentionMs?: number } | undefined)?.historyRetentionMs;
    if (history === undefined) {
      return `the table must be versioned to use a grace period in a stream-table join: materialize it with Materialized.as(Stores.persistentVersionedKeyValueStore('${storeName}', historyRetentionMs))`;
    }
    if (graceMs > history) return `the history retention of store '${storeName}' (${history} ms) must be at least the grace period (${graceMs} ms)`;
  }
  return undefined;
}

class StreamTableJoinSupplier<K, V, VO, VR> implements ProcessorSupplierObject<K, V, K, VR> {
  constructor(
    private readonly view: TableValueGetterSupplier<K, VO>,
    private readonly joiner: ValueJoinerWithKey<K, V, VO | null, VR>,
    private readonly leftJoin: boolean,
    private readonly bufferName: string | undefined,
  ) {}

  get(): Processor<K, V, K, VR> {
    return new StreamTableJoinProcessor(this.view.get(), this.joiner, this.leftJoin, this.bufferName);
  }
}

class StreamTableJoinProcessor<K, V, VO, VR> implements Processor<K, V, K, VR> {
  private ctx!: ProcessorContext<K, VR>;
  private buffer: StreamTableJoinBuffer<K, V> | undefined;

  constructor(
    private readonly table: TableValueGetter<K, VO>,
    private readonly joiner: ValueJoinerWithKey<K, V, VO | null, VR>,
    private readonly leftJoin: boolean,
    private readonly bufferName: string | undefined,
  ) {}

  init(ctx: ProcessorContext<K, VR>): void | Promise<void> {
    this.ctx = ctx;
    if (this.bufferName !== undefined) this.buffer = ctx.getStateStore<StreamTableJoinBuffer<K, V>>(this.bufferName);
    return this.table.init(ctx as ProcessorContext<unknown, unknown>);
  }

  close(): void | Promise<void> {
    return this.table.close?.();
  }

  async process(record: Record<K, V>): Promise<void> {
    const noKey = record.key === null || record.key === undefined;
    const noValue = record.value === null || record.value === undefined;
    // a left join still joins a record without a key (with no table value); nothing joins a null value
    if ((noKey && !(this.leftJoin && !noValue)) || noValue) {
      internalContext(this.ctx).droppedRecord('null join key or value (a stream-table join skips such records)');
      return;
    }
    if (this.buffer === undefined || noKey || !this.buffer.put({ key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers })) {
      return this.join(record);
    }
    await this.buffer.evict((r) => this.join(record.withKey(r.key).withValue(r.value).withTimestamp(r.timestamp).withHeaders(r.headers)));
  }

  private async join(record: Record<K, V>): Promise<void> {
    const key = record.key;
    let tableValue: VO | null = null;
    if (key !== null && key !== undefined) {
      const found = this.table.isVersioned() ? await this.table.getAsOf(key, record.timestamp) : await this.table.get(key);
      tableValue = found?.value ?? null;
    }
    if (!this.leftJoin && tableValue === null) return;
    await this.ctx.forward(record.withValue(this.joiner(record.value, tableValue, key)));
  }
}
