// Unit tests of the Avro serde against an in-process FAKE of the three registry calls the serde makes.
// The fake imitates the error shapes @kafkajs/confluent-schema-registry 3.9 produces (seen against
// Apicurio); it is not a registry. test/integration/avro-serde.test.ts runs the same paths for real.
import { describe, expect, expectTypeOf, it } from 'vitest';
import avro, { type Schema, type Type } from 'avsc';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ErrorCodes, SerdeError } from '@sluice/common';
import { AvroSerdes, type AvroSchemaText, type AvroSerde, type SchemaRegistryClient } from '../src/index.js';

interface Order {
  id: string;
  amount: number;
}

const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
} as const;
const orderV2 = { ...orderV1, fields: [...orderV1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };
const orderWithoutDefault = { ...orderV1, fields: [...orderV1.fields, { name: 'currency', type: 'string' }] };

/** avsc's Schema type does not accept `as const` objects; avsc checks the schema at run time. */
function avroType(schema: unknown): Type {
  return avro.Type.forSchema(schema as Schema);
}

function namedError(name: string, message: string, status?: number): Error {
  const err = new Error(message) as Error & { status?: number };
  err.name = name;
  if (status !== undefined) err.status = status;
  return err;
}

/** FAKE registry for unit tests only: ids by schema text, latest-version BACKWARD checks via avsc. */
class FakeRegistry implements SchemaRegistryClient {
  readonly calls = { register: 0, lookup: 0, getSchema: 0 };
  unreachable = false;
  private nextId = 100;
  private readonly ids = new Map<string, number>();
  private readonly texts = new Map<number, string>();
  private readonly subjects = new Map<string, { level: COMPATIBILITY; ids: number[] }>();

  async register(schema: AvroSchemaText, options: { subject: string; compatibility?: COMPATIBILITY }): Promise<{ id: number }> {
    this.calls.register++;
    this.failIfUnreachable('get', `/config/${options.subject}`);
    const level = options.compatibility ?? COMPATIBILITY.BACKWARD;
    const subject = this.subjects.get(options.subject) ?? { level, ids: [] };
    if (subject.level !== level) {
      throw namedError('ConfluentSchemaRegistryCompatibilityError', `Compatibility does not match the configuration (${level} != ${subject.level})`);
    }
    const latest = subject.ids.at(-1);
    if (latest !== undefined && level !== COMPATIBILITY.NONE) {
      try {
        avroType(JSON.parse(schema.schema)).createResolver(avroType(JSON.parse(this.texts.get(latest)!)));
      } catch (err) {
        throw namedError('ResponseError', `Confluent_Schema_Registry - Incompatible artifact: ${(err as Error).message}`, 409);
      }
    }
    const id = this.idOf(schema.schema);
    if (!subject.ids.includes(id)) subject.ids.push(id);
    this.subjects.set(options.subject, subject);
    return { id };
  }

  async getRegistryIdBySchema(subject: string, schema: AvroSchemaText): Promise<number> {
    this.calls.lookup++;
    this.failIfUnreachable('post', `/subjects/${subject}`);
    const id = this.idOf(schema.schema);
    if (id === undefined || !this.subjects.get(subject)?.ids.includes(id)) {
      throw namedError('ConfluentSchemaRegistryError', `Confluent_Schema_Registry - The given schema does not match any schema under the subject ${subject}`);
    }
    return id;
  }

  async getSchema(registryId: number): Promise<unknown> {
    this.calls.getSchema++;
    this.failIfUnreachable('get', `/schemas/ids/${registryId}`);
    const text = this.texts.get(registryId);
    if (text === undefined) throw namedError('ResponseError', `Confluent_Schema_Registry - No content with id/hash 'contentId-${registryId}' was found.`, 404);
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'schemaType' in parsed ? { jsonSchema: parsed } : avroType(parsed);
  }

  /** Registers a schema as another producer would, bypassing any serde. */
  seed(subject: string, schema: unknown): number {
    const id = this.idOf(JSON.stringify(schema));
    const entry = this.subjects.get(subject) ?? { level: COMPATIBILITY.BACKWARD, ids: [] };
    entry.ids.push(id);
    this.subjects.set(subject, entry);
    return id;
  }

  setLevel(subject: string, level: COMPATIBILITY): void {
    this.subjects.set(subject, { level, ids: this.subjects.get(subject)?.ids ?? [] });
  }

  /** Same schema, same id: schemas are compared in avsc's normalized form, as a registry compares parsed schemas. */
  private idOf(text: string): number {
    const parsed: unknown = JSON.parse(text);
    const isAvro = !(typeof parsed === 'object' && parsed !== null && 'schemaType' in parsed);
    const key = isAvro ? JSON.stringify(avroType(parsed).schema({ exportAttrs: true })) : text;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.ids.set(key, id);
      this.texts.set(id, text);
    }
    return id;
  }

  private failIfUnreachable(method: string, path: string): void {
    if (this.unreachable) {
      const err = namedError('ResponseError', 'Confluent_Schema_Registry - Error, status 400: connect ECONNREFUSED 127.0.0.1:1', 400) as Error & { url?: string };
      err.url = `${method} http://127.0.0.1:1${path}`;
      throw err;
    }
  }
}

function serdeError(fn: () => unknown): SerdeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SerdeError);
    return err as SerdeError;
  }
  throw new Error('expected a SerdeError, but nothing was thrown');
}

async function rejection(promise: Promise<unknown> | undefined): Promise<SerdeError> {
  expect(promise).toBeInstanceOf(Promise);
  const err = await promise!.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SerdeError);
  return err as SerdeError;
}

describe('Avro serde writes and reads the Confluent wire format', () => {
  it('frames avro binary with magic byte 0 and the id registered under <topic>-value', async () => {
    const registry = new FakeRegistry();
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    expectTypeOf(serde).toEqualTypeOf<AvroSerde<Order>>();
    await serde.prepareTopic('orders');
    const id = await registry.getRegistryIdBySchema('orders-value', { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) });

    const bytes = serde.serialize('orders', { id: 'o-1', amount: 12.5 });
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(bytes.subarray(5)).toEqual(avroType(orderV1).toBuffer({ id: 'o-1', amount: 12.5 }));
    // its own records decode without a registry round trip
    expect(serde.prepare('orders', bytes)).toBeUndefined();
    expect(serde.deserialize('orders', bytes)).toEqual({ id: 'o-1', amount: 12.5 });
    expect(serde.name).toBe('Avro<dev.sluice.test.Order>');
  });

  it('registers each subject once, however often and concurrently topics are prepared', async () => {
    const registry = new FakeRegistry();
    const serde = AvroSerdes.key<Order>({ registry, schema: JSON.stringify(orderV1) });
    await Promise.all([serde.prepareTopic('a'), serde.prepareTopic('a'), serde.prepareTopic('b')]);
    await serde.prepareTopic('a');
    expect(registry.calls.register).toBe(2);
    expect(await registry.getRegistryIdBySchema('a-key', { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) })).toBeGreaterThan(0);
  });

  it('refuses to serialize for a topic that prepareTopic did not run for, naming the topic and what to do', () => {
    const serde = AvroSerdes.value<Order>({ registry: new FakeRegistry(), schema: orderV1 });
    const err = serdeError(() => serde.serialize('payments', { id: 'x', amount: 1 }));
    expect(err.code).toBe(ErrorCodes.SERIALIZATION_FAILED);
    expect(err.message).toContain("topic 'payments'");
    expect(err.message).toContain("subject 'payments-value'");
    expect(err.message).toContain("await serde.prepareTopic('payments')");
  });

  it('names the fields of a value that does not match the schema', async () => {
    const serde = AvroSerdes.value<Order>({ registry: new FakeRegistry(), schema: orderV1 });
    await serde.prepareTopic('orders');
    const err = serdeError(() => serde.serialize('orders', { id: 'o-1', amount: 'ten' } as unknown as Order));
    expect(err.code).toBe(ErrorCodes.SERIALIZATION_FAILED);
    expect(err.message).toMatch(/field 'amount' is "ten", expected double/);
  });
});

describe('Avro serde reads records written with other schemas', () => {
  it('fetches an unknown writer schema in prepare() and resolves it into the reader schema', async () => {
    const registry = new FakeRegistry();
    const writer = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    await writer.prepareTopic('orders');
    const bytes = writer.serialize('orders', { id: 'o-1', amount: 3 });

    const reader = AvroSerdes.value<Order & { currency: string }>({ registry, schema: avroType(orderV2), autoRegister: false });
    const before = registry.calls.getSchema;
    await Promise.all([reader.prepare('orders', bytes), reader.prepare('orders', bytes)]);
    expect(registry.calls.getSchema - before).toBe(1);
    expect(reader.prepare('orders', bytes)).toBeUndefined();
    expect(reader.deserialize('orders', bytes)).toEqual({ id: 'o-1', amount: 3, currency: 'EUR' });
  });

  it('explains a deserialize of an unknown schema id without prepare, naming topic, id and registry URL', () => {
    const serde = AvroSerdes.value<Order>({ registry: { host: 'http://registry.test:8081' }, schema: orderV1 });
    const payload = Buffer.concat([Buffer.from([0, 0, 0, 0, 42]), Buffer.from('xx')]);
    const err = serdeError(() => serde.deserialize('orders', payload));
    expect(err.code).toBe(ErrorCodes.DESERIALIZATION_FAILED);
    expect(err.message).toContain("topic 'orders'");
    expect(err.message).toContain('schema id 42');
    expect(err.message).toContain('http://registry.test:8081');
    expect(err.message).toContain('await serde.prepare(topic, data)');
  });

  it('rejects data that is not in the wire format, naming the topic', () => {
    const serde = AvroSerdes.value<Order>({ registry: new FakeRegistry(), schema: orderV1 });
    for (const data of [Buffer.from('{"id":"o-1"}'), Buffer.from([0, 0, 1])]) {
      expect(serde.prepare('orders', data)).toBeUndefined();
      const err = serdeError(() => serde.deserialize('orders', data));
      expect(err.code).toBe(ErrorCodes.DESERIALIZATION_FAILED);
      expect(err.message).toContain("topic 'orders'");
      expect(err.message).toContain('not in the Confluent wire format');
    }
  });

  it('reports a payload whose bytes do not match the schema its id names', async () => {
    const registry = new FakeRegistry();
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    await serde.prepareTopic('orders');
    const good = serde.serialize('orders', { id: 'o-1', amount: 1 });
    const err = serdeError(() => serde.deserialize('orders', good.subarray(0, good.length - 3)));
    expect(err.code).toBe(ErrorCodes.DESERIALIZATION_FAILED);
    expect(err.message).toMatch(/could not decode a record on topic 'orders' written with schema id \d+: .*truncated/);
  });

  it('says when the reader schema cannot resolve the writer schema', async () => {
    const registry = new FakeRegistry();
    const writer = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    await writer.prepareTopic('orders');
    const bytes = writer.serialize('orders', { id: 'o-1', amount: 1 });
    const reader = AvroSerdes.value({ registry, schema: orderWithoutDefault, autoRegister: false });
    await reader.prepare('orders', bytes);
    const err = serdeError(() => reader.deserialize('orders', bytes));
    expect(err.message).toContain('give fields the writer lacks a default');
  });

  it('reports a failed fetch in prepare() and again in a later deserialize; a later prepare retries', async () => {
    const registry = new FakeRegistry();
    const id = registry.seed('orders-value', orderV1);
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), avroType(orderV1).toBuffer({ id: 'o', amount: 2 })]);
    bytes.writeInt32BE(id, 1);
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    registry.unreachable = true;
    const err = await rejection(serde.prepare('orders', bytes));
    expect(err.code).toBe(ErrorCodes.DESERIALIZATION_FAILED);
    expect(err.retriable).toBe(true);
    expect(err.message).toContain(`could not reach the schema registry (the client passed as options.registry) to fetch schema id ${id}`);
    expect(err.message).toContain('ECONNREFUSED');
    expect(serdeError(() => serde.deserialize('orders', bytes)).message).toContain('fetching it in prepare() failed');

    registry.unreachable = false;
    await serde.prepare('orders', bytes);
    expect(serde.deserialize('orders', bytes)).toEqual({ id: 'o', amount: 2 });
  });

  it('says when an id is unknown to the registry, or not an Avro schema', async () => {
    const registry = new FakeRegistry();
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    const missing = await rejection(serde.prepare('orders', Buffer.from([0, 0, 0, 0x30, 0x39, 2])));
    expect(missing.message).toContain('could not give schema id 12345');
    expect(missing.message).toContain('another schema registry');

    const jsonId = registry.seed('other', { schemaType: 'JSON' });
    const json = await rejection(serde.prepare('orders', Buffer.from([0, 0, 0, 0, jsonId, 2])));
    expect(json.message).toContain(`schema id ${jsonId} (record on topic 'orders') is not an Avro schema`);
  });
});

describe('Avro serde registry failures at start-up', () => {
  it('turns an unreachable registry into a retriable error that names the subject and the request', async () => {
    const registry = new FakeRegistry();
    registry.unreachable = true;
    const err = await rejection(AvroSerdes.value({ registry, schema: orderV1 }).prepareTopic('orders'));
    expect(err.retriable).toBe(true);
    expect(err.message).toContain("register subject 'orders-value'");
    expect(err.message).toContain('request: get http://127.0.0.1:1/config/orders-value');
  });

  it('explains an incompatible schema with the registry message and what to do, and serialize repeats it', async () => {
    const registry = new FakeRegistry();
    registry.seed('orders-value', orderV1);
    const serde = AvroSerdes.value({ registry, schema: orderWithoutDefault });
    const err = await rejection(serde.prepareTopic('orders'));
    expect(err.code).toBe(ErrorCodes.SERIALIZATION_FAILED);
    expect(err.context).toMatchObject({ subject: 'orders-value', compatibility: 'BACKWARD' });
    expect(err.message).toContain("refused the schema for subject 'orders-value' as incompatible");
    expect(err.message).toContain('Incompatible artifact');
    expect(err.message).toContain('give new fields defaults');
    expect(serdeError(() => serde.serialize('orders', {})).message).toContain("prepareTopic('orders') failed");
  });

  it('explains a subject whose compatibility level differs from the requested one', async () => {
    const registry = new FakeRegistry();
    registry.setLevel('orders-value', COMPATIBILITY.NONE);
    const err = await rejection(AvroSerdes.value({ registry, schema: orderV1 }).prepareTopic('orders'));
    expect(err.message).toContain("subject's compatibility level in the registry (the client passed as options.registry) is NONE but the serde asks for BACKWARD");
    expect(err.message).toContain("pass compatibility: 'NONE'");
    await AvroSerdes.value({ registry, schema: orderV1, compatibility: 'NONE' }).prepareTopic('orders');
  });

  it('with autoRegister: false only looks the id up, and reports a missing schema when writing', async () => {
    const registry = new FakeRegistry();
    const id = registry.seed('known-value', orderV1);
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1, autoRegister: false });
    await serde.prepareTopic('known');
    await serde.prepareTopic('unknown'); // a topic the serde only reads must not fail start-up
    expect(registry.calls.register).toBe(0);
    expect(serde.serialize('known', { id: 'k', amount: 1 }).readInt32BE(1)).toBe(id);
    const err = serdeError(() => serde.serialize('unknown', { id: 'k', amount: 1 }));
    expect(err.message).toContain("not registered under subject 'unknown-value'");
    expect(err.message).toContain('does not match any schema');
    expect(err.message).toContain('autoRegister: true');
  });
});

describe('Avro serde subjects that do not depend on the topic', () => {
  it('registers a fixed subject in configure(), so any topic serializes without prepareTopic', async () => {
    const registry = new FakeRegistry();
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1, subject: 'shared-orders' });
    await serde.configure();
    const id = registry.seed('shared-orders', orderV1);
    expect(serde.serialize('any-topic', { id: 'a', amount: 1 }).readInt32BE(1)).toBe(id);
  });

  it('registers under the record name with RecordNameStrategy, and does nothing in configure() for topic subjects', async () => {
    const registry = new FakeRegistry();
    await AvroSerdes.value({ registry, schema: orderV1, subjectNameStrategy: 'RecordNameStrategy' }).configure();
    expect(await registry.getRegistryIdBySchema('dev.sluice.test.Order', { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) })).toBeGreaterThan(0);
    await AvroSerdes.value({ registry, schema: orderV1 }).configure();
    expect(registry.calls.register).toBe(1);
  });

  it('registers the schema with field defaults kept', async () => {
    const registered: string[] = [];
    const registry = new FakeRegistry();
    const spy: SchemaRegistryClient = {
      register: (schema, options) => (registered.push(schema.schema), registry.register(schema, options)),
      getRegistryIdBySchema: (subject, schema) => registry.getRegistryIdBySchema(subject, schema),
      getSchema: (id) => registry.getSchema(id),
    };
    const type: Type = avroType(orderV2);
    await AvroSerdes.value({ registry: spy, schema: type }).prepareTopic('orders');
    expect(JSON.parse(registered[0]!)).toMatchObject({ fields: [{ name: 'id' }, { name: 'amount' }, { name: 'currency', default: 'EUR' }] });
  });
});
