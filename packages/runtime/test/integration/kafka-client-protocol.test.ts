// Sluice's own Kafka client against the real broker: what its producer writes the broker keeps once,
// transactions commit and abort as Kafka's, a zombie is fenced by error code, offsets committed in a
// transaction are invisible to a stable offset fetch until the transaction completes (KIP-447), the
// fetcher skips aborted records and markers, counts a partition's lag from what it handed out (unknown
// before its first fetch), fetches again what a pause dropped, and group members keep their id across
// a rebalance.
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleLogger, systemClock, ErrorCodes, SluiceError } from '@sluice/common';
import { Fetcher } from '../../src/kafka/fetch/fetcher.js';
import { GroupMembership } from '../../src/kafka/group/membership.js';
import { KafkaProducer } from '../../src/kafka/produce/producer.js';
import { KafkaProtocolError } from '../../src/kafka/wire/errors.js';
import { KafkaWire } from '../../src/kafka/wire/wire.js';
import { kafkaLogCreator } from '../../src/kafka/log.js';
import { createTopic, deleteGroup, uniqueName } from '../../../../test/helpers/kafka.js';
import { kafkaBrokers } from '../../../../test/helpers/env.js';

const logger = createConsoleLogger({ level: 'warn', name: 'client-test' });
const opened: { close(): Promise<void> }[] = [];

function newWire(): KafkaWire {
  const w = new KafkaWire({ clientId: 'client-test', brokers: kafkaBrokers(), connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000, logCreator: kafkaLogCreator(logger, 'error'), logLevel: 1 });
  opened.push(w);
  return w;
}

async function producer(wire: KafkaWire, transactionalId?: string): Promise<KafkaProducer> {
  await wire.connect();
  const p = new KafkaProducer({ wire, ...(transactionalId ? { transactionalId } : {}), transactionTimeoutMs: 10_000, deliveryTimeoutMs: 20_000, requestTimeoutMs: 30_000, maxBatchBytes: 512 * 1024, clock: systemClock, logger });
  await p.init();
  return p;
}

const rec = (topic: string, partition: number, value: string) => ({ topic, partition, key: Buffer.from(value), value: Buffer.from(value), timestamp: Date.now(), headers: {} });

/** Everything in a partition from offset 0, read with the given isolation through the fetcher. */
async function readAll(topic: string, partitions: number, readCommitted: boolean, expected: number): Promise<string[]> {
  const wire = newWire();
  await wire.connect();
  await wire.addTopics([topic]);
  const f = new Fetcher({ wire, readCommitted, maxWaitMs: 100, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, requestTimeoutMs: 30_000, resetPolicy: () => 'earliest', clock: systemClock, logger });
  f.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: 0 })));
  const out: string[] = [];
  const deadline = Date.now() + 10_000;
  while (out.length < expected && Date.now() < deadline) for (const b of await f.poll()) for (const r of b.records) out.push(`${r.partition}:${r.value?.toString()}`);
  await new Promise((r) => setTimeout(r, 300));
  for (const b of await f.poll()) for (const r of b.records) out.push(`${r.partition}:${r.value?.toString()}`);
  return out;
}

afterEach(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
});

describe("Sluice's Kafka client on the real broker", () => {
  it('the idempotent producer writes each record once, in order, to the partitions of their keys', async () => {
    const topic = await createTopic('client-idem', { partitions: 3 });
    const wire = newWire();
    const p = await producer(wire);
    const sent = Array.from({ length: 2_000 }, (_, i) => ({ topic, partition: undefined, key: Buffer.from(`k${i % 13}`), value: Buffer.from(String(i)), timestamp: Date.now(), headers: {} }));
    const acks = await p.send(sent);
    expect(acks.length).toBeGreaterThan(0);
    const read = await readAll(topic, 3, false, 2_000);
    expect(read).toHaveLength(2_000);
    // per key, the values arrive in the order they were sent
    const lastByKey = new Map<number, number>();
    for (const r of read) {
      const v = Number(r.split(':')[1]);
      const k = v % 13;
      expect(v).toBeGreaterThan(lastByKey.get(k) ?? -1);
      lastByKey.set(k, v);
    }
  });

  it('a committed transaction is read, an aborted one is not, and a zombie is fenced by code', async () => {
    const topic = await createTopic('client-txn', { partitions: 2 });
    const txnId = uniqueName('txn');
    const zombie = await producer(newWire(), txnId);
    zombie.beginTransaction();
    await zombie.send([rec(topic, 0, 'zombie-open')]);
    // a new producer with the same transactional id aborts the zombie's open transaction and fences it
    const p = await producer(newWire(), txnId);
    p.beginTransaction();
    await p.send([rec(topic, 0, 'committed-0'), rec(topic, 1, 'committed-1')]);
    await p.commitTransaction();
    p.beginTransaction();
    await p.send([rec(topic, 1, 'aborted')]);
    await p.abortTransaction();
    const err = await zombie.send([rec(topic, 0, 'zombie-late')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).code).toBe(ErrorCodes.PRODUCER_FENCED);
    expect((await readAll(topic, 2, true, 2)).sort()).toEqual(['0:committed-0', '1:committed-1']);
    expect((await readAll(topic, 2, false, 4)).sort()).toEqual(['0:committed-0', '0:zombie-open', '1:aborted', '1:committed-1']);
  });

  it('offsets of an open transaction are not read by a stable fetch until it commits (require_stable)', async () => {
    const topic = await createTopic('client-stable', { partitions: 1 });
    const groupId = uniqueName('stable-group');
    const group = newWire();
    await group.connect();
    const m = new GroupMembership({
      wire: group,
      groupId,
      groupInstanceId: null,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      requestTimeoutMs: 30_000,
      clock: systemClock,
      logger,
      protocols: async () => [{ name: 'x', metadata: Buffer.alloc(0) }],
      assign: async (members) => new Map(members.map((x) => [x.memberId, Buffer.alloc(0)])),
      onFatal: () => undefined,
    });
    await m.join(() => false);
    const p = await producer(newWire(), uniqueName('txn'));
    p.beginTransaction();
    await p.send([rec(topic, 0, 'a')]);
    await p.sendOffsets(groupId, [{ topic, partition: 0, offset: 42 }], m.groupMetadata());
    // unstable while the transaction is open: a stable fetch keeps retrying and gives up at its deadline
    const unstable = await m.fetchOffsets([{ topic, partition: 0 }], true, Date.now() + 1_500).catch((e: unknown) => e);
    expect(unstable).toBeInstanceOf(KafkaProtocolError);
    expect((unstable as KafkaProtocolError).kafkaError).toBe('UNSTABLE_OFFSET_COMMIT');
    await p.commitTransaction();
    const [after] = await m.fetchOffsets([{ topic, partition: 0 }], true, Date.now() + 10_000);
    expect(after!.offset).toBe(42);
    await m.leave();
    await deleteGroup(groupId);
  });

  it("the fetcher's lag counts from the batches it handed out, and a pause loses nothing it had fetched", async () => {
    const topic = await createTopic('client-lag', { partitions: 1 });
    const wire = newWire();
    const p = await producer(wire);
    await p.send(Array.from({ length: 10 }, (_, i) => rec(topic, 0, `a${i}`)));
    await wire.addTopics([topic]);
    const tp = { topic, partition: 0 };
    // a long fetch wait: the fetch launched as a poll returns is still waiting when more records come
    const f = new Fetcher({ wire, readCommitted: false, maxWaitMs: 5_000, maxBytes: 1 << 20, partitionMaxBytes: 1 << 20, requestTimeoutMs: 30_000, resetPolicy: () => 'earliest', clock: systemClock, logger });
    f.assign([{ ...tp, offset: 0 }]);
    // no fetch has answered: the lag is not known (a task waits rather than runs ahead of this input)
    expect(f.lag(tp)).toBeUndefined();
    let batches = await f.poll();
    for (let i = 0; batches.length === 0 && i < 50; i++) batches = await f.poll();
    expect(batches.map((b) => b.records.length)).toEqual([10]);
    // fetched, but not handed on yet: still lag
    expect(f.lag(tp)).toBe(10);
    f.delivered(batches[0]!);
    expect(f.lag(tp)).toBe(0);

    // a batch fetched while the caller works, then a pause (a retry, a restore) before it was taken
    await p.send(Array.from({ length: 5 }, (_, i) => rec(topic, 0, `b${i}`)));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(f.lag(tp)).toBe(5);
    f.pause([tp]);
    f.resume([tp]);
    const again: string[] = [];
    const deadline = Date.now() + 10_000;
    while (again.length < 5 && Date.now() < deadline) for (const b of await f.poll()) for (const r of b.records) again.push(r.value!.toString());
    expect(again).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('group members keep their member id through a rebalance, and a stale generation cannot commit', async () => {
    const groupId = uniqueName('members');
    const topic = await createTopic('client-members', { partitions: 1 });
    const make = () => {
      const wire = newWire();
      return new GroupMembership({
        wire,
        groupId,
        groupInstanceId: null,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        heartbeatIntervalMs: 300,
        requestTimeoutMs: 30_000,
        clock: systemClock,
        logger,
        protocols: async () => [{ name: 'x', metadata: Buffer.alloc(0) }],
        assign: async (members) => new Map(members.map((x) => [x.memberId, Buffer.from(String(members.length))])),
        onFatal: () => undefined,
      });
    };
    const a = make();
    expect((await a.join(() => false)).toString()).toBe('1');
    const firstId = a.memberId;
    const firstGeneration = a.generationId;
    const b = make();
    const bJoined = b.join(() => false);
    // a learns about the rebalance from its heartbeat and rejoins with the same member id
    const deadline = Date.now() + 10_000;
    while (!a.needsRejoin() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(a.needsRejoin()).toBe(true);
    const [aAssignment, bAssignment] = await Promise.all([a.join(() => false), bJoined]);
    expect([aAssignment.toString(), bAssignment.toString()]).toEqual(['2', '2']);
    expect(a.memberId).toBe(firstId);
    expect(a.generationId).toBeGreaterThan(firstGeneration);
    // a commit with the old generation is refused as Kafka refuses it
    const stale = Object.assign(Object.create(Object.getPrototypeOf(a) as object) as GroupMembership, a, { generationId: firstGeneration });
    const err = await stale.commitOffsets([{ topic, partition: 0, offset: 1 }]).catch((e: unknown) => e);
    expect((err as KafkaProtocolError).kafkaError).toBe('ILLEGAL_GENERATION');
    await a.leave();
    await b.leave();
    await deleteGroup(groupId);
  });
});
