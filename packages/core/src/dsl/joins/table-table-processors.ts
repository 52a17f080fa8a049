// Owns the processors of KTable-KTable joins (Kafka Streams' KTableKTableInnerJoin, LeftJoin,
// RightJoin, OuterJoin and KTableKTableJoinMerger): an update of either table is joined with the
// other table's current value; old joined values travel when a downstream operation asked for them;
// updates of a versioned table that are not its latest value are skipped.
import type { ValueAndTimestamp } from '@sluice/state';
import type { Processor, ProcessorContext, ProcessorSupplierObject } from '../../processor/api.js';
import type { Record } from '../../processor/record.js';
import { internalContext } from '../../engine/node-context.js';
import { change, isLatest, type Change } from '../ktable/change.js';
import type { TimestampedForwarder } from '../ktable/forwarder.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import { PUT_IS_LATEST, PUT_NOT_PUT, TableStore } from '../ktable/table-store.js';
import { storeValueGetter, type TableValueGetter, type TableValueGetterSupplier } from '../ktable/value-getter.js';
import type { ValueJoinerWithKey } from './value-joiner.js';

/** inner, left (this side of a left join), right (the other side of a left join), outer. */
export type TableJoinKind = 'inner' | 'left' | 'right' | 'outer';

/** Kafka's UNKNOWN timestamp of a missing side. */
const UNKNOWN = -1;

export class TableJoinSupplier<K, V1, V2, VOut> implements ProcessorSupplierObject<K, Change<V1>, K, Change<VOut>>, TableSupplier {
  sendOldValues = false;
  /** Set when this side's table is versioned: its out-of-order updates are skipped. */
  useVersionedSemantics = false;

  constructor(
    private readonly kind: TableJoinKind,
    private readonly table1: TableSupplier,
    private readonly table2: TableSupplier,
    private readonly view1: TableValueGetterSupplier<K, V1>,
    private readonly view2: TableValueGetterSupplier<K, V2>,
    private readonly joiner: ValueJoinerWithKey<K, V1 | null, V2 | null, VOut>,
  ) {}

  enableSendingOldValues(): boolean {
    // table-table joins need both inputs materialized
    this.table1.enableSendingOldValues(true);
    this.table2.enableSendingOldValues(true);
    this.sendOldValues = true;
    return true;
  }

  /** The joined value computed from both tables' values (this side's view is what the merged table reads). */
  view(): TableValueGetterSupplier<unknown, unknown> {
    const { view1, view2, joiner, kind } = this;
    return {
      storeNames: () => [...new Set([...view1.storeNames(), ...view2.storeNames()])],
      get: (): TableValueGetter<unknown, unknown> => {
        const g1 = view1.get();
        const g2 = view2.get();
        const get = async (key: K): Promise<ValueAndTimestamp<VOut> | undefined> => joinedValue(kind, key, await g1.get(key), () => g2.get(key), joiner);
        return {
          init: async (ctx) => {
            await g1.init(ctx);
            await g2.init(ctx);
          },
          get: get as (key: unknown) => Promise<ValueAndTimestamp<unknown> | undefined>,
          getAsOf: get as (key: unknown) => Promise<ValueAndTimestamp<unknown> | undefined>,
          // a join of versioned tables is not versioned itself (Kafka, KIP-914)
          isVersioned: () => false,
          close: async () => {
            await g1.close?.();
            await g2.close?.();
          },
        };
      },
    };
  }

  get(): Processor<K, Change<V1>, K, Change<VOut>> {
    return new TableJoinProcessor(this, this.view2.get(), this.kind, this.joiner);
  }
}

/** The joined value of a key as the join's view reads it (Kafka's *JoinValueGetter.get). */
async function joinedValue<K, V1, V2, VOut>(
  kind: TableJoinKind,
  key: K,
  vt1: ValueAndTimestamp<V1> | undefined,
  read2: () => Promise<ValueAndTimestamp<V2> | undefined>,
  joiner: ValueJoinerWithKey<K, V1 | null, V2 | null, VOut>,
): Promise<ValueAndTimestamp<VOut> | undefined> {
  if (kind !== 'outer' && vt1 === undefined) return undefined;
  const vt2 = await read2();
  if (kind === 'inner') return vt2 === undefined ? undefined : { value: joiner(vt1!.value, vt2.value, key), timestamp: Math.max(vt1!.timestamp, vt2.timestamp) };
  if (kind === 'outer' && vt1 === undefined && vt2 === undefined) return undefined;
  const value = joiner(vt1?.value ?? null, vt2?.value ?? null, key);
  return value === null || value === undefined ? undefined : { value, timestamp: Math.max(vt1?.timestamp ?? UNKNOWN, vt2?.timestamp ?? UNKNOWN) };
}

class TableJoinProcessor<K, V1, V2, VOut> implements Processor<K, Change<V1>, K, Change<VOut>> {
  private ctx!: ProcessorContext<K, Change<VOut>>;

  constructor(
    private readonly s: TableJoinSupplier<K, V1, V2, VOut>,
    private readonly other: TableValueGetter<K, V2>,
    private readonly kind: TableJoinKind,
    private readonly joiner: ValueJoinerWithKey<K, V1 | null, V2 | null, VOut>,
  ) {}

  init(ctx: ProcessorContext<K, Change<VOut>>): void | Promise<void> {
    this.ctx = ctx;
    return this.other.init(ctx as ProcessorContext<unknown, unknown>);
  }

  close(): void | Promise<void> {
    return this.other.close?.();
  }

  async process(record: Record<K, Change<V1>>): Promise<void> {
    const key = record.key;
    if (key === null || key === undefined) {
      internalContext(this.ctx).droppedRecord('null key (a table-table join skips such records)');
      return;
    }
    if (this.s.useVersionedSemantics && !isLatest(record.value)) {
      internalContext(this.ctx).droppedRecord('an out-of-order update of a versioned table (a table-table join skips such records)', 'debug');
      return;
    }
    const { newValue, oldValue } = record.value;
    const vt2 = await this.other.get(key);
    const value2 = vt2?.value ?? null;
    const sendOld = this.s.sendOldValues;
    const j = this.joiner;
    let joinedNew: VOut | null = null;
    let joinedOld: VOut | null = null;
    let timestamp: number;
    switch (this.kind) {
      case 'inner':
        if (value2 === null) return;
        timestamp = Math.max(record.timestamp, vt2!.timestamp);
        if (newValue !== null) joinedNew = j(newValue, value2, key);
        if (sendOld && oldValue !== null) joinedOld = j(oldValue, value2, key);
        break;
      case 'left':
        if (value2 === null && newValue === null && oldValue === null) return;
        timestamp = Math.max(record.timestamp, value2 === null ? UNKNOWN : vt2!.timestamp);
        if (newValue !== null) joinedNew = j(newValue, value2, key);
        if (sendOld && oldValue !== null) joinedOld = j(oldValue, value2, key);
        break;
      case 'right':
        // this side is the right table of a left join: without a left value there is nothing
        if (value2 === null) return;
        timestamp = Math.max(record.timestamp, vt2!.timestamp);
        joinedNew = j(newValue, value2, key);
        if (sendOld) joinedOld = j(oldValue, value2, key);
        break;
      case 'outer':
        if (value2 === null && newValue === null && oldValue === null) return;
        timestamp = value2 === null ? record.timestamp : Math.max(record.timestamp, vt2!.timestamp);
        if (value2 !== null || newValue !== null) joinedNew = j(newValue, value2, key);
        if (sendOld && (value2 !== null || oldValue !== null)) joinedOld = j(oldValue, value2, key);
        break;
    }
    return this.ctx.forward(record.withValue(change(joinedNew, joinedOld, isLatest(record.value))).withTimestamp(timestamp));
  }
}

/** The table of a table-table join: what either side's processor produced, kept in a store when materialized. */
export class TableJoinMergerSupplier<K, V> implements ProcessorSupplierObject<K, Change<V>, K, Change<V>>, TableSupplier {
  sendOldValues = false;

  constructor(
    private readonly parent1: TableJoinSupplier<K, unknown, unknown, V>,
    private readonly parent2: TableJoinSupplier<K, unknown, unknown, V>,
    readonly queryableName: string | undefined,
  ) {}

  enableSendingOldValues(): boolean {
    this.parent1.enableSendingOldValues();
    this.parent2.enableSendingOldValues();
    this.sendOldValues = true;
    return true;
  }

  view(): TableValueGetterSupplier<unknown, unknown> {
    if (this.queryableName !== undefined) return storeValueGetter(this.queryableName);
    const v1 = this.parent1.view();
    const v2 = this.parent2.view();
    return { get: () => v1.get(), storeNames: () => [...new Set([...v1.storeNames(), ...v2.storeNames()])] };
  }

  get(): Processor<K, Change<V>, K, Change<V>> {
    return new TableJoinMergeProcessor(this.queryableName, this.sendOldValues);
  }
}

class TableJoinMergeProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  private ctx!: ProcessorContext<K, Change<V>>;
  private store: TableStore<K, V> | undefined;
  private forwarder: TimestampedForwarder<K, V> | undefined;

  // the supplier's flags are read when the processor is created: the topology is complete by then
  constructor(
    private readonly queryableName: string | undefined,
    private readonly sendOldValues: boolean,
  ) {}

  init(ctx: ProcessorContext<K, Change<V>>): void {
    this.ctx = ctx;
    if (this.queryableName !== undefined) {
      this.store = TableStore.of(ctx, this.queryableName);
      this.forwarder = this.store.forwarder(ctx, this.sendOldValues);
    }
  }

  async process(record: Record<K, Change<V>>): Promise<void> {
    const { newValue, oldValue } = record.value;
    const old = this.sendOldValues ? oldValue : null;
    if (this.store === undefined) return this.ctx.forward(record.withValue(change(newValue, old, isLatest(record.value))));
    const code = await this.store.put(record.key, newValue, record.timestamp);
    if (code === PUT_NOT_PUT) return;
    return this.forwarder!.maybeForward(record.withValue(change(newValue, old, code === PUT_IS_LATEST)));
  }
}
