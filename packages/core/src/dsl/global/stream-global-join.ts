// Owns KStream-GlobalKTable join and leftJoin (Kafka Streams' KStreamGlobalKTableJoin, processed by
// KStreamKTableJoinProcessor): each stream record looks up the global table under the key its
// KeyValueMapper picks; no repartition and no co-partitioning are needed, since every worker has
// the whole table. Table updates never produce output.
import type { Processor, ProcessorContext, ProcessorSupplier } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { KStream } from '../kstream.js';
import type { Named } from '../options.js';
import type { TableValueGetter, TableValueGetterSupplier } from '../ktable/value-getter.js';
import { GlobalKTable } from './global-ktable.js';

export const JoinPrefix = { JOIN: 'KSTREAM-JOIN-', LEFTJOIN: 'KSTREAM-LEFTJOIN-' } as const;

/** Joins a stream value with the table value found (null in a left join without a match); the key is read-only. */
export type GlobalValueJoiner<K, V, VG, VR> = (value: V, globalValue: VG, key: K) => VR;

class StreamGlobalJoinProcessor<K, V, KG, VG, VR> implements Processor<K, V, K, VR> {
  private ctx!: ProcessorContext<K, VR>;
  private readonly getter: TableValueGetter<KG, VG>;

  constructor(
    values: TableValueGetterSupplier<KG, VG>,
    private readonly keySelector: (key: K, value: V) => KG | null | undefined,
    private readonly joiner: GlobalValueJoiner<K, V, VG | null, VR>,
    private readonly leftJoin: boolean,
  ) {
    this.getter = values.get();
  }

  init(ctx: ProcessorContext<K, VR>): void | Promise<void> {
    this.ctx = ctx;
    return this.getter.init(ctx as ProcessorContext<unknown, unknown>);
  }

  async process(record: Record<K, V>): Promise<void> {
    const mapped = this.keySelector(record.key, record.value) ?? null;
    const keepNullKey = this.leftJoin && (record.key === null || record.key === undefined) && record.value !== null && record.value !== undefined;
    if (!keepNullKey && (mapped === null || record.value === null || record.value === undefined)) {
      // Kafka Streams: a null join key or value cannot join (null means "no record" to the joiner)
      internalContext(this.ctx).droppedRecord('null join key or value (KStream-GlobalKTable join)', 'warn');
      return;
    }
    const found = mapped === null ? undefined : await this.getter.get(mapped);
    if (!this.leftJoin && found === undefined) return;
    return this.ctx.forward(record.withValue(this.joiner(record.value, found?.value ?? null, record.key)));
  }

  close(): void | Promise<void> {
    return this.getter.close?.();
  }
}

/** KStream.join / leftJoin with a GlobalKTable: adds the join node and returns its stream. */
export function joinGlobalTable<K, V, KG, VG, VR>(
  stream: KStream<K, V>,
  table: GlobalKTable<KG, VG>,
  keySelector: (key: K, value: V) => KG | null | undefined,
  joiner: GlobalValueJoiner<K, V, VG | null, VR>,
  named: Named | undefined,
  leftJoin: boolean,
): KStream<K, VR> {
  const b = stream.internals.builder;
  const prefix = leftJoin ? JoinPrefix.LEFTJOIN : JoinPrefix.JOIN;
  const name = named?.name ?? b.newProcessorName(prefix);
  if (named?.name !== undefined) b.newProcessorName(prefix);
  const op = leftJoin ? 'leftJoin' : 'join';
  if (!(table instanceof GlobalKTable) || table.internals.builder !== b) b.problem(`${op}() of stream '${stream.internals.nodeName}' with a global table needs a GlobalKTable built by the same StreamsBuilder (node '${name}')`, name);
  else if (typeof keySelector !== 'function') b.problem(`${op}() with a GlobalKTable needs a key selector function (key, value) => table key (node '${name}')`, name);
  else if (typeof joiner !== 'function') b.problem(`${op}() with a GlobalKTable needs a joiner function (value, tableValue, key) => result (node '${name}')`, name);
  const parent = stream.internals.nodeName;
  if (table instanceof GlobalKTable) {
    const values = table.valueGetterSupplier();
    const supplier = () => new StreamGlobalJoinProcessor<K, V, KG, VG, VR>(values, keySelector, joiner, leftJoin);
    b.add(name, [parent], (t) => t.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, parent));
  }
  // no repartition needed; the result value type is the joiner's, without a serde
  return new KStream<K, VR>({ builder: b, nodeName: name, keySerde: stream.internals.keySerde, valueSerde: undefined, repartitionRequired: stream.internals.repartitionRequired });
}
