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

/**
 * A windowed key as `<key bytes><window bytes>`: the inner serde's bytes followed by `windowBytes`
 * bytes that `writeWindow` fills and `readWindow` reads back, both at offset `at`.
 */
function windowedSerde<K>(
  name: string,
  inner: Serde<K>,
  windowBytes: number,
  writeWindow: (out: Buffer, at: number, window: Window) => void,
  readWindow: (data: Buffer, at: number) => Window,
): Serde<Windowed<K>> {
  return {
    name,
    serialize(topic, data) {
      const k = inner.serialize(topic, data.key);
      const out = Buffer.allocUnsafe(k.length + windowBytes);
      k.copy(out, 0);
      writeWindow(out, k.length, data.window);
      return out;
    },
    deserialize(topic, data) {
      if (data.length < windowBytes) throw tooShort(name, topic, windowBytes, data.length);
      const at = data.length - windowBytes;
      const key = inner.deserialize(topic, data.subarray(0, at));
      return new Windowed(key, readWindow(data, at));
    },
  };
}

/** Serdes for windowed keys, compatible with Kafka Streams' WindowedSerdes. */
export const WindowedSerdes = {
  /** `<key><start>`; the end is start + windowSizeMs, as Kafka's TimeWindowedDeserializer does. */
  timeWindowedSerdeFrom<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
    return windowedSerde(
      `TimeWindowed<${inner.name}>`,
      inner,
      8,
      (out, at, window) => out.writeBigInt64BE(BigInt(window.start), at),
      (data, at) => {
        const start = Number(data.readBigInt64BE(at));
        return new TimeWindow(start, Math.min(start + windowSizeMs, Number.MAX_SAFE_INTEGER));
      },
    );
  },
  /** `<key><end><start>`, as Kafka's SessionWindowedSerializer. */
  sessionWindowedSerdeFrom<K>(inner: Serde<K>): Serde<Windowed<K>> {
    return windowedSerde(
      `SessionWindowed<${inner.name}>`,
      inner,
      16,
      (out, at, window) => {
        out.writeBigInt64BE(BigInt(window.end), at);
        out.writeBigInt64BE(BigInt(window.start), at + 8);
      },
      (data, at) => new SessionWindow(Number(data.readBigInt64BE(at + 8)), Number(data.readBigInt64BE(at))),
    );
  },
};
