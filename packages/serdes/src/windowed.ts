// Owns windows and windowed keys, and their serdes in Kafka Streams' byte layout:
// time-windowed keys are <key bytes><start: int64 BE>; session-windowed keys are
// <key bytes><end: int64 BE><start: int64 BE> (Kafka's WindowKeySchema / SessionKeySchema).
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Serde } from './serde.js';

/** A half-open [start, end) time interval for time windows, closed [start, end] for sessions. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

export class TimeWindow implements Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    if (end <= start) throw new RangeError(`TimeWindow end (${end}) must be after start (${start})`);
  }
  overlap(other: Window): boolean {
    return this.start < other.end && other.start < this.end;
  }
  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }
}

export class SessionWindow implements Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    if (end < start) throw new RangeError(`SessionWindow end (${end}) must not be before start (${start})`);
  }
  overlap(other: Window): boolean {
    return !(other.end < this.start || this.end < other.start);
  }
  toString(): string {
    return `SessionWindow{start=${this.start}, end=${this.end}}`;
  }
}

/** A key together with the window it belongs to: the key of windowed aggregation results. */
export class Windowed<K> {
  constructor(
    readonly key: K,
    readonly window: Window,
  ) {}
  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`;
  }
}

function tooShort(name: string, topic: string, need: number, got: number): SerdeError {
  return new SerdeError(
    ErrorCodes.DESERIALIZATION_FAILED,
    `${name} serde needs at least ${need} bytes but got ${got} on topic '${topic}'; the key was not written by a windowed serde of this kind`,
    { context: { topic, serde: name } },
  );
}

/** Serdes for windowed keys, compatible with Kafka Streams' WindowedSerdes. */
export const WindowedSerdes = {
  /** `<key><start>`; the end is start + windowSizeMs, as Kafka's TimeWindowedDeserializer does. */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    const name = `TimeWindowed<${inner.name}>`;
    return {
      name,
      serialize(topic, data) {
        const k = inner.serialize(topic, data.key);
        const out = Buffer.allocUnsafe(k.length + 8);
        k.copy(out, 0);
        out.writeBigInt64BE(BigInt(data.window.start), k.length);
        return out;
      },
      deserialize(topic, data) {
        if (data.length < 8) throw tooShort(name, topic, 8, data.length);
        const start = Number(data.readBigInt64BE(data.length - 8));
        const key = inner.deserialize(topic, data.subarray(0, data.length - 8));
        const end = Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER);
        return new Windowed(key, new TimeWindow(start, end));
      },
    };
  },
  /** `<key><end><start>`, as Kafka's SessionWindowedSerializer. */
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    const name = `SessionWindowed<${inner.name}>`;
    return {
      name,
      serialize(topic, data) {
        const k = inner.serialize(topic, data.key);
        const out = Buffer.allocUnsafe(k.length + 16);
        k.copy(out, 0);
        out.writeBigInt64BE(BigInt(data.window.end), k.length);
        out.writeBigInt64BE(BigInt(data.window.start), k.length + 8);
        return out;
      },
      deserialize(topic, data) {
        if (data.length < 16) throw tooShort(name, topic, 16, data.length);
        const end = Number(data.readBigInt64BE(data.length - 16));
        const start = Number(data.readBigInt64BE(data.length - 8));
        const key = inner.deserialize(topic, data.subarray(0, data.length - 16));
        return new Windowed(key, new SessionWindow(start, end));
      },
    };
  },
};
