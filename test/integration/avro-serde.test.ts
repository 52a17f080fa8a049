// The Avro serde against the real broker and schema registry (Apicurio's Confluent-compatible API):
// registration through prepareTopic, records on a real topic, an evolved reader that fetches the
// writer schema in prepare(), and the errors users see for bad payloads and incompatible schemas.
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { ErrorCodes, SerdeError } from '@sluice/common';
import { AvroSerdes } from 'sluice';
import { schemaRegistryUrl } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, produce, uniqueName } from '../helpers/kafka.js';

interface Order {
  id: string;
  amount: number;
}

const orderV1 = {
  type: 'record',
  name: 'Order',
  namespace: 'dev.sluice.it',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};
const orderV2 = { ...orderV1, fields: [...orderV1.fields, { name: 'currency', type: 'string', default: 'EUR' }] };
const orderWithoutDefault = { ...orderV1, fields: [...orderV1.fields, { name: 'currency', type: 'string' }] };
const orderKey = { type: 'record', name: 'OrderKey', namespace: 'dev.sluice.it', fields: [{ name: 'id', type: 'string' }] };

const registry = { host: schemaRegistryUrl() };

async function subjectVersions(subject: string): Promise<number[]> {
  const res = await fetch(`${schemaRegistryUrl()}/subjects/${encodeURIComponent(subject)}/versions`);
  if (res.status === 404) return [];
  return (await res.json()) as number[];
}

/** Subjects made by a test are deleted when it finishes (their names are unique anyway). */
function cleanUpSubjects(...subjects: string[]): void {
  onTestFinished(async () => {
    for (const subject of subjects) await fetch(`${schemaRegistryUrl()}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' }).catch(() => undefined);
  });
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

afterAll(closeTestClients);

describe('Avro serde with a real schema registry', () => {
  it('registers under <topic>-key/-value, writes records a Confluent client decodes, and an evolved reader reads them', async () => {
    const topic = await createTopic('avro-orders');
    cleanUpSubjects(`${topic}-key`, `${topic}-value`);
    const keySerde = AvroSerdes.key<{ id: string }>({ registry, schema: orderKey });
    const valueSerde = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    await Promise.all([keySerde.prepareTopic(topic), valueSerde.prepareTopic(topic)]);
    expect(await subjectVersions(`${topic}-key`)).toHaveLength(1);
    expect(await subjectVersions(`${topic}-value`)).toHaveLength(1);

    const orders: Order[] = [
      { id: 'o-1', amount: 12.5 },
      { id: 'o-2', amount: 7 },
    ];
    await produce(topic, [
      ...orders.map((o) => ({ key: keySerde.serialize(topic, { id: o.id }), value: valueSerde.serialize(topic, o) })),
      // a stray record from a producer that does not use the registry
      { key: null, value: JSON.stringify({ id: 'o-3', amount: 1 }) },
    ]);
    const records = await consumeUntil(topic, orders.length + 1);
    const values = records.slice(0, orders.length).map((r) => r.value!);

    // the bytes are the Confluent wire format: the registry's own client decodes them
    const confluent = new SchemaRegistry(registry);
    expect(await confluent.decode(values[0]!)).toEqual(orders[0]);

    // a new reader with an added field (with a default) has never seen the writer's id
    const reader = AvroSerdes.value<Order & { currency: string }>({ registry, schema: orderV2, autoRegister: false });
    const fetching = reader.prepare(topic, values[0]!);
    expect(fetching).toBeInstanceOf(Promise);
    await fetching;
    expect(values.map((v) => reader.prepare(topic, v))).toEqual([undefined, undefined]);
    expect(values.map((v) => reader.deserialize(topic, v))).toEqual(orders.map((o) => ({ ...o, currency: 'EUR' })));
    expect(records.slice(0, orders.length).map((r) => keySerde.deserialize(topic, r.key!))).toEqual(orders.map((o) => ({ id: o.id })));

    const stray = records[orders.length]!.value!;
    expect(reader.prepare(topic, stray)).toBeUndefined();
    expect(() => reader.deserialize(topic, stray)).toThrow(
      expect.objectContaining({ code: ErrorCodes.DESERIALIZATION_FAILED, message: expect.stringContaining(`topic '${topic}': the data is not in the Confluent wire format`) }),
    );
  });

  it('evolves a subject compatibly and reads old and new records with the new schema', async () => {
    const topic = uniqueName('avro-evolve');
    cleanUpSubjects(`${topic}-value`);
    const v1 = AvroSerdes.value<Order>({ registry, schema: orderV1 });
    const v2 = AvroSerdes.value<Order & { currency: string }>({ registry, schema: JSON.stringify(orderV2) });
    await v1.prepareTopic(topic);
    await v2.prepareTopic(topic);
    expect(await subjectVersions(`${topic}-value`)).toHaveLength(2);

    const old = v1.serialize(topic, { id: 'old', amount: 1 });
    const fresh = v2.serialize(topic, { id: 'new', amount: 2, currency: 'USD' });
    expect(old.readInt32BE(1)).not.toBe(fresh.readInt32BE(1));
    await v2.prepare(topic, old);
    expect(v2.deserialize(topic, old)).toEqual({ id: 'old', amount: 1, currency: 'EUR' });
    expect(v2.deserialize(topic, fresh)).toEqual({ id: 'new', amount: 2, currency: 'USD' });
  });

  it('fails prepare() for a schema id the registry does not know, and deserialize repeats why', async () => {
    const topic = uniqueName('avro-unknown-id');
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1, autoRegister: false });
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2]);
    const err = await rejection(serde.prepare(topic, unknownId));
    expect(err.code).toBe(ErrorCodes.DESERIALIZATION_FAILED);
    expect(err.message).toContain(`schema id ${0x7ffffff0} for a record on topic '${topic}'`);
    expect(err.message).toContain(schemaRegistryUrl());
    expect(err.message).toMatch(/No content with id|not found/i);
    expect(() => serde.deserialize(topic, unknownId)).toThrow(/fetching it in prepare\(\) failed/);
  });

  it('fails prepareTopic with the registry message when the new schema is incompatible, and serialize says so', async () => {
    const topic = uniqueName('avro-incompatible');
    cleanUpSubjects(`${topic}-value`);
    await AvroSerdes.value<Order>({ registry, schema: orderV1 }).prepareTopic(topic);
    const breaking = AvroSerdes.value({ registry, schema: orderWithoutDefault });

    const err = await rejection(breaking.prepareTopic(topic));
    expect(err.code).toBe(ErrorCodes.SERIALIZATION_FAILED);
    expect(err.message).toContain(`refused the schema for subject '${topic}-value' as incompatible`);
    expect(err.message).toMatch(/Incompatible artifact|incompatible/);
    expect(err.message).toContain('give new fields defaults');
    expect(await subjectVersions(`${topic}-value`)).toHaveLength(1);
    expect(() => breaking.serialize(topic, { id: 'x', amount: 1, currency: 'EUR' })).toThrow(new RegExp(`prepareTopic\\('${topic}'\\) failed`));
  });

  it('explains a subject whose compatibility level differs from the one the serde asks for', async () => {
    const topic = uniqueName('avro-level');
    cleanUpSubjects(`${topic}-value`);
    await AvroSerdes.value<Order>({ registry, schema: orderV1 }).prepareTopic(topic); // BACKWARD
    const err = await rejection(AvroSerdes.value<Order>({ registry, schema: orderV1, compatibility: 'FULL' }).prepareTopic(topic));
    expect(err.message).toContain(`subject '${topic}-value'`);
    expect(err.message).toContain('is BACKWARD but the serde asks for FULL');
    expect(err.message).toContain("pass compatibility: 'BACKWARD'");
  });

  it('with autoRegister: false finds a registered schema and reports a missing one when writing', async () => {
    const known = uniqueName('avro-known');
    const unknown = uniqueName('avro-unknown');
    cleanUpSubjects(`${known}-value`);
    await AvroSerdes.value<Order>({ registry, schema: orderV1 }).prepareTopic(known);
    const serde = AvroSerdes.value<Order>({ registry, schema: orderV1, autoRegister: false });
    await serde.prepareTopic(known);
    await serde.prepareTopic(unknown);
    expect(serde.deserialize(known, serde.serialize(known, { id: 'k', amount: 3 }))).toEqual({ id: 'k', amount: 3 });
    expect(() => serde.serialize(unknown, { id: 'k', amount: 3 })).toThrow(new RegExp(`not registered under subject '${unknown}-value'.*autoRegister: true`));
    expect(await subjectVersions(`${unknown}-value`)).toEqual([]);
  });

  it('registers under the record name in configure() with RecordNameStrategy, for any topic', async () => {
    const namespace = uniqueName('it').replace(/-/g, '_');
    cleanUpSubjects(`${namespace}.Order`);
    const serde = AvroSerdes.value<Order>({ registry, schema: { ...orderV1, namespace }, subjectNameStrategy: 'RecordNameStrategy' });
    await serde.configure();
    expect(await subjectVersions(`${namespace}.Order`)).toHaveLength(1);
    const a = serde.serialize(uniqueName('topic-a'), { id: 'a', amount: 1 });
    const b = serde.serialize(uniqueName('topic-b'), { id: 'b', amount: 2 });
    expect(a.readInt32BE(1)).toBe(b.readInt32BE(1));
    expect(await new SchemaRegistry(registry).decode(b)).toEqual({ id: 'b', amount: 2 });
  });

  it('reports an unreachable registry as a retriable error naming its URL', async () => {
    const err = await rejection(AvroSerdes.value({ registry: { host: 'http://127.0.0.1:1', retry: { retries: 0 } }, schema: orderV1 }).prepareTopic('nowhere'));
    expect(err.retriable).toBe(true);
    expect(err.message).toContain("could not reach the schema registry at http://127.0.0.1:1 to register subject 'nowhere-value'");
    expect(err.message).toContain('ECONNREFUSED');
  });
});
