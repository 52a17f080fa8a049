// Owns the built-in serdes. The number serdes use Kafka's Java byte layout (big-endian two's
// complement / IEEE 754) so Java producers and consumers read and write the same bytes.
import { ErrorCodes, SerdeError } from '@sluice/common';
import type { Serde } from './serde.js';

function expectLength(name: string, topic: string, data: Buffer, size: number): void {
  if (data.length !== size) {
    throw new SerdeError(
      ErrorCodes.DESERIALIZATION_FAILED,
      `${name} serde expects exactly ${size} bytes but got ${data.length} on topic '${topic}'; ` +
        `the data was written with another serde — use the serde that produced the topic`,
      { context: { topic, serde: name, length: data.length } },
    );
  }
}

const stringSerde: Serde<string> = {
  name: 'String',
  serialize: (_topic, data) => Buffer.from(data, 'utf8'),
  deserialize: (_topic, data) => data.toString('utf8'),
};

const integerSerde: Serde<number> = {
  name: 'Integer',
  serialize(topic, data) {
    if (!Number.isInteger(data) || data < -2147483648 || data > 2147483647) {
      throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `Integer serde can write 32-bit integers only, got ${data} for topic '${topic}'; use Serdes.Long() or Serdes.Double()`, {
        context: { topic, serde: 'Integer' },
      });
    }
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(data, 0);
    return b;
  },
  deserialize(topic, data) {
    expectLength('Integer', topic, data, 4);
    return data.readInt32BE(0);
  },
};

const longSerde: Serde<number> = {
  name: 'Long',
  serialize(topic, data) {
    if (!Number.isSafeInteger(data)) {
      throw new SerdeError(
        ErrorCodes.SERIALIZATION_FAILED,
        `Long serde writes JavaScript numbers that are safe integers (|n| <= 2^53-1), got ${data} for topic '${topic}'; use Serdes.BigLong() for the full 64-bit range`,
        { context: { topic, serde: 'Long' } },
      );
    }
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(BigInt(data), 0);
    return b;
  },
  deserialize(topic, data) {
    expectLength('Long', topic, data, 8);
    const v = data.readBigInt64BE(0);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new SerdeError(
        ErrorCodes.DESERIALIZATION_FAILED,
        `Long serde read ${v} on topic '${topic}', outside JavaScript's safe integer range; use Serdes.BigLong() to read it as a bigint`,
        { context: { topic, serde: 'Long' } },
      );
    }
    return Number(v);
  },
};

const bigLongSerde: Serde<bigint> = {
  name: 'BigLong',
  serialize(_topic, data) {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(data, 0);
    return b;
  },
  deserialize(topic, data) {
    expectLength('BigLong', topic, data, 8);
    return data.readBigInt64BE(0);
  },
};

const doubleSerde: Serde<number> = {
  name: 'Double',
  serialize(_topic, data) {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(data, 0);
    return b;
  },
  deserialize(topic, data) {
    expectLength('Double', topic, data, 8);
    return data.readDoubleBE(0);
  },
};

const floatSerde: Serde<number> = {
  name: 'Float',
  serialize(_topic, data) {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatBE(data, 0);
    return b;
  },
  deserialize(topic, data) {
    expectLength('Float', topic, data, 4);
    return data.readFloatBE(0);
  },
};

const shortSerde: Serde<number> = {
  name: 'Short',
  serialize(topic, data) {
    if (!Number.isInteger(data) || data < -32768 || data > 32767) {
      throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `Short serde can write 16-bit integers only, got ${data} for topic '${topic}'`, { context: { topic, serde: 'Short' } });
    }
    const b = Buffer.allocUnsafe(2);
    b.writeInt16BE(data, 0);
    return b;
  },
  deserialize(topic, data) {
    expectLength('Short', topic, data, 2);
    return data.readInt16BE(0);
  },
};

const byteArraySerde: Serde<Buffer> = {
  name: 'ByteArray',
  serialize: (_topic, data) => data,
  deserialize: (_topic, data) => data,
};

const booleanSerde: Serde<boolean> = {
  name: 'Boolean',
  serialize: (_topic, data) => Buffer.from([data ? 1 : 0]),
  deserialize(topic, data) {
    expectLength('Boolean', topic, data, 1);
    if (data[0] !== 0 && data[0] !== 1) {
      throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `Boolean serde expects byte 0 or 1, got ${data[0]} on topic '${topic}'`, { context: { topic, serde: 'Boolean' } });
    }
    return data[0] === 1;
  },
};

/** Always null; the key serde for streams that have no keys. */
const voidSerde: Serde<null> = {
  name: 'Void',
  serialize(topic) {
    throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `Void serde can only write null, but got a value for topic '${topic}'`, { context: { topic, serde: 'Void' } });
  },
  deserialize(topic) {
    throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `Void serde expects null payloads, but got data on topic '${topic}'`, { context: { topic, serde: 'Void' } });
  },
};

function jsonSerde<T>(): Serde<T> {
  return {
    name: 'Json',
    serialize(topic, data) {
      let text: string | undefined;
      try {
        text = JSON.stringify(data);
      } catch (err) {
        throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `Json serde could not serialize a value for topic '${topic}': ${(err as Error).message}`, {
          cause: err,
          context: { topic, serde: 'Json' },
        });
      }
      if (text === undefined) {
        throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `Json serde cannot represent ${typeof data} values (topic '${topic}')`, { context: { topic, serde: 'Json' } });
      }
      return Buffer.from(text, 'utf8');
    },
    deserialize(topic, data) {
      try {
        return JSON.parse(data.toString('utf8')) as T;
      } catch (err) {
        const preview = data.subarray(0, 40).toString('utf8');
        throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `Json serde could not parse ${data.length} bytes on topic '${topic}' (starts with ${JSON.stringify(preview)}): ${(err as Error).message}`, {
          cause: err,
          context: { topic, serde: 'Json' },
        });
      }
    },
  };
}

/** The built-in serdes, named as in Kafka Streams' `Serdes`. */
export const Serdes = {
  String: (): Serde<string> => stringSerde,
  Integer: (): Serde<number> => integerSerde,
  /** 64-bit Java long read as a JavaScript number (throws outside ±2^53-1). */
  Long: (): Serde<number> => longSerde,
  /** 64-bit Java long as a bigint, full range. */
  BigLong: (): Serde<bigint> => bigLongSerde,
  Short: (): Serde<number> => shortSerde,
  Double: (): Serde<number> => doubleSerde,
  Float: (): Serde<number> => floatSerde,
  Boolean: (): Serde<boolean> => booleanSerde,
  ByteArray: (): Serde<Buffer> => byteArraySerde,
  Bytes: (): Serde<Buffer> => byteArraySerde,
  Void: (): Serde<null> => voidSerde,
  Json: <T>(): Serde<T> => jsonSerde<T>(),
};
