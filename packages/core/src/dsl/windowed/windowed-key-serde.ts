// Owns the key serde of a windowed KTable. Kafka Streams' DSL gives such a table a windowed serde
// wrapping the aggregation's key serde (TimeWindowed <key><start>, SessionWindowed <key><end><start>),
// so toStream().to(topic) writes windowed keys in Kafka's layout. When the key serde comes from the
// app's defaults, the default is wrapped once it is known, never used bare on a Windowed key.
import { ErrorCodes, SerdeError } from '@sluice/common';
import { WindowedSerdes, type Serde, type Windowed } from '@sluice/serdes';
import type { DefaultsAware, SerdeDefaults } from '../../topology/defaults.js';

export type WindowedKind = { readonly kind: 'time'; readonly windowSizeMs: number } | { readonly kind: 'session' };

function wrap<K>(inner: Serde<K>, kind: WindowedKind): Serde<Windowed<K>> {
  return kind.kind === 'time' ? WindowedSerdes.timeWindowedSerdeFrom(inner, kind.windowSizeMs) : WindowedSerdes.sessionWindowedSerdeFrom(inner);
}

class DefaultWindowedKeySerde<K> implements Serde<Windowed<K>>, DefaultsAware {
  private bound: Serde<Windowed<K>> | undefined;

  constructor(
    private readonly kind: WindowedKind,
    /** What produces the table, for error messages. */
    private readonly owner: string,
  ) {}

  get name(): string {
    return this.bound?.name ?? `${this.kind.kind === 'time' ? 'TimeWindowed' : 'SessionWindowed'}<default>`;
  }

  bindDefaults(defaults: SerdeDefaults): void {
    const inner = defaults.defaultKeySerde as Serde<K> | undefined;
    this.bound = inner ? wrap(inner, this.kind) : undefined;
  }

  private serde(topic: string): Serde<Windowed<K>> {
    if (!this.bound) {
      throw new SerdeError(
        ErrorCodes.SERDE_FAILED,
        `the windowed keys of ${this.owner} have no key serde for topic '${topic}': give the key serde with Grouped.with(keySerde, valueSerde) or Materialized.with(keySerde, valueSerde), or set defaultKeySerde`,
      );
    }
    return this.bound;
  }

  serialize(topic: string, data: Windowed<K>): Buffer {
    return this.serde(topic).serialize(topic, data);
  }

  deserialize(topic: string, data: Buffer): Windowed<K> {
    return this.serde(topic).deserialize(topic, data);
  }
}

/**
 * The windowed serde for a table keyed by windows of `inner` keys. Without an inner serde the result
 * must be registered with Topology.registerDefaultsAware (the `defaultsAware` part returned).
 */
export function windowedKeySerde<K>(inner: Serde<K> | undefined, kind: WindowedKind, owner: string): { serde: Serde<Windowed<K>>; defaultsAware: DefaultsAware | undefined } {
  if (inner) return { serde: wrap(inner, kind), defaultsAware: undefined };
  const serde = new DefaultWindowedKeySerde<K>(kind, owner);
  return { serde, defaultsAware: serde };
}
