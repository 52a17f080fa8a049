// @sluice/serdes: turning typed keys and values into bytes and back.

export type { Serde, Serializer, Deserializer } from './serde.js';
export { serdeFrom } from './serde.js';
export { Serdes } from './primitive-serdes.js';
export { TimeWindow, SessionWindow, Windowed, WindowedSerdes } from './windowed.js';
export type { Window } from './windowed.js';

// Avro with a Confluent-compatible schema registry
export { AvroSerdes } from './avro/index.js';
export type { AvroSerde, AvroSerdeOptions, AvroCompatibility, AvroSchemaText, SchemaRegistryClient, SchemaRegistryArgs, SubjectNameStrategy, SubjectNameContext } from './avro/index.js';
