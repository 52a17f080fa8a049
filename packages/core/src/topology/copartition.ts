// Owns the co-partitioning rule of joins (Kafka Streams' CopartitionedTopicsEnforcer), applied when
// an application starts and knows its topics' partition counts: the source topics of a join must
// have the same number of partitions; a repartition topic in the group takes that number unless
// its count was fixed (Repartitioned.withNumberOfPartitions), which must then match; a group of
// repartition topics only takes the count fixed on one of them, else the largest.
import { TopologyError } from '@sluice/common';

export interface CopartitionInput {
  /** Groups of real topic names (internal topics with the application id) that must be co-partitioned. */
  readonly groups: readonly (readonly string[])[];
  /** Partition counts known so far: every source topic, and each repartition topic's computed count. */
  readonly partitions: ReadonlyMap<string, number>;
  /** The application's repartition topics (real names). */
  readonly repartitionTopics: ReadonlySet<string>;
  /** Repartition topics whose count was fixed by the user. */
  readonly fixed: ReadonlySet<string>;
}

/** The partition counts with every repartition topic of a co-partition group set; throws when a group cannot be co-partitioned. */
export function enforceCopartitioning(input: CopartitionInput): Map<string, number> {
  const counts = new Map(input.partitions);
  for (const group of input.groups) {
    if (group.length < 2) continue;
    const repartition = group.filter((t) => input.repartitionTopics.has(t));
    const sources = group.filter((t) => !input.repartitionTopics.has(t));
    const fixed = repartition.filter((t) => input.fixed.has(t));
    let n: number;
    if (sources.length === 0) {
      n = fixed.length > 0 ? sameCount(fixed, counts, 'repartition') : Math.max(...repartition.map((t) => counts.get(t) ?? 0));
    } else {
      n = sameCount(sources, counts, 'source');
      for (const t of fixed) {
        if (counts.get(t) !== n) {
          throw new TopologyError(
            `repartition topic '${t}' has ${counts.get(t)} partitions (Repartitioned.withNumberOfPartitions) but the topic ${quote(sources[0]!)} it is joined with has ${n}; ` +
              `joins need co-partitioned inputs — give the repartition ${n} partitions`,
          );
        }
      }
    }
    for (const t of repartition) if (!input.fixed.has(t)) counts.set(t, n);
  }
  return counts;
}

function sameCount(topics: readonly string[], counts: ReadonlyMap<string, number>, kind: 'source' | 'repartition'): number {
  const first = topics[0]!;
  const n = counts.get(first)!;
  for (const t of topics.slice(1)) {
    const m = counts.get(t)!;
    if (m === n) continue;
    const [small, big] = n < m ? [first, t] : [t, first];
    const bigCount = Math.max(n, m);
    const fix =
      kind === 'source'
        ? `repartition one side with .repartition(Repartitioned.numberOfPartitions(${bigCount})) (the ${quote(small)} side), or create the topics with the same number of partitions`
        : `give them the same number with Repartitioned.withNumberOfPartitions(n)`;
    throw new TopologyError(`topic ${quote(first)} has ${n} partitions but ${quote(t)} has ${m}; joins need co-partitioned inputs — ${fix}`, { context: { [first]: n, [t]: m, larger: big } });
  }
  return n;
}

function quote(topic: string): string {
  return `'${topic}'`;
}
