// Owns the serde of ValueAndTimestamp, in Kafka's layout: <timestamp int64 BE><value bytes>.
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { ValueAndTimestamp } from '../../store.js';
import { joinTimestamped, splitTimestamped } from './changelog-format.js';

export function valueAndTimestampSerde<V>(inner: Serde<V>): Serde<ValueAndTimestamp<V>> {
  const name = `ValueAndTimestamp<${inner.name}>`;
  return {
    name,
    serialize(topic, data) {
      if (!Number.isSafeInteger(data.timestamp)) {
        throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `${name} needs an integer timestamp in milliseconds, got ${data.timestamp} (topic '${topic}')`, {
          context: { topic, serde: name },
        });
      }
      return joinTimestamped(inner.serialize(topic, data.value), data.timestamp);
    },
    deserialize(topic, data) {
      if (data.length < 8) {
        throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `${name} needs at least 8 bytes but got ${data.length} (topic '${topic}'); the store holds values of another format`, {
          context: { topic, serde: name },
        });
      }
      const { value, timestamp } = splitTimestamped(data);
      return { value: inner.deserialize(topic, value), timestamp };
    },
  };
}
