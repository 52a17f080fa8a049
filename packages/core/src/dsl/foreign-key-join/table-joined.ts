// Owns TableJoined (Kafka Streams' options of a foreign-key join): the name its internal topics,
// store and processors are derived from, and the partitioners of the two tables' topics when they
// were not written with the default partitioner.
import type { StreamPartitioner } from '../../processor/api.js';

export class TableJoined<K, KO> {
  private constructor(
    /** Partitions the primary (this) table's topic: where responses must go back to. */
    readonly partitioner: StreamPartitioner<K, void> | undefined,
    /** Partitions the foreign (other) table's topic: where subscriptions must go. */
    readonly otherPartitioner: StreamPartitioner<KO, void> | undefined,
    readonly name: string | undefined,
  ) {}

  static with<K, KO>(partitioner: StreamPartitioner<K, void> | undefined, otherPartitioner: StreamPartitioner<KO, void> | undefined): TableJoined<K, KO> {
    return new TableJoined(partitioner, otherPartitioner, undefined);
  }

  static as<K, KO>(name: string): TableJoined<K, KO> {
    return new TableJoined<K, KO>(undefined, undefined, name);
  }

  withPartitioner(partitioner: StreamPartitioner<K, void> | undefined): TableJoined<K, KO> {
    return new TableJoined(partitioner, this.otherPartitioner, this.name);
  }

  withOtherPartitioner(otherPartitioner: StreamPartitioner<KO, void> | undefined): TableJoined<K, KO> {
    return new TableJoined(this.partitioner, otherPartitioner, this.name);
  }

  withName(name: string): TableJoined<K, KO> {
    return new TableJoined(this.partitioner, this.otherPartitioner, name);
  }
}
