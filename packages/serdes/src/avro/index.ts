// Avro serdes with a Confluent-compatible schema registry: the AvroSerdes factory and its vocabulary.
import { ConfluentAvroSerde, type AvroSerde } from './avro-serde.js';
import { resolveAvroOptions, type AvroSerdeOptions } from './options.js';

export const AvroSerdes = {
  /** Avro record values; subject `<topic>-value` unless options say otherwise. */
  value<T = unknown>(options: AvroSerdeOptions): AvroSerde<T> {
    return new ConfluentAvroSerde<T>(resolveAvroOptions(options, false));
  },
  /** Avro record keys; subject `<topic>-key` unless options say otherwise. */
  key<T = unknown>(options: AvroSerdeOptions): AvroSerde<T> {
    return new ConfluentAvroSerde<T>(resolveAvroOptions(options, true));
  },
};

export type { AvroSerde } from './avro-serde.js';
export type { AvroSerdeOptions } from './options.js';
export type { AvroCompatibility, AvroSchemaText, SchemaRegistryArgs, SchemaRegistryClient } from './registry.js';
export type { SubjectNameContext, SubjectNameStrategy } from './subject-names.js';
