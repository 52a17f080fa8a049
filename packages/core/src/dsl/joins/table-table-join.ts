// Owns KTable.join/leftJoin/outerJoin(KTable, …) (Kafka Streams' KTableImpl.doJoin): names
// (KTABLE-JOINTHIS-, KTABLE-JOINOTHER-, KTABLE-MERGE-, or <name>-join-this/-join-other/<name>),
// the optional store of the result, old values requested from the inputs a left/outer join needs
// them from, and versioned semantics for versioned inputs. Also tells whether a table's output is
// versioned (Kafka's isVersionedOrVersionedUpstream).
import type { ProcessorSupplier } from '../../processor/api.js';
import type { InternalStreamsBuilder } from '../internal-builder.js';
import { KTable } from '../ktable.js';
import type { TableSupplier } from '../ktable/table-processors.js';
import { valueGetterOf } from '../ktable/value-getter.js';
import { keyValueStoreFor, resolveMaterialized, type Materialized } from '../materialized.js';
import type { Named } from '../options.js';
import { TableJoinMergerSupplier, TableJoinSupplier, type TableJoinKind } from './table-table-processors.js';
import { reverseJoiner, type ValueJoinerWithKey } from './value-joiner.js';

const P = { JOINTHIS: 'KTABLE-JOINTHIS-', JOINOTHER: 'KTABLE-JOINOTHER-', MERGE: 'KTABLE-MERGE-' } as const;

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export function tableTableJoin<K, V, VO, VR>(
  op: 'join' | 'leftJoin' | 'outerJoin',
  left: KTable<K, V>,
  other: KTable<K, VO>,
  joiner: ValueJoinerWithKey<K, V | null, VO | null, VR>,
  named: Named | undefined,
  materialized: Materialized<K, VR> | undefined,
): KTable<K, VR> {
  const b = left.internals.builder;
  const mat = materialized !== undefined ? resolveMaterialized(b, materialized, P.MERGE, { keySerde: left.internals.keySerde, valueSerde: undefined }) : undefined;
  const mergeName = b.nameOrGenerate(named?.name, P.MERGE);
  const result = (queryable: string | undefined, supplier: TableSupplier) =>
    new KTable<K, VR>({ builder: b, nodeName: mergeName, keySerde: mat?.keySerde ?? left.internals.keySerde, valueSerde: mat?.valueSerde, supplier, queryableStoreName: queryable });
  if (!(other instanceof KTable) || other.internals.builder !== b) {
    b.problem(`${op}() of table '${left.internals.nodeName}' needs a KTable built by the same StreamsBuilder`, mergeName);
    return result(undefined, { enableSendingOldValues: () => false });
  }
  if (typeof joiner !== 'function') {
    b.problem(`${op}() of table '${left.internals.nodeName}' needs a joiner function (value, otherValue, key) => result`, mergeName);
    return result(undefined, { enableSendingOldValues: () => false });
  }
  b.copartition([left.internals.nodeName, other.internals.nodeName]);
  const leftOuter = op !== 'join';
  const rightOuter = op === 'outerJoin';
  if (leftOuter) left.enableSendingOldValues(true);
  if (rightOuter) other.enableSendingOldValues(true);

  const view1 = valueGetterOf<K, V>(b, left.internals.supplier, left.internals.nodeName, `${op}()`, mergeName);
  const view2 = valueGetterOf<K, VO>(b, other.internals.supplier, other.internals.nodeName, `${op}()`, mergeName);
  if (view1 === undefined || view2 === undefined) return result(undefined, { enableSendingOldValues: () => false });
  const [thisKind, otherKind]: [TableJoinKind, TableJoinKind] = !leftOuter ? ['inner', 'inner'] : !rightOuter ? ['left', 'right'] : ['outer', 'outer'];
  const joinThis = new TableJoinSupplier<K, V, VO, VR>(thisKind, left.internals.supplier, other.internals.supplier, view1, view2, joiner);
  const joinOther = new TableJoinSupplier<K, VO, V, VR>(otherKind, other.internals.supplier, left.internals.supplier, view2, view1, reverseJoiner(joiner));
  joinThis.useVersionedSemantics = isOutputVersioned(b, left.internals.supplier);
  joinOther.useVersionedSemantics = isOutputVersioned(b, other.internals.supplier);

  const thisName = b.suffixOrGenerate(named?.name, '-join-this', P.JOINTHIS);
  const otherName = b.suffixOrGenerate(named?.name, '-join-other', P.JOINOTHER);

  const merger = new TableJoinMergerSupplier<K, VR>(
    joinThis as TableJoinSupplier<K, unknown, unknown, VR>,
    joinOther as TableJoinSupplier<K, unknown, unknown, VR>,
    mat?.storeName,
  );
  const store = mat !== undefined ? keyValueStoreFor(mat, `${op} '${mergeName}'`) : undefined;
  const thisNode = left.internals.nodeName;
  const otherNode = other.internals.nodeName;
  b.add(mergeName, [thisNode, otherNode], (t) => {
    t.addProcessor(thisName, joinThis as AnySupplier, thisNode);
    t.addProcessor(otherName, joinOther as AnySupplier, otherNode);
    t.addProcessor(mergeName, merger as AnySupplier, thisName, otherName);
    t.connectProcessorAndStateStores(thisName, ...view2.storeNames());
    t.connectProcessorAndStateStores(otherName, ...view1.storeNames());
    if (store !== undefined) {
      t.addStateStore(store, mergeName);
      t.registerDefaultsAware(store);
    }
  });
  return result(mat?.storeName, merger);
}

interface SupplierShape {
  readonly queryableName?: string;
  readonly storeName?: string;
  readonly parent?: unknown;
}

/**
 * Whether a table's values come from a versioned store: its own store when it has one, else the
 * table it filters or maps (Kafka's isVersionedOrVersionedUpstream, decided from the stores).
 */
export function isOutputVersioned(b: InternalStreamsBuilder, supplier: TableSupplier): boolean {
  const versionedStore = (name: string) => (b.topology.stores.get(name)?.builder as { historyRetentionMs?: number } | undefined)?.historyRetentionMs !== undefined;
  for (let s = supplier as SupplierShape | undefined; s !== undefined && s !== null; s = s.parent as SupplierShape | undefined) {
    if (s instanceof TableJoinMergerSupplier) return s.queryableName !== undefined && versionedStore(s.queryableName);
    if (s.queryableName !== undefined) return versionedStore(s.queryableName);
    if (s.storeName !== undefined && s.parent === undefined && !('materialize' in s)) return versionedStore(s.storeName);
    if (s.parent === undefined) return false;
  }
  return false;
}

