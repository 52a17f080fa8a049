// Every join records its inputs' source topics as a co-partition group (Kafka's copartitionGroups()
// as KStreamKStreamJoinTest, KStreamKTableJoinTest and KTableKTable*JoinTest check them), and a
// re-keyed input is read from its repartition topic, named as Kafka names it.
import { describe, expect, it } from 'vitest';
import { Consumed, JoinWindows, Joined, Serdes, StreamJoined, StreamsBuilder } from 'sluice';

const S = Serdes.String();
const j = (a: unknown, b: unknown) => `${String(a)}+${String(b)}`;

describe('co-partition groups of joins', () => {
  it('stream-stream, stream-table and table-table joins group their source topics', () => {
    const b = new StreamsBuilder();
    const s1 = b.stream('topic1', Consumed.with(S, S));
    const s2 = b.stream('topic2', Consumed.with(S, S));
    s1.join(s2, j, JoinWindows.ofTimeDifferenceWithNoGrace(100));
    const t3 = b.table('topic3', Consumed.with(S, S));
    s1.leftJoin(t3, j);
    const t4 = b.table('topic4', Consumed.with(S, S));
    t3.outerJoin(t4, j);
    expect(b.build().copartitionGroups().map((g) => [...g].sort())).toEqual([
      ['topic1', 'topic2'],
      ['topic1', 'topic3'],
      ['topic3', 'topic4'],
    ]);
  });

  it('a re-keyed side joins through its repartition topic, which is in the group instead of its source', () => {
    const b = new StreamsBuilder();
    const rekeyed = b.stream('orders', Consumed.with(S, S)).selectKey((_k, v) => v);
    rekeyed.join(b.table('customers', Consumed.with(S, S)), j, Joined.as('enrich'));
    rekeyed.join(b.stream('payments', Consumed.with(S, S)), j, JoinWindows.ofTimeDifferenceWithNoGrace(10), StreamJoined.with(S, S, S).withName('match'));
    const t = b.build();
    expect(t.copartitionGroups().map((g) => [...g].sort())).toEqual([
      ['customers', 'enrich-repartition'],
      ['match-left-repartition', 'payments'],
    ]);
    expect([...t.internalTopics.keys()]).toEqual(['enrich-repartition', 'match-left-repartition']);
    expect(t.internalTopics.get('enrich-repartition')!.numberOfPartitions).toBeUndefined();
  });
});
