// `sluice dlq` on the real broker, with dead letters as Kafka Streams 4.x writes them (KIP-1034:
// original key, value, timestamp and headers plus __streams.errors.* headers): list with filters,
// show one (text and hex), redrive chosen records back to their source topic and partition with
// their original key, value, timestamp and headers, and nothing of an aborted transaction.
import { afterAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../helpers/cli.js';
import { closeTestClients, consumeUntil, createTopic, produce, testKafka, uniqueName } from '../helpers/kafka.js';

afterAll(closeTestClients);

const errorHeaders = (exception: string, message: string, source: string, partition: number, offset: number) => ({
  '__streams.errors.exception': exception,
  '__streams.errors.message': message,
  '__streams.errors.stacktrace': `${exception}: ${message}\n    at Processor.process (app.ts:12:5)\n    at StreamTask.process (stream-task.ts:80:3)`,
  '__streams.errors.topic': source,
  '__streams.errors.partition': String(partition),
  '__streams.errors.offset': String(offset),
});

interface Listed {
  offset: number;
  partition: number;
  timestamp: number;
  source: { topic: string; partition: number; offset: number } | null;
  exception: string | null;
  message: string | null;
  key: string;
  value: string;
  headers: { key: string; value: string }[];
}

describe('sluice dlq', () => {
  it('lists, shows and redrives dead letters back to their source', async () => {
    const source = await createTopic('dlq-source', { partitions: 2 });
    const dlq = await createTopic('dlq');
    const t0 = 1_764_000_000_000;
    await produce(dlq, [
      { key: 'order-1', value: '{"qty": oops}', timestamp: t0, headers: { 'trace-id': 't-1', ...errorHeaders('SerdeError', 'Unexpected token o in JSON at position 8', source, 1, 17) } },
      { key: null, value: Buffer.from([0, 1, 2, 255]), timestamp: t0 + 1, headers: errorHeaders('ProcessingError', 'division by zero', source, 0, 3) },
      { key: 'foreign', value: 'no error headers', timestamp: t0 + 2 },
      { key: 'order-4', value: '{"qty": }', timestamp: t0 + 3, headers: { tag: ['a', 'b'], ...errorHeaders('SerdeError', 'Unexpected token } in JSON', source, 0, 5) } },
    ]);
    // a dead letter written in a transaction that aborted: not a dead letter at all
    const producer = testKafka('dlq-tx').producer({ transactionalId: uniqueName('dlq-tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: dlq, messages: [{ key: 'aborted', value: 'x', headers: errorHeaders('SerdeError', 'aborted one', source, 0, 99) }] });
    await tx.abort();
    await producer.disconnect();

    // ---- list ----
    const list = await runCli(['dlq', 'list', '--topic', dlq]);
    expect(list.code, list.stderr).toBe(0);
    const rows = list.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^PARTITION\s+OFFSET\s+TIMESTAMP\s+SOURCE\s+EXCEPTION\s+MESSAGE$/);
    expect(rows[1]).toMatch(new RegExp(`^0\\s+0\\s+${new Date(t0).toISOString()}\\s+${source}-1@17\\s+SerdeError\\s+Unexpected token o in JSON at position 8$`));
    expect(rows[2]).toMatch(new RegExp(`^0\\s+1\\s+\\S+\\s+${source}-0@3\\s+ProcessingError\\s+division by zero$`));
    expect(rows[3]).toMatch(/^0\s+2\s+\S+\s+-\s+-\s+-$/);
    expect(rows[4]).toMatch(new RegExp(`^0\\s+3\\s+\\S+\\s+${source}-0@5\\s+SerdeError`));
    expect(list.stdout).toContain('4 records');
    expect(list.stdout).not.toContain('aborted one');

    const serde = jsonOf<Listed[]>(await runCli(['dlq', 'list', '--topic', dlq, '--exception', 'serde', '--format', 'json']));
    expect(serde.map((d) => d.offset)).toEqual([0, 3]);
    expect(serde[0]).toMatchObject({ key: 'order-1', value: '{"qty": oops}', timestamp: t0, source: { topic: source, partition: 1, offset: 17 }, headers: [{ key: 'trace-id', value: 't-1' }] });
    expect(jsonOf<Listed[]>(await runCli(['dlq', 'list', '--topic', dlq, '--from', '1', '--to', '2', '--format', 'json'])).map((d) => d.offset)).toEqual([1, 2]);
    expect(jsonOf<Listed[]>(await runCli(['dlq', 'list', '--topic', dlq, '--message', 'DIVISION', '--format', 'json'])).map((d) => d.offset)).toEqual([1]);
    const limited = await runCli(['dlq', 'list', '--topic', dlq, '--limit', '2']);
    expect(limited.stdout).toContain('2 records (stopped at --limit 2; continue with --from)');

    // ---- show ----
    const show = await runCli(['dlq', 'show', '--topic', dlq, '0']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`source:     topic ${source}, partition 1, offset 17`);
    expect(show.stdout).toContain('exception:  SerdeError');
    expect(show.stdout).toContain('key:        order-1');
    expect(show.stdout).toContain('value:      {"qty": oops}');
    expect(show.stdout).toContain('  trace-id: t-1');
    expect(show.stdout).toContain('    at Processor.process (app.ts:12:5)');
    const binary = await runCli(['dlq', 'show', '--topic', dlq, '1']);
    expect(binary.stdout).toContain('key:        null');
    expect(binary.stdout).toContain('value:      hex:000102ff (4 bytes)');
    const hex = await runCli(['dlq', 'show', '--topic', dlq, '0', '--encoding', 'hex']);
    expect(hex.stdout).toContain(`key:        hex:${Buffer.from('order-1').toString('hex')} (7 bytes)`);
    const missing = await runCli(['dlq', 'show', '--topic', dlq, '4']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no record at offset 4 of ${dlq}-0`);

    // ---- redrive ----
    const dry = await runCli(['dlq', 'redrive', '--topic', dlq, '--exception', 'SerdeError', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Would send 2 of 4 records read from ${dlq}: ${source} (2)`);
    const redrive = await runCli(['dlq', 'redrive', '--topic', dlq, '--exception', 'SerdeError']);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toContain(`Sent 2 of 4 records read from ${dlq}: ${source} (2)`);
    expect(redrive.stdout).toContain(`DLQ ${dlq}-0 offsets redriven: 0, 3`);
    const skipped = await runCli(['dlq', 'redrive', '--topic', dlq, '--offsets', '1,2']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain(`Sent 1 of 2 records read from ${dlq}: ${source} (1)`);
    expect(skipped.stdout).toContain('Skipped 1 record without a __streams.errors.topic header (DLQ offsets 2); send them with --to-topic <topic>.');

    // the dry run sent nothing: exactly three records arrive, where and as they were before they failed
    const back = await consumeUntil(source, 3, { settleMs: 1_000 });
    expect(back).toHaveLength(3);
    const byKey = new Map(back.map((r) => [r.key?.toString('hex') ?? 'null', r]));
    const one = byKey.get(Buffer.from('order-1').toString('hex'))!;
    expect([one.partition, one.value?.toString(), one.timestamp]).toEqual([1, '{"qty": oops}', t0]);
    expect(Object.keys(one.headers)).toEqual(['trace-id']);
    expect(one.headers['trace-id']?.toString()).toBe('t-1');
    const four = byKey.get(Buffer.from('order-4').toString('hex'))!;
    expect([four.partition, four.timestamp]).toEqual([0, t0 + 3]);
    expect((four.headers['tag'] as Buffer[]).map(String)).toEqual(['a', 'b']);
    const bin = byKey.get('null')!;
    expect([bin.partition, bin.value?.toString('hex'), bin.timestamp, Object.keys(bin.headers)]).toEqual([0, '000102ff', t0 + 1, []]);
  });

  it('refuses bad selections with the fix', async () => {
    const dlq = await createTopic('dlq-bad');
    const both = await runCli(['dlq', 'redrive', '--topic', dlq, '--offsets', '1', '--from', '0']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either --offsets or --from/--to');
    const self = await runCli(['dlq', 'redrive', '--topic', dlq, '--to-topic', dlq]);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('--to-topic is the DLQ itself');
    const noPartition = await runCli(['dlq', 'list', '--topic', dlq, '--partition', '3']);
    expect(noPartition.code).toBe(2);
    expect(noPartition.stderr).toContain(`topic '${dlq}' has no partition 3`);
    const noTopic = await runCli(['dlq', 'list', '--topic', uniqueName('no-such-dlq')]);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toMatch(/topic 'no-such-dlq-.*' not found in the cluster/);
  });
});
