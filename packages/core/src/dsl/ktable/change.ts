// Owns Change, what KTable processors send each other: the new value and (when a downstream
// operation asked for it) the value it replaced; and its serde for repartition topics of grouped
// tables (an internal format: flags, new value length, new value, old value).
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { DefaultsAware, SerdeDefaults } from '../../topology/defaults.js';

export interface Change<V> {
  readonly newValue: V | null;
  readonly oldValue: V | null;
  /**
   * false for an update of a versioned table that is not its latest value (an out-of-order record
   * put into the history); absent means latest. Joins and groupBy of versioned tables skip such updates.
   */
  readonly isLatest?: false;
}

export function change<V>(newValue: V | null | undefined, oldValue: V | null | undefined, isLatest = true): Change<V> {
  return isLatest ? { newValue: newValue ?? null, oldValue: oldValue ?? null } : { newValue: newValue ?? null, oldValue: oldValue ?? null, isLatest: false };
}

/** Whether an update is its key's latest value (only updates of versioned tables may not be). */
export function isLatest(c: Change<unknown>): boolean {
  return c.isLatest !== false;
}

const HAS_NEW = 1;
const HAS_OLD = 2;

/** Change<V> on the wire; the inner serde may come from the app's defaults (bound before running). */
export class ChangeSerde<V> implements Serde<Change<V>>, DefaultsAware {
  private bound: Serde<V> | undefined;

  constructor(private readonly inner: Serde<V> | undefined) {
    this.bound = inner;
  }

  get name(): string {
    return `Change<${this.bound?.name ?? 'default'}>`;
  }

  bindDefaults(defaults: SerdeDefaults): void {
    this.bound = this.inner ?? (defaults.defaultValueSerde as Serde<V> | undefined);
  }

  missingSerdes(defaults: SerdeDefaults): string[] {
    return this.inner || defaults.defaultValueSerde ? [] : ['a grouped table has no value serde for its repartition topic: give one with Grouped.with(keySerde, valueSerde), or set defaultValueSerde'];
  }

  private serde(topic: string): Serde<V> {
    if (!this.bound) {
      throw new SerdeError(ErrorCodes.SERDE_FAILED, `no value serde for the grouped-table repartition topic '${topic}': give one with Grouped.with(keySerde, valueSerde) or set defaultValueSerde`);
    }
    return this.bound;
  }

  serialize(topic: string, data: Change<V>): Buffer {
    const s = this.serde(topic);
    const n = data.newValue === null ? undefined : s.serialize(topic, data.newValue);
    const o = data.oldValue === null ? undefined : s.serialize(topic, data.oldValue);
    const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
    out.writeUInt8((n ? HAS_NEW : 0) | (o ? HAS_OLD : 0), 0);
    out.writeInt32BE(n?.length ?? 0, 1);
    if (n) n.copy(out, 5);
    if (o) o.copy(out, 5 + (n?.length ?? 0));
    return out;
  }

  deserialize(topic: string, data: Buffer): Change<V> {
    if (data.length < 5) throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `grouped-table repartition record on '${topic}' is too short (${data.length} bytes)`);
    const s = this.serde(topic);
    const flags = data.readUInt8(0);
    const len = data.readInt32BE(1);
    const newValue = flags & HAS_NEW ? s.deserialize(topic, data.subarray(5, 5 + len)) : null;
    const oldValue = flags & HAS_OLD ? s.deserialize(topic, data.subarray(5 + len)) : null;
    return { newValue, oldValue };
  }
}
