// Subject name strategies (Confluent's names and results) and the options checks made when an Avro
// serde is created. No registry is contacted here.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@sluice/common';
import { AvroSerdes, type SubjectNameContext } from '../src/index.js';
import { subjectNamer } from '../src/avro/subject-names.js';

const order = { type: 'record', name: 'Order', namespace: 'dev.sluice.test', fields: [{ name: 'id', type: 'string' }] };
const registry = { host: 'http://registry.test:8081' };

describe('subject name strategies', () => {
  it('TopicNameStrategy (the default) appends -key or -value to the topic', () => {
    expect(subjectNamer({ isKey: false, recordName: 'a.B' }).subjectFor('orders')).toBe('orders-value');
    expect(subjectNamer({ isKey: true, recordName: 'a.B', strategy: 'TopicNameStrategy' }).subjectFor('orders')).toBe('orders-key');
    expect(subjectNamer({ isKey: false, recordName: 'a.B' }).topicIndependent).toBe(false);
  });

  it('RecordNameStrategy uses the full record name for every topic', () => {
    const namer = subjectNamer({ isKey: false, recordName: 'dev.sluice.test.Order', strategy: 'RecordNameStrategy' });
    expect([namer.subjectFor('a'), namer.subjectFor('b')]).toEqual(['dev.sluice.test.Order', 'dev.sluice.test.Order']);
    expect(namer.topicIndependent).toBe(true);
  });

  it('TopicRecordNameStrategy joins topic and record name', () => {
    expect(subjectNamer({ isKey: true, recordName: 'dev.sluice.test.Order', strategy: 'TopicRecordNameStrategy' }).subjectFor('orders')).toBe('orders-dev.sluice.test.Order');
  });

  it('a fixed subject applies to every topic; a function gets topic, key flag and record name', () => {
    expect(subjectNamer({ isKey: false, recordName: undefined, subject: 'fixed' }).subjectFor('x')).toBe('fixed');
    const seen: SubjectNameContext[] = [];
    const namer = subjectNamer({ isKey: true, recordName: 'a.B', strategy: (ctx) => (seen.push(ctx), `custom.${ctx.topic}`) });
    expect(namer.subjectFor('t')).toBe('custom.t');
    expect(seen).toEqual([{ topic: 't', isKey: true, recordName: 'a.B' }]);
  });

  it('record strategies need a named schema', () => {
    expect(() => subjectNamer({ isKey: false, recordName: undefined, strategy: 'RecordNameStrategy' })).toThrow(/RecordNameStrategy needs a named schema/);
  });
});

describe('Avro serde options are checked when the serde is created', () => {
  const configError = (make: () => unknown): ConfigError => {
    try {
      make();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return err as ConfigError;
    }
    throw new Error('expected a ConfigError, but the serde was created');
  };

  it('needs a registry and a valid schema', () => {
    expect(configError(() => AvroSerdes.value({ schema: order } as never)).message).toContain("needs options.registry: a SchemaRegistry from @kafkajs/confluent-schema-registry or { host: 'http://registry:8081' }");
    expect(configError(() => AvroSerdes.key({ registry } as never)).message).toContain('AvroSerdes.key() needs options.schema');
    expect(configError(() => AvroSerdes.value({ registry, schema: { type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] } })).message).toMatch(
      /options.schema is not a valid Avro schema: .*nope/,
    );
  });

  it('refuses a fixed subject together with a strategy, and unknown compatibility levels', () => {
    expect(configError(() => AvroSerdes.value({ registry, schema: order, subject: 's', subjectNameStrategy: 'RecordNameStrategy' })).message).toContain('pass only one');
    expect(configError(() => AvroSerdes.value({ registry, schema: order, compatibility: 'LOOSE' as never })).message).toContain('unknown compatibility "LOOSE"');
  });

  it('refuses to auto-register an unnamed schema, which the registry client cannot do, and says what to do', () => {
    const err = configError(() => AvroSerdes.key({ registry, schema: 'string' }));
    expect(err.message).toContain('has no name');
    expect(err.message).toContain('autoRegister: false');
    const serde = AvroSerdes.key<string>({ registry, schema: '"string"', autoRegister: false });
    expect(serde.name).toBe('Avro<string>');
  });
});
