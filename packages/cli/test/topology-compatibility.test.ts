// compareTopologies: which changes between two versions of a topology lose or orphan state
// (incompatible), which cost a restore (warning), and which are harmless (note).
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Repartitioned, StreamsBuilder, TimeWindows, type Topology } from '@sluice/core';
import { Serdes } from '@sluice/serdes';
import { compareTopologies, type FindingLevel } from '../src/topology-compatibility.js';

const S = Serdes.String();

interface Variant {
  /** An extra stateless operator before the re-keying (shifts generated names). */
  filterFirst?: boolean;
  /** A new, unrelated sub-topology added before the counting one. */
  auditFirst?: boolean;
  input?: string;
  store?: Materialized<string, number>;
  grouped?: Grouped<string, string>;
  windowed?: number;
}

function counts(v: Variant = {}): Topology {
  const b = new StreamsBuilder();
  if (v.auditFirst) b.stream('audit', Consumed.with(S, S)).to('audit-copy', Produced.with(S, S));
  let s = b.stream(v.input ?? 'orders', Consumed.with(S, S));
  if (v.filterFirst) s = s.filter((_k, value) => value.length > 0);
  const grouped = s.selectKey((_k, value) => value).groupByKey(v.grouped ?? Grouped.with(S, S));
  if (v.windowed !== undefined) {
    grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(v.windowed)).count(Materialized.as<string, number>('counts'));
  } else {
    grouped.count(v.store ?? Materialized.with<string, number>(S, Serdes.Long())).toStream().to('counts-out', Produced.with(S, Serdes.Long()));
  }
  return b.build();
}

const levels = (r: ReturnType<typeof compareTopologies>) => r.findings.map((f) => f.level);
function only(r: ReturnType<typeof compareTopologies>, level: FindingLevel): string[] {
  return r.findings.filter((f) => f.level === level).map((f) => f.message);
}

describe('compareTopologies', () => {
  it('finds nothing between two builds of the same topology', () => {
    expect(compareTopologies(counts(), counts())).toEqual({ compatible: true, findings: [] });
  });

  it('rejects generated store and repartition names that shifted, and says how to pin them', () => {
    const r = compareTopologies(counts(), counts({ filterFirst: true }), { applicationId: 'shop' });
    expect(r.compatible).toBe(false);
    expect(only(r, 'incompatible')).toEqual([
      "store 'KSTREAM-AGGREGATE-STATE-STORE-0000000003' is now 'KSTREAM-AGGREGATE-STATE-STORE-0000000004' (a generated name shifted because an operator was added or removed upstream): " +
        "its changelog shop-KSTREAM-AGGREGATE-STATE-STORE-0000000003-changelog and local state are orphaned and 'KSTREAM-AGGREGATE-STATE-STORE-0000000004' starts empty. Name the store (Materialized.as('...')) so its name stays put",
      'repartition topic shop-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition is now shop-KSTREAM-AGGREGATE-STATE-STORE-0000000004-repartition (a generated name shifted): ' +
        'records written to shop-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition but not yet processed by the old version are never read (safe only if the old version drained it: lag 0 on it). ' +
        'Name the operation (Grouped.as / Repartitioned.as) so the topic name stays put',
    ]);
  });

  it('accepts the same change when the store and the grouping are named', () => {
    const named = (filterFirst: boolean) => counts({ filterFirst, store: Materialized.as<string, number>('counts').withValueSerde(Serdes.Long()), grouped: Grouped.as<string, string>('by-value').withKeySerde(S).withValueSerde(S) });
    expect(compareTopologies(named(false), named(true))).toEqual({ compatible: true, findings: [] });
  });

  it('rejects a store that is gone, and notes one that is new', () => {
    const a = counts({ store: Materialized.as<string, number>('counts').withValueSerde(Serdes.Long()) });
    const b = counts({ store: Materialized.as<string, number>('order-counts').withValueSerde(Serdes.Long()) });
    const r = compareTopologies(a, b);
    expect(r.compatible).toBe(false);
    expect(only(r, 'incompatible')).toContain(
      "store 'counts' is gone: its changelog <application.id>-counts-changelog and local state are orphaned. If it was renamed, keep the old name (Materialized.as('counts'))",
    );
    expect(only(r, 'note')).toContain("store 'order-counts' is new: it starts empty (changelog <application.id>-order-counts-changelog is created)");
  });

  it('rejects a key-value store that becomes a window store under the same name', () => {
    const r = compareTopologies(counts({ store: Materialized.as<string, number>('counts').withValueSerde(Serdes.Long()) }), counts({ windowed: 60_000 }));
    expect(only(r, 'incompatible').join('\n')).toContain("store 'counts' changes from a key-value store to a windowed (window or session) store");
  });

  it('notes a changed window retention with the command that applies it to the existing changelog', () => {
    const r = compareTopologies(counts({ windowed: 60_000 }), counts({ windowed: 120_000 }));
    expect(r.compatible).toBe(true);
    expect(only(r, 'note')).toEqual([
      "store 'counts' changes its changelog retention.ms from 86460000 to 86520000; the existing topic keeps its setting until you alter it (kafka-configs.sh --alter --entity-type topics --entity-name <application.id>-counts-changelog --add-config retention.ms=86520000)",
    ]);
  });

  it('rejects a changelog that appears under existing state, and warns when one stops being written', () => {
    const logged = counts({ store: Materialized.as<string, number>('counts').withValueSerde(Serdes.Long()) });
    const unlogged = counts({ store: Materialized.as<string, number>('counts').withValueSerde(Serdes.Long()).withLoggingDisabled() });
    const on = compareTopologies(unlogged, logged);
    expect(on.compatible).toBe(false);
    expect(only(on, 'incompatible')).toEqual(["store 'counts' now has a changelog (<application.id>-counts-changelog) that is empty: a restore from it loses the state built so far"]);
    const off = compareTopologies(logged, unlogged);
    expect(off.compatible).toBe(true);
    expect(levels(off)).toEqual(['warning']);
  });

  it('warns when a changelogged store moves to another sub-topology number (its tasks restore from scratch)', () => {
    const store = () => Materialized.as<string, number>('counts').withValueSerde(Serdes.Long());
    const grouped = () => Grouped.as<string, string>('by-value').withKeySerde(S).withValueSerde(S);
    const r = compareTopologies(counts({ store: store(), grouped: grouped() }), counts({ store: store(), grouped: grouped(), auditFirst: true }));
    expect(r.compatible).toBe(true);
    expect(only(r, 'warning')).toEqual([
      "store 'counts' moves from sub-topology 1 to 2 (task ids 1_* become 2_*): its local state directories are not reused: each task restores 'counts' from <application.id>-counts-changelog from the beginning on first start",
    ]);
    expect(only(r, 'note')).toEqual(expect.arrayContaining(['the number of sub-topologies changes from 2 to 3', 'reads a new input topic audit (from its beginning: auto.offset.reset earliest)']));
  });

  it('rejects a store fed from other input topics (its state is partitioned by the old ones)', () => {
    const b = (input: string) => {
      const builder = new StreamsBuilder();
      builder.stream(input, Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('counts').withKeySerde(S).withValueSerde(Serdes.Long()));
      return builder.build();
    };
    const r = compareTopologies(b('orders'), b('payments'));
    expect(only(r, 'incompatible')).toEqual(["store 'counts' is fed from [payments] instead of [orders]: its state is partitioned by the old inputs' partitions, so keys would be looked up in the wrong task"]);
  });

  it('rejects a repartition topic that asks for another partition count', () => {
    const b = (n: number) => {
      const builder = new StreamsBuilder();
      builder.stream('orders', Consumed.with(S, S)).repartition(Repartitioned.as<string, string>('spread').withNumberOfPartitions(n)).to('spread-out', Produced.with(S, S));
      return builder.build();
    };
    const r = compareTopologies(b(4), b(8));
    expect(only(r, 'incompatible')).toEqual([
      'repartition topic <application.id>-spread-repartition now asks for 8 partitions (was 4): the existing topic keeps its count and start-up stops with a mismatch; delete it after draining, or keep the count',
    ]);
  });
});
