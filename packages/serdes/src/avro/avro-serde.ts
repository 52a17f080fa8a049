// Owns the Avro serde: Avro binary in the Confluent wire format, with schema ids from a schema
// registry. The processing loop is synchronous and the registry is not, so every registry call
// happens ahead of time — per subject in configure()/prepareTopic(), per unknown writer schema id in
// prepare() — and serialize/deserialize only read the caches those calls fill.
import type { Resolver, Type } from 'avsc';
import { ErrorCodes, SerdeError, describeError } from '@sluice/common';
import type { Serde } from '../serde.js';
import type { ResolvedAvroOptions } from './options.js';
import { fetchWriterType, lookUpSchemaId, registerSchema } from './registry.js';
import { frame, peekSchemaId, unframe } from './wire-format.js';

/** A Serde for Avro records whose registry work is explicit: await prepareTopic(topic) before writing. */
export interface AvroSerde<T> extends Serde<T> {
  /** The reader schema, which is also the writer schema when serializing. */
  readonly type: Type;
  /** Registers (or looks up) the schema when the subject does not depend on the topic; otherwise nothing. */
  configure(): Promise<void>;
  /** Registers (or looks up) the schema under the topic's subject and caches its id. */
  prepareTopic(topic: string): Promise<void>;
  /** Fetches the writer schema of the payload's schema id when it is not cached yet. */
  prepare(topic: string, data: Buffer): Promise<void> | undefined;
}

/** The schema id of a subject, or why the subject has none for our schema (autoRegister: false). */
type SubjectState = { id: number } | { missing: string };

/** Reading with the reader type directly, or through a resolver from the writer schema. */
type ReadPlan = { resolver: Resolver | undefined };

export class ConfluentAvroSerde<T> implements AvroSerde<T> {
  readonly name: string;
  readonly type: Type;
  private readonly subjectOfTopic = new Map<string, string>();
  private readonly subjects = new Map<string, SubjectState>();
  private readonly preparingSubjects = new Map<string, Promise<void>>();
  private readonly subjectFailures = new Map<string, string>();
  private readonly writers = new Map<number, Type>();
  private readonly readPlans = new Map<number, ReadPlan>();
  private readonly fetchingWriters = new Map<number, Promise<void>>();
  private readonly fetchFailures = new Map<number, string>();

  constructor(private readonly options: ResolvedAvroOptions) {
    this.name = options.name;
    this.type = options.type;
  }

  configure(): Promise<void> {
    const { subjects } = this.options;
    return subjects.topicIndependent ? this.prepareSubject(subjects.subjectFor('')) : Promise.resolve();
  }

  prepareTopic(topic: string): Promise<void> {
    try {
      return this.prepareSubject(this.subjectOf(topic));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  prepare(topic: string, data: Buffer): Promise<void> | undefined {
    const schemaId = peekSchemaId(data);
    // not in the wire format: deserialize reports that, synchronously and with the topic
    if (schemaId === undefined || this.writers.has(schemaId)) return undefined;
    return this.fetchWriter(schemaId, topic);
  }

  serialize(topic: string, data: T): Buffer {
    const subject = this.subjectOf(topic);
    const state = this.subjects.get(subject);
    if (state === undefined) throw this.unprepared(topic, subject);
    if ('missing' in state) {
      throw new SerdeError(
        ErrorCodes.SERIALIZATION_FAILED,
        `${this.name} serde cannot write to topic '${topic}': its schema is not registered under subject '${subject}' in the schema registry ${this.options.registry.where} ` +
          `(the registry said: ${state.missing}) and autoRegister is false; register the schema under that subject, or create the serde with autoRegister: true`,
        { context: { topic, subject, serde: this.name, registry: this.options.registry.url } },
      );
    }
    let payload: Buffer;
    try {
      payload = this.type.toBuffer(data);
    } catch (err) {
      throw new SerdeError(
        ErrorCodes.SERIALIZATION_FAILED,
        `${this.name} serde cannot write a value for topic '${topic}' that does not match the schema: ${invalidFields(this.type, data) ?? describeError(err)}`,
        { cause: err, context: { topic, subject, serde: this.name } },
      );
    }
    return frame(state.id, payload);
  }

  deserialize(topic: string, data: Buffer): T {
    const { schemaId, payload } = unframe(this.name, topic, data);
    const plan = this.readPlan(topic, schemaId);
    try {
      return this.type.fromBuffer(payload, plan.resolver) as T;
    } catch (err) {
      throw new SerdeError(
        ErrorCodes.DESERIALIZATION_FAILED,
        `${this.name} serde could not decode a record on topic '${topic}' written with schema id ${schemaId}: ${describeError(err)}; ` +
          `the bytes do not match the schema that id names (corrupt data, or a producer that wrote another schema under this id)`,
        { cause: err, context: { topic, schemaId, serde: this.name } },
      );
    }
  }

  private subjectOf(topic: string): string {
    let subject = this.subjectOfTopic.get(topic);
    if (subject === undefined) {
      subject = this.options.subjects.subjectFor(topic);
      if (typeof subject !== 'string' || subject.length === 0) {
        throw new SerdeError(ErrorCodes.SERDE_FAILED, `${this.name} serde: the subjectNameStrategy returned ${JSON.stringify(subject)} for topic '${topic}'; it must return a subject name`, {
          context: { topic, serde: this.name },
        });
      }
      this.subjectOfTopic.set(topic, subject);
    }
    return subject;
  }

  private prepareSubject(subject: string): Promise<void> {
    if (this.subjects.has(subject)) return Promise.resolve();
    let pending = this.preparingSubjects.get(subject);
    if (pending === undefined) {
      const { registry, schemaText, autoRegister, compatibility } = this.options;
      const lookup = autoRegister ? registerSchema(registry, subject, schemaText, compatibility) : lookUpSchemaId(registry, subject, schemaText);
      pending = lookup
        .then(
          (result) => {
            const state = typeof result === 'number' ? { id: result } : result;
            this.subjects.set(subject, state);
            this.subjectFailures.delete(subject);
            // records this serde writes decode without asking the registry
            if ('id' in state) this.writers.set(state.id, this.type);
          },
          (err: unknown) => {
            this.subjectFailures.set(subject, describeError(err));
            throw err;
          },
        )
        .finally(() => this.preparingSubjects.delete(subject));
      this.preparingSubjects.set(subject, pending);
    }
    return pending;
  }

  private fetchWriter(schemaId: number, topic: string): Promise<void> {
    let pending = this.fetchingWriters.get(schemaId);
    if (pending === undefined) {
      pending = fetchWriterType(this.options.registry, schemaId, topic)
        .then(
          (writer) => {
            this.writers.set(schemaId, writer);
            this.fetchFailures.delete(schemaId);
          },
          (err: unknown) => {
            this.fetchFailures.set(schemaId, describeError(err));
            throw err;
          },
        )
        .finally(() => this.fetchingWriters.delete(schemaId));
      this.fetchingWriters.set(schemaId, pending);
    }
    return pending;
  }

  private readPlan(topic: string, schemaId: number): ReadPlan {
    const cached = this.readPlans.get(schemaId);
    if (cached) return cached;
    const writer = this.writers.get(schemaId);
    if (writer === undefined) throw this.unknownWriter(topic, schemaId);
    let plan: ReadPlan;
    try {
      // equal canonical forms have identical encodings: no resolution needed
      plan = { resolver: writer === this.type || writer.equals(this.type) ? undefined : this.type.createResolver(writer) };
    } catch (err) {
      throw new SerdeError(
        ErrorCodes.DESERIALIZATION_FAILED,
        `${this.name} serde cannot read records on topic '${topic}' written with schema id ${schemaId} (${writer.name ?? writer.typeName}): ${describeError(err)}; ` +
          `the reader schema must be able to resolve the writer's — give fields the writer lacks a default, and keep field types promotable`,
        { cause: err, context: { topic, schemaId, serde: this.name } },
      );
    }
    this.readPlans.set(schemaId, plan);
    return plan;
  }

  private unprepared(topic: string, subject: string): SerdeError {
    const failure = this.subjectFailures.get(subject);
    return new SerdeError(
      ErrorCodes.SERIALIZATION_FAILED,
      `${this.name} serde has no schema id for topic '${topic}' (subject '${subject}'): prepareTopic('${topic}') ` +
        (failure ? `failed: ${failure}` : `was not run before serialize`) +
        `. The Sluice runtime runs it for every source and sink topic at start-up; with TopologyTestDriver or a serde used by hand, await serde.prepareTopic('${topic}') first`,
      { context: { topic, subject, serde: this.name } },
    );
  }

  private unknownWriter(topic: string, schemaId: number): SerdeError {
    const failure = this.fetchFailures.get(schemaId);
    return new SerdeError(
      ErrorCodes.DESERIALIZATION_FAILED,
      `${this.name} serde does not know schema id ${schemaId} of a record on topic '${topic}' (schema registry ${this.options.registry.where}): ` +
        (failure ? `fetching it in prepare() failed: ${failure}` : `prepare(topic, data) was not awaited before deserialize, so the writer schema was never fetched`) +
        `. The Sluice runtime calls prepare for you; when using the serde by hand, await serde.prepare(topic, data) before deserialize`,
      { context: { topic, schemaId, serde: this.name, registry: this.options.registry.url } },
    );
  }
}

/** What is wrong with a value that does not match the schema, field by field (at most three). */
function invalidFields(type: Type, data: unknown): string | undefined {
  const problems: string[] = [];
  type.isValid(data, {
    errorHook: (path, value, fieldType) => {
      if (problems.length < 3) problems.push(`${path.length > 0 ? `field '${path.join('.')}'` : 'the value'} is ${preview(value)}, expected ${fieldType.name ?? fieldType.typeName}`);
    },
  });
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function preview(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}
