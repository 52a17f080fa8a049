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

/** Refuses (before writing) a number that is not a `bits`-bit two's complement integer. */
function integerOfBits(name: string, bits: number, hint: string): (topic: string, data: number) => void {
  const max = 2 ** (bits - 1) - 1;
  const min = -max - 1;
  return (topic, data) => {
    if (!Number.isInteger(data) || data < min || data > max) {
      throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `${name} serde can write ${bits}-bit integers only, got ${data} for topic '${topic}'${hint}`, { context: { topic, serde: name } });
    }
  };
}

/**
 * A serde of values written as exactly `size` bytes: `check` refuses what cannot be written, before
 * any bytes are; `read` is called only with data of the right length.
 */
function fixedWidthSerde<T>(spec: {
  readonly name: string;
  readonly size: number;
  readonly check?: (topic: string, data: T) => void;
  readonly write: (out: Buffer, data: T) => void;
  readonly read: (data: Buffer, topic: string) => T;
}): Serde<T> {
  const { name, size, check, write, read } = spec;
  return {
    name,
    serialize(topic, data) {
      if (check !== undefined) check(topic, data);
      const b = Buffer.allocUnsafe(size);
      write(b, data);
      return b;
    },
    deserialize(topic, data) {
      expectLength(name, topic, data, size);
      return read(data, topic);
    },
  };
}

const integerSerde = fixedWidthSerde<number>({
  name: 'Integer',
  size: 4,
  check: integerOfBits('Integer', 32, '; use Serdes.Long() or Serdes.Double()'),
  write: (out, data) => out.writeInt32BE(data, 0),
  read: (data) => data.readInt32BE(0),
});

const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIGINT = BigInt(Number.MIN_SAFE_INTEGER);

const longSerde = fixedWidthSerde<number>({
  name: 'Long',
  size: 8,
  check(topic, data) {
    if (!Number.isSafeInteger(data)) {
      throw new SerdeError(
        ErrorCodes.SERIALIZATION_FAILED,
        `Long serde writes JavaScript numbers that are safe integers (|n| <= 2^53-1), got ${data} for topic '${topic}'; use Serdes.BigLong() for the full 64-bit range`,
        { context: { topic, serde: 'Long' } },
      );
    }
  },
  write: (out, data) => out.writeBigInt64BE(BigInt(data), 0),
  read(data, topic) {
    const v = data.readBigInt64BE(0);
    if (v > MAX_SAFE_BIGINT || v < MIN_SAFE_BIGINT) {
      throw new SerdeError(
        ErrorCodes.DESERIALIZATION_FAILED,
        `Long serde read ${v} on topic '${topic}', outside JavaScript's safe integer range; use Serdes.BigLong() to read it as a bigint`,
        { context: { topic, serde: 'Long' } },
      );
    }
    return Number(v);
  },
});

const bigLongSerde = fixedWidthSerde<bigint>({ name: 'BigLong', size: 8, write: (out, data) => out.writeBigInt64BE(data, 0), read: (data) => data.readBigInt64BE(0) });
const doubleSerde = fixedWidthSerde<number>({ name: 'Double', size: 8, write: (out, data) => out.writeDoubleBE(data, 0), read: (data) => data.readDoubleBE(0) });
const floatSerde = fixedWidthSerde<number>({ name: 'Float', size: 4, write: (out, data) => out.writeFloatBE(data, 0), read: (data) => data.readFloatBE(0) });

const shortSerde = fixedWidthSerde<number>({
  name: 'Short',
  size: 2,
  check: integerOfBits('Short', 16, ''),
  write: (out, data) => out.writeInt16BE(data, 0),
  read: (data) => data.readInt16BE(0),
});

const byteArraySerde: Serde<Buffer> = {
  name: 'ByteArray',
  serialize: (_topic, data) => data,
  deserialize: (_topic, data) => data,
};

const booleanSerde = fixedWidthSerde<boolean>({
  name: 'Boolean',
  size: 1,
  write: (out, data) => {
    out[0] = data ? 1 : 0;
  },
  read(data, topic) {
    if (data[0] !== 0 && data[0] !== 1) {
      throw new SerdeError(ErrorCodes.DESERIALIZATION_FAILED, `Boolean serde expects byte 0 or 1, got ${data[0]} on topic '${topic}'`, { context: { topic, serde: 'Boolean' } });
    }
    return data[0] === 1;
  },
});

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
