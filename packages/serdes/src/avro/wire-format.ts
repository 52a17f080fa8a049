// Owns the Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian integer, then
// the Avro binary encoding. Every Confluent serializer (Java, Go, Python, .NET) writes this frame.
import { ErrorCodes, SerdeError } from '@sluice/common';

export const MAGIC_BYTE = 0;
export const HEADER_SIZE = 5;

export function frame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out.writeUInt8(MAGIC_BYTE, 0);
  out.writeInt32BE(schemaId, 1);
  payload.copy(out, HEADER_SIZE);
  return out;
}

/** The schema id of a framed payload, or undefined when `data` is not in the wire format. */
export function peekSchemaId(data: Buffer): number | undefined {
  if (data.length < HEADER_SIZE || data[0] !== MAGIC_BYTE) return undefined;
  return data.readInt32BE(1);
}

/** The schema id and the Avro bytes of a framed payload; throws a SerdeError naming the topic otherwise. */
export function unframe(serdeName: string, topic: string, data: Buffer): { schemaId: number; payload: Buffer } {
  const schemaId = peekSchemaId(data);
  if (schemaId === undefined) {
    const why =
      data.length < HEADER_SIZE
        ? `it has ${data.length} bytes, fewer than the ${HEADER_SIZE}-byte header`
        : `its first byte is ${data[0]}, not the magic byte ${MAGIC_BYTE}`;
    throw new SerdeError(
      ErrorCodes.DESERIALIZATION_FAILED,
      `${serdeName} serde could not read a record on topic '${topic}': the data is not in the Confluent wire format (${why}); ` +
        `it was written by another serializer — read the topic with the serde that produced it`,
      { context: { topic, serde: serdeName, length: data.length } },
    );
  }
  return { schemaId, payload: data.subarray(HEADER_SIZE) };
}
