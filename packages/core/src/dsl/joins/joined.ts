// Owns Joined, the options of a stream-table join (Kafka Streams' Joined): the key serde and the
// serdes of the stream's and the table's values, the processor name (which also names a repartition
// topic of the stream), and the grace period a versioned table gives late stream records.
import { ConfigError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';

export class Joined<K, VLeft, VRight> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<VLeft> | undefined,
    readonly otherValueSerde: Serde<VRight> | undefined,
    readonly name: string | undefined,
    /** undefined: join each record at once; else hold records this long in time order (versioned tables only). */
    readonly gracePeriodMs: number | undefined,
  ) {
    if (gracePeriodMs !== undefined && (typeof gracePeriodMs !== 'number' || !Number.isSafeInteger(gracePeriodMs) || gracePeriodMs < 0)) {
      throw new ConfigError(`Joined grace period must be a non-negative integer number of milliseconds, got ${String(gracePeriodMs)}; for example Joined.as('enrich').withGracePeriod(10_000)`);
    }
  }

  static with<K, VLeft, VRight>(
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<VLeft> | undefined,
    otherValueSerde: Serde<VRight> | undefined,
    name?: string,
    gracePeriodMs?: number,
  ): Joined<K, VLeft, VRight> {
    return new Joined(keySerde, valueSerde, otherValueSerde, name, gracePeriodMs);
  }
  static keySerde<K, VLeft, VRight>(keySerde: Serde<K>): Joined<K, VLeft, VRight> {
    return new Joined<K, VLeft, VRight>(keySerde, undefined, undefined, undefined, undefined);
  }
  static valueSerde<K, VLeft, VRight>(valueSerde: Serde<VLeft>): Joined<K, VLeft, VRight> {
    return new Joined<K, VLeft, VRight>(undefined, valueSerde, undefined, undefined, undefined);
  }
  static otherValueSerde<K, VLeft, VRight>(otherValueSerde: Serde<VRight>): Joined<K, VLeft, VRight> {
    return new Joined<K, VLeft, VRight>(undefined, undefined, otherValueSerde, undefined, undefined);
  }
  /** Names the join processor (and the repartition topic `<name>-repartition` when the stream's key changed). */
  static as<K, VLeft, VRight>(name: string): Joined<K, VLeft, VRight> {
    return new Joined<K, VLeft, VRight>(undefined, undefined, undefined, name, undefined);
  }

  withKeySerde(keySerde: Serde<K>): Joined<K, VLeft, VRight> {
    return new Joined(keySerde, this.valueSerde, this.otherValueSerde, this.name, this.gracePeriodMs);
  }
  withValueSerde(valueSerde: Serde<VLeft>): Joined<K, VLeft, VRight> {
    return new Joined(this.keySerde, valueSerde, this.otherValueSerde, this.name, this.gracePeriodMs);
  }
  withOtherValueSerde(otherValueSerde: Serde<VRight>): Joined<K, VLeft, VRight> {
    return new Joined(this.keySerde, this.valueSerde, otherValueSerde, this.name, this.gracePeriodMs);
  }
  withName(name: string): Joined<K, VLeft, VRight> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, name, this.gracePeriodMs);
  }
  /**
   * Hold stream records this long and join them in time order, each with the table's value as of
   * the record's time, so a table update that arrives late still meets the records it should.
   * The table must be versioned with a history retention of at least this.
   */
  withGracePeriod(gracePeriodMs: number): Joined<K, VLeft, VRight> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, this.name, gracePeriodMs);
  }
}
