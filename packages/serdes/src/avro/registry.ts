// Owns the serde's side of the schema registry: the three calls an Avro serde makes (register,
// look up an id, fetch a writer schema), the client made from `{ host }` options, and the
// translation of the client's errors into SerdeErrors that say what went wrong and what to do.
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro, { type Type } from 'avsc';
import { ErrorCodes, SerdeError } from '@sluice/common';

/** A subject's compatibility level, as the registry spells it. */
export type AvroCompatibility = `${COMPATIBILITY}`;

export interface AvroSchemaText {
  type: SchemaType.AVRO;
  /** The schema as JSON text. */
  schema: string;
}

/**
 * The part of `SchemaRegistry` from @kafkajs/confluent-schema-registry that the Avro serde uses; a
 * `SchemaRegistry` instance fits it.
 */
export interface SchemaRegistryClient {
  register(schema: AvroSchemaText, options: { subject: string; compatibility?: COMPATIBILITY }): Promise<{ id: number }>;
  getRegistryIdBySchema(subject: string, schema: AvroSchemaText): Promise<number>;
  /** For an Avro schema id, an avsc Type. */
  getSchema(registryId: number): Promise<unknown>;
}

/** What `new SchemaRegistry(...)` takes: at least `{ host }`, optionally auth, retry, clientId. */
export type SchemaRegistryArgs = ConstructorParameters<typeof SchemaRegistry>[0];

/** A registry client and how error messages name it. */
export interface RegistryHandle {
  readonly client: SchemaRegistryClient;
  /** "at http://host:8081" or a note that the URL is inside a client Sluice did not create. */
  readonly where: string;
  readonly url: string | undefined;
}

export function connectRegistry(registry: SchemaRegistryClient | SchemaRegistryArgs): RegistryHandle {
  if (isClient(registry)) return { client: registry, where: '(the client passed as options.registry)', url: undefined };
  const client = new SchemaRegistry(registry);
  return { client, where: `at ${registry.host}`, url: registry.host };
}

function isClient(registry: SchemaRegistryClient | SchemaRegistryArgs): registry is SchemaRegistryClient {
  return typeof (registry as Partial<SchemaRegistryClient>).register === 'function';
}

interface ClientFailure {
  message: string;
  status: number | undefined;
  unreachable: boolean;
  request: string | undefined;
}

const NETWORK_ERROR = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|socket hang up|timeout/i;

/** The client reports network failures as HTTP 400 with the socket error as the message. */
function describeFailure(err: unknown): ClientFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; status?: unknown; url?: unknown };
  const raw = typeof e.message === 'string' ? e.message : String(err);
  const status = typeof e.status === 'number' ? e.status : undefined;
  const unreachable = (status === undefined || status === 400) && NETWORK_ERROR.test(raw);
  let message = raw.replace(/^Confluent_Schema_Registry - /, '').replace(/\.$/, '');
  if (unreachable) message = message.replace(/^Error, status 400: /, '');
  return { message, status, unreachable, request: typeof e.url === 'string' ? e.url : undefined };
}

function unreachableError(registry: RegistryHandle, doing: string, failure: ClientFailure, code: SerdeErrorCode, context: Record<string, unknown>, cause: unknown): SerdeError {
  const request = failure.request && registry.url === undefined ? ` (request: ${failure.request})` : '';
  return new SerdeError(
    code,
    `could not reach the schema registry ${registry.where} to ${doing}: ${failure.message}${request}; check that the registry runs and that options.registry points at it`,
    { cause, retriable: true, context: { ...context, registry: registry.url } },
  );
}

type SerdeErrorCode = typeof ErrorCodes.SERIALIZATION_FAILED | typeof ErrorCodes.DESERIALIZATION_FAILED;

/** Registers the schema under the subject (a no-op in the registry when it is already there) and returns its id. */
export async function registerSchema(registry: RegistryHandle, subject: string, schema: string, compatibility: AvroCompatibility): Promise<number> {
  const context = { subject, compatibility, registry: registry.url };
  try {
    const { id } = await registry.client.register({ type: SchemaType.AVRO, schema }, { subject, compatibility: COMPATIBILITY[compatibility] });
    return id;
  } catch (err) {
    const failure = describeFailure(err);
    if (failure.unreachable) throw unreachableError(registry, `register subject '${subject}'`, failure, ErrorCodes.SERIALIZATION_FAILED, context, err);
    const levels = /\((\w+) != (\w+)\)/.exec(failure.message);
    if ((err as Error | undefined)?.name === 'ConfluentSchemaRegistryCompatibilityError' && levels) {
      const subjectLevel = levels[2] ?? '?';
      throw new SerdeError(
        ErrorCodes.SERIALIZATION_FAILED,
        `Avro serde did not register its schema under subject '${subject}': the subject's compatibility level in the registry ${registry.where} is ${subjectLevel} ` +
          `but the serde asks for ${compatibility}; pass compatibility: '${subjectLevel}' to the serde, or set the subject's level to ${compatibility} ` +
          `(PUT ${registry.url ?? ''}/config/${subject} with {"compatibility":"${compatibility}"})`,
        { cause: err, context: { ...context, subjectCompatibility: subjectLevel } },
      );
    }
    if (failure.status === 409) {
      throw new SerdeError(
        ErrorCodes.SERIALIZATION_FAILED,
        `the schema registry ${registry.where} refused the schema for subject '${subject}' as incompatible with its registered versions under ${compatibility} compatibility: ${failure.message}; ` +
          `evolve the schema compatibly (give new fields defaults, keep field types) or set compatibility on the serde and the subject to a level that allows the change`,
        { cause: err, context },
      );
    }
    const status = failure.status === undefined ? '' : ` (HTTP ${failure.status})`;
    throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `the schema registry ${registry.where} could not register a schema under subject '${subject}'${status}: ${failure.message}`, {
      cause: err,
      retriable: failure.status !== undefined && failure.status >= 500,
      context,
    });
  }
}

/**
 * The id of the schema in the subject, or the registry's answer when it is not registered there
 * (that only matters once the serde writes, so it is not an error yet).
 */
export async function lookUpSchemaId(registry: RegistryHandle, subject: string, schema: string): Promise<number | { missing: string }> {
  try {
    return await registry.client.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema });
  } catch (err) {
    const failure = describeFailure(err);
    const context = { subject, registry: registry.url };
    if (failure.unreachable) throw unreachableError(registry, `look up the schema of subject '${subject}'`, failure, ErrorCodes.SERIALIZATION_FAILED, context, err);
    // the client turns the registry's 404 into a plain ConfluentSchemaRegistryError
    if (failure.status === 404 || (err as Error | undefined)?.name === 'ConfluentSchemaRegistryError') return { missing: failure.message };
    throw new SerdeError(ErrorCodes.SERIALIZATION_FAILED, `the schema registry ${registry.where} could not look up the schema of subject '${subject}': ${failure.message}`, {
      cause: err,
      retriable: failure.status !== undefined && failure.status >= 500,
      context,
    });
  }
}

/** Fetches the writer schema of `schemaId` as an avsc Type. */
export async function fetchWriterType(registry: RegistryHandle, schemaId: number, topic: string): Promise<Type> {
  const context = { topic, schemaId, registry: registry.url };
  let found: unknown;
  try {
    found = await registry.client.getSchema(schemaId);
  } catch (err) {
    const failure = describeFailure(err);
    if (failure.unreachable) {
      throw unreachableError(registry, `fetch schema id ${schemaId} for a record on topic '${topic}'`, failure, ErrorCodes.DESERIALIZATION_FAILED, context, err);
    }
    const hint =
      failure.status === 404
        ? '; the record was written against another schema registry, or the schema was deleted — point options.registry at the registry the producer used'
        : '';
    throw new SerdeError(
      ErrorCodes.DESERIALIZATION_FAILED,
      `the schema registry ${registry.where} could not give schema id ${schemaId} for a record on topic '${topic}': ${failure.message}${hint}`,
      { cause: err, retriable: failure.status !== undefined && failure.status >= 500, context },
    );
  }
  if (!avro.Type.isType(found)) {
    throw new SerdeError(
      ErrorCodes.DESERIALIZATION_FAILED,
      `schema id ${schemaId} (record on topic '${topic}') is not an Avro schema in the registry ${registry.where}; the topic holds JSON Schema or Protobuf data — read it with a matching serde`,
      { context },
    );
  }
  if (found instanceof avro.Type) return found;
  // a Type from another copy of avsc cannot resolve against ours: rebuild it from its schema
  return avro.Type.forSchema((found as Type).schema({ exportAttrs: true }));
}
