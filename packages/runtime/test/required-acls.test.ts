// requiredAcls(topology, config): the minimal ACLs of an application, as Kafka Streams' security guide
// lists them, and the kafka-acls.sh lines for them. The secured-broker integration test runs an
// exactly-once app with exactly these ACLs.
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, StreamsBuilder, type Topology } from '@sluice/core';
import { Serdes } from '@sluice/serdes';
import { aclCommands, requiredAcls } from '../src/acls.js';

const S = Serdes.String();
function app(): Topology {
  const b = new StreamsBuilder();
  const counts = b.stream('orders', Consumed.with(S, S)).groupBy((_k, v) => v, Grouped.with(S, S)).count(Materialized.as('counts'));
  counts.toStream().to('order-counts', Produced.with(S, Serdes.Long()));
  b.stream(/^audit-.*/, Consumed.with(S, S)).to((key) => `by-user-${key}`, Produced.with(S, S));
  return b.build();
}
const base = { applicationId: 'shop', bootstrapServers: 'k1:9093,k2:9093' };

describe('requiredAcls', () => {
  it('lists inputs READ, outputs WRITE, the app prefix ALL, the group READ, and idempotent write', () => {
    const r = requiredAcls(app(), { ...base, sasl: { mechanism: 'scram-sha-512', username: 'shop-svc', password: 'x' } });
    expect(r.principal).toBe('User:shop-svc');
    expect(r.acls.map((a) => [a.resourceType, a.patternType, a.name, a.operations.join('+')])).toEqual([
      ['TOPIC', 'LITERAL', 'orders', 'READ'],
      ['TOPIC', 'LITERAL', 'order-counts', 'WRITE'],
      ['TOPIC', 'PREFIXED', 'shop-', 'ALL'],
      ['GROUP', 'LITERAL', 'shop', 'READ'],
      ['CLUSTER', 'LITERAL', 'kafka-cluster', 'IDEMPOTENT_WRITE'],
    ]);
    expect(r.notes).toEqual([
      "source 'KSTREAM-SOURCE-0000000008' reads every topic matching /^audit-.*/: grant READ on each of them (a PREFIXED topic ACL when the pattern is a prefix)",
      "sink 'KSTREAM-SINK-0000000009' chooses its topic per record: grant WRITE on every topic it may choose",
    ]);
  });

  it('exactly-once adds WRITE and DESCRIBE on the prefixed transactional ids', () => {
    const r = requiredAcls(app(), { ...base, processingGuarantee: 'exactly_once_v2' });
    expect(r.acls.find((a) => a.resourceType === 'TRANSACTIONAL_ID')).toMatchObject({ patternType: 'PREFIXED', name: 'shop-', operations: ['WRITE', 'DESCRIBE'] });
    expect(r.principal).toBeUndefined();
  });

  it('renders kafka-acls.sh lines, each after a comment saying why', () => {
    const lines = aclCommands(requiredAcls(app(), base), { principal: 'User:CN=shop,O=acme', commandConfig: '/etc/kafka/admin.properties' });
    expect(lines.slice(0, 6)).toEqual([
      "# topic 'orders': input topic",
      "kafka-acls.sh --bootstrap-server k1:9093,k2:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:CN=shop,O=acme --operation Read --topic orders",
      "# topic 'order-counts': output topic",
      "kafka-acls.sh --bootstrap-server k1:9093,k2:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:CN=shop,O=acme --operation Write --topic order-counts",
      "# topic prefix 'shop-': internal topics (changelogs, repartition topics): created, described, read, written and deleted by the app",
      "kafka-acls.sh --bootstrap-server k1:9093,k2:9093 --command-config /etc/kafka/admin.properties --add --allow-principal User:CN=shop,O=acme --operation All --resource-pattern-type prefixed --topic shop-",
    ]);
    expect(lines.at(-1)).toMatch(/^# NOTE sink .* chooses its topic per record/);
    expect(aclCommands(requiredAcls(app(), base))[1]).toContain('--allow-principal User:<principal> --operation Read');
  });

  it('refuses a config KafkaStreams would refuse', () => {
    expect(() => requiredAcls(app(), { applicationId: 'shop' } as never)).toThrow(/bootstrapServers must be/);
  });
});
