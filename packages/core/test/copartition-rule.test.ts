// The co-partitioning rule of joins (Kafka's CopartitionedTopicsEnforcer): source topics of a join
// must agree, repartition topics take their count unless it was fixed, and the errors say the fix.
import { describe, expect, it } from 'vitest';
import { enforceCopartitioning } from '@sluice/core';

function run(groups: string[][], partitions: { [t: string]: number }, repartition: string[] = [], fixed: string[] = []) {
  return enforceCopartitioning({ groups, partitions: new Map(Object.entries(partitions)), repartitionTopics: new Set(repartition), fixed: new Set(fixed) });
}

describe('enforceCopartitioning', () => {
  it('source topics with the same count pass, and a repartition topic in the group takes that count', () => {
    const out = run([['orders', 'app-x-repartition']], { orders: 4, 'app-x-repartition': 3 }, ['app-x-repartition']);
    expect(out.get('app-x-repartition')).toBe(4);
    expect(out.get('orders')).toBe(4);
  });

  it('source topics with different counts fail, naming both, the counts and the fix', () => {
    expect(() => run([['orders', 'customers']], { orders: 3, customers: 4 })).toThrow(
      "topic 'orders' has 3 partitions but 'customers' has 4; joins need co-partitioned inputs — repartition one side with .repartition(Repartitioned.numberOfPartitions(4)) (the 'orders' side), or create the topics with the same number of partitions",
    );
  });

  it('a repartition topic with a fixed count must match the source topics', () => {
    expect(run([['orders', 'app-r-repartition']], { orders: 4, 'app-r-repartition': 4 }, ['app-r-repartition'], ['app-r-repartition']).get('app-r-repartition')).toBe(4);
    expect(() => run([['orders', 'app-r-repartition']], { orders: 4, 'app-r-repartition': 2 }, ['app-r-repartition'], ['app-r-repartition'])).toThrow(
      /repartition topic 'app-r-repartition' has 2 partitions \(Repartitioned.withNumberOfPartitions\) but the topic 'orders' it is joined with has 4/,
    );
  });

  it('a group of repartition topics takes the fixed count, else the largest', () => {
    expect([...run([['a', 'b']], { a: 2, b: 5 }, ['a', 'b'])]).toEqual([['a', 5], ['b', 5]]);
    expect([...run([['a', 'b']], { a: 2, b: 5 }, ['a', 'b'], ['a'])]).toEqual([['a', 2], ['b', 2]]);
    expect(() => run([['a', 'b']], { a: 2, b: 5 }, ['a', 'b'], ['a', 'b'])).toThrow(/'a' has 2 partitions but 'b' has 5.*Repartitioned.withNumberOfPartitions/);
  });
});
