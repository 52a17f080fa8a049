// Proof that the local schema registry is real and Confluent-compatible for the client Sluice uses:
// register an Avro schema built with avsc, encode, decode, and refuse an incompatible change under
// BACKWARD compatibility.
import { describe, expect, it } from 'vitest';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { schemaRegistryUrl } from '../helpers/env.js';
import { uniqueName } from '../helpers/kafka.js';

describe('schema registry (Confluent API) with avsc schemas', () => {
  it('registers, encodes, decodes and rejects a BACKWARD-incompatible schema', async () => {
    const registry = new SchemaRegistry({ host: schemaRegistryUrl() });
    const subject = `${uniqueName('orders')}-value`;
    const v1 = avro.Type.forSchema({
      type: 'record',
      name: 'Order',
      namespace: 'dev.sluice.test',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'double' },
      ],
    });
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v1.schema({ exportAttrs: true })) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(id).toBeGreaterThan(0);

    const order = { id: 'o-1', amount: 12.5 };
    const bytes = await registry.encode(id, order);
    expect(bytes[0]).toBe(0); // Confluent wire format: magic byte, then the 4-byte schema id
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(await registry.decode(bytes)).toEqual(order);
    expect(v1.fromBuffer(bytes.subarray(5))).toEqual(order);

    // adding a field without a default breaks BACKWARD (new readers cannot read old data)
    const incompatible = avro.Type.forSchema({
      type: 'record',
      name: 'Order',
      namespace: 'dev.sluice.test',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'double' },
        { name: 'currency', type: 'string' },
      ],
    });
    await expect(
      registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible.schema({ exportAttrs: true })) }, { subject, compatibility: COMPATIBILITY.BACKWARD }),
    ).rejects.toThrow(/incompatible|compatib/i);

    // the same change with a default is BACKWARD compatible and gets a new id
    const compatible = avro.Type.forSchema({
      type: 'record',
      name: 'Order',
      namespace: 'dev.sluice.test',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'amount', type: 'double' },
        { name: 'currency', type: 'string', default: 'EUR' },
      ],
    });
    const v2 = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(compatible.schema({ exportAttrs: true })) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(v2.id).not.toBe(id);
    // data written with v1 decodes through the registry (writer schema by id)
    expect(await registry.decode(bytes)).toEqual(order);
  });
});
