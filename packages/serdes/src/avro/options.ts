// Owns the Avro serde's options: what users pass, validated once when the serde is created, and the
// resolved settings the serde runs with.
import avro, { type Schema, type Type } from 'avsc';
import { ConfigError } from '@sluice/common';
import { connectRegistry, type AvroCompatibility, type RegistryHandle, type SchemaRegistryArgs, type SchemaRegistryClient } from './registry.js';
import { subjectNamer, type SubjectNameStrategy, type SubjectNamer } from './subject-names.js';

export interface AvroSerdeOptions {
  /** A `SchemaRegistry` from @kafkajs/confluent-schema-registry, or what its constructor takes (`{ host, auth?, retry? }`). */
  registry: SchemaRegistryClient | SchemaRegistryArgs;
  /**
   * The reader schema, and the writer schema when serializing: an avsc Type, an Avro schema object,
   * or its JSON text. Objects are checked by avsc when the serde is created (avsc's own `Schema`
   * type rejects `as const` and non-literal objects, so it is not required here).
   */
  schema: Type | Schema | object | string;
  /** A fixed subject for every topic; replaces subjectNameStrategy. */
  subject?: string;
  /** How a topic maps to a subject; TopicNameStrategy (`<topic>-key` / `<topic>-value`) by default. */
  subjectNameStrategy?: SubjectNameStrategy;
  /** Register the schema under the subject when preparing a topic (default true); when false, only look its id up. */
  autoRegister?: boolean;
  /** The compatibility level the subject must have (set on first registration); BACKWARD by default. */
  compatibility?: AvroCompatibility;
}

export interface ResolvedAvroOptions {
  readonly registry: RegistryHandle;
  readonly type: Type;
  /** The schema as registered: JSON with defaults and other attributes kept. */
  readonly schemaText: string;
  readonly subjects: SubjectNamer;
  readonly autoRegister: boolean;
  readonly compatibility: AvroCompatibility;
  readonly name: string;
}

const LEVELS: readonly AvroCompatibility[] = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

export function resolveAvroOptions(options: AvroSerdeOptions, isKey: boolean): ResolvedAvroOptions {
  const which = isKey ? 'AvroSerdes.key' : 'AvroSerdes.value';
  if (typeof options !== 'object' || options === null) throw new ConfigError(`${which}() needs options: { registry, schema }`);
  const registry = options.registry as Partial<SchemaRegistryClient & SchemaRegistryArgs> | undefined;
  if (typeof registry !== 'object' || registry === null || (typeof registry.register !== 'function' && typeof registry.host !== 'string')) {
    throw new ConfigError(`${which}() needs options.registry: a SchemaRegistry from @kafkajs/confluent-schema-registry or { host: 'http://registry:8081' }`);
  }
  const type = parseSchema(which, options.schema);
  const compatibility = options.compatibility ?? 'BACKWARD';
  if (!LEVELS.includes(compatibility)) {
    throw new ConfigError(`${which}(): unknown compatibility ${JSON.stringify(compatibility)}; use one of ${LEVELS.join(', ')}`);
  }
  const autoRegister = options.autoRegister ?? true;
  if (autoRegister && type.name === undefined) {
    // @kafkajs/confluent-schema-registry refuses to register schemas without a name
    throw new ConfigError(
      `${which}(): the schema ${JSON.stringify(type.schema())} has no name, and the registry client can register only named schemas (record, enum, fixed); ` +
        `register it yourself and pass autoRegister: false, or wrap the value in a record`,
    );
  }
  return {
    registry: connectRegistry(options.registry),
    type,
    schemaText: JSON.stringify(type.schema({ exportAttrs: true })),
    subjects: subjectNamer({ subject: options.subject, strategy: options.subjectNameStrategy, isKey, recordName: type.name }),
    autoRegister,
    compatibility,
    name: `Avro<${type.name ?? type.typeName}>`,
  };
}

function parseSchema(which: string, schema: AvroSerdeOptions['schema']): Type {
  if (schema === undefined || schema === null) throw new ConfigError(`${which}() needs options.schema: an avsc Type, an Avro schema object or its JSON text`);
  if (avro.Type.isType(schema)) return schema as Type;
  let definition: unknown = schema;
  if (typeof schema === 'string') {
    try {
      definition = JSON.parse(schema);
    } catch {
      definition = schema; // a bare type name such as string or int
    }
  }
  try {
    return avro.Type.forSchema(definition as Schema);
  } catch (err) {
    throw new ConfigError(`${which}(): options.schema is not a valid Avro schema: ${(err as Error).message}`, { cause: err });
  }
}
