// Owns the DSL's option objects, named as in Kafka Streams: Consumed, Produced, Named, Repartitioned,
// Grouped, Branched. Each is immutable; `with*` returns a copy.
import type { Serde } from '@sluice/serdes';
import type { StreamPartitioner, TimestampExtractor } from '../processor/api.js';
import type { OffsetReset } from '../topology/node-factories.js';
import type { KStream } from './kstream.js';

export class Named {
  private constructor(readonly name: string | undefined) {}
  static as(name: string): Named {
    return new Named(name);
  }
  /** @internal */
  static none(): Named {
    return new Named(undefined);
  }
}

export class Consumed<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly timestampExtractor: TimestampExtractor | undefined,
    readonly offsetReset: OffsetReset | undefined,
    readonly name: string | undefined,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>, timestampExtractor?: TimestampExtractor, offsetReset?: OffsetReset): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde, timestampExtractor, offsetReset, undefined);
  }
  static as<K, V>(processorName: string): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, undefined, undefined, processorName);
  }
  static withTimestampExtractor<K, V>(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, extractor, undefined, undefined);
  }
  static withOffsetResetPolicy<K, V>(reset: OffsetReset): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, undefined, reset, undefined);
  }

  withKeySerde<NK>(serde: Serde<NK>): Consumed<NK, V> {
    return new Consumed(serde, this.valueSerde, this.timestampExtractor, this.offsetReset, this.name);
  }
  withValueSerde<NV>(serde: Serde<NV>): Consumed<K, NV> {
    return new Consumed(this.keySerde, serde, this.timestampExtractor, this.offsetReset, this.name);
  }
  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.offsetReset, this.name);
  }
  withOffsetResetPolicy(reset: OffsetReset): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, reset, this.name);
  }
  withName(processorName: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, this.offsetReset, processorName);
  }
}

export class Produced<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
    readonly name: string | undefined,
  ) {}

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>, partitioner?: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde, partitioner, undefined);
  }
  static as<K, V>(processorName: string): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, undefined, processorName);
  }
  static keySerde<K, V>(serde: Serde<K>): Produced<K, V> {
    return new Produced<K, V>(serde, undefined, undefined, undefined);
  }
  static valueSerde<K, V>(serde: Serde<V>): Produced<K, V> {
    return new Produced<K, V>(undefined, serde, undefined, undefined);
  }
  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, partitioner, undefined);
  }

  withKeySerde(serde: Serde<K>): Produced<K, V> {
    return new Produced(serde, this.valueSerde, this.partitioner, this.name);
  }
  withValueSerde(serde: Serde<V>): Produced<K, V> {
    return new Produced(this.keySerde, serde, this.partitioner, this.name);
  }
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.name);
  }
  withName(processorName: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, processorName);
  }
}

export class Repartitioned<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly numberOfPartitions: number | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
  ) {}

  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(name, undefined, undefined, undefined, undefined);
  }
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, keySerde, valueSerde, undefined, undefined);
  }
  static numberOfPartitions<K, V>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, n, undefined);
  }
  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, undefined, partitioner);
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(name, this.keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }
  withKeySerde(serde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned(this.name, serde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }
  withValueSerde(serde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, serde, this.numberOfPartitions, this.partitioner);
  }
  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, n, this.partitioner);
  }
  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, this.numberOfPartitions, partitioner);
  }
}

export class Grouped<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {}

  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(name, undefined, undefined);
  }
  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined, name?: string): Grouped<K, V> {
    return new Grouped<K, V>(name, keySerde, valueSerde);
  }
  static keySerde<K, V>(serde: Serde<K>): Grouped<K, V> {
    return new Grouped<K, V>(undefined, serde, undefined);
  }
  static valueSerde<K, V>(serde: Serde<V>): Grouped<K, V> {
    return new Grouped<K, V>(undefined, undefined, serde);
  }
  withName(name: string): Grouped<K, V> {
    return new Grouped(name, this.keySerde, this.valueSerde);
  }
  withKeySerde(serde: Serde<K>): Grouped<K, V> {
    return new Grouped(this.name, serde, this.valueSerde);
  }
  withValueSerde(serde: Serde<V>): Grouped<K, V> {
    return new Grouped(this.name, this.keySerde, serde);
  }
}

/** How split() builds one branch: its name, and optionally a function applied to the branch stream. */
export class Branched<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly chain: ((stream: KStream<K, V>) => KStream<unknown, unknown> | void) | undefined,
  ) {}

  static as<K, V>(name: string): Branched<K, V> {
    return new Branched<K, V>(name, undefined);
  }
  /** @internal a branch with a generated name */
  static none<K, V>(): Branched<K, V> {
    return new Branched<K, V>(undefined, undefined);
  }
  /** The function's result (if a stream) is what the branch map holds for this branch. */
  static withFunction<K, V>(fn: (stream: KStream<K, V>) => KStream<unknown, unknown> | void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, fn);
  }
  /** The consumer handles the branch; the branch map does not hold it. */
  static withConsumer<K, V>(fn: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched<K, V>(name, (s) => {
      fn(s);
    });
  }
}
