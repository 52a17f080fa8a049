// The requests Sluice writes itself are byte for byte what kafkajs writes for the versions both
// speak (the flexible versions kafkajs lacks — OffsetFetch v7, TxnOffsetCommit v3 — are proven
// against the real broker in test/integration/kafka-client-protocol.test.ts).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/kafka/wire/codec.js';
import { fetch, listOffsets } from '../../src/kafka/wire/requests/data.js';
import { heartbeat, joinGroup, leaveGroup, syncGroup } from '../../src/kafka/wire/requests/group.js';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId } from '../../src/kafka/wire/requests/transaction.js';
import type { WireRequest } from '../../src/kafka/wire/wire.js';

const require = createRequire(import.meta.url);
const kafkajs = (path: string) => require(`sluice-kafkajs/src/protocol/requests/${path}/request.js`) as (a: Record<string, unknown>) => { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };

function ours(req: WireRequest<unknown>): Buffer {
  const w = new Writer();
  req.encode(w);
  return Buffer.from(w.finish());
}

async function same(req: WireRequest<unknown>, path: string, args: Record<string, unknown>): Promise<void> {
  const theirs = kafkajs(path)(args);
  expect([req.apiKey, req.apiVersion]).toEqual([theirs.apiKey, theirs.apiVersion]);
  expect(ours(req).toString('hex')).toBe((await theirs.encode()).buffer.toString('hex'));
}

const producer = { producerId: 4711n, producerEpoch: 3 };

describe('requests, as kafkajs writes them', () => {
  it('JoinGroup v5 with and without a group instance id', async () => {
    const protocols = [{ name: 'sluice-streams', metadata: Buffer.from('meta') }];
    for (const groupInstanceId of [null, 'worker-1']) {
      await same(
        joinGroup({ groupId: 'app', sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 60_000, memberId: 'm-1', groupInstanceId, protocolType: 'consumer', protocols }),
        'joinGroup/v5',
        { groupId: 'app', sessionTimeout: 45_000, rebalanceTimeout: 60_000, memberId: 'm-1', groupInstanceId, protocolType: 'consumer', groupProtocols: [{ name: 'sluice-streams', metadata: Buffer.from('meta') }] },
      );
    }
  });

  it('SyncGroup v3, Heartbeat v3, LeaveGroup v3', async () => {
    await same(syncGroup({ groupId: 'app', generationId: 7, memberId: 'm-1', groupInstanceId: null, assignments: [{ memberId: 'm-1', assignment: Buffer.from([1, 2]) }] }), 'syncGroup/v3', {
      groupId: 'app',
      generationId: 7,
      memberId: 'm-1',
      groupInstanceId: null,
      groupAssignment: [{ memberId: 'm-1', memberAssignment: Buffer.from([1, 2]) }],
    });
    await same(heartbeat({ groupId: 'app', generationId: 7, memberId: 'm-1', groupInstanceId: 'w1' }), 'heartbeat/v3', { groupId: 'app', groupGenerationId: 7, memberId: 'm-1', groupInstanceId: 'w1' });
    await same(leaveGroup({ groupId: 'app', memberId: 'm-1', groupInstanceId: null }), 'leaveGroup/v3', { groupId: 'app', members: [{ memberId: 'm-1', groupInstanceId: null }] });
  });

  it('Fetch v11 and ListOffsets v2', async () => {
    await same(
      fetch({ maxWaitMs: 500, minBytes: 1, maxBytes: 2_097_152, isolationLevel: 1, partitions: [{ topic: 'a', partition: 0, offset: 42, maxBytes: 524_288 }, { topic: 'a', partition: 2, offset: 2 ** 40, maxBytes: 524_288 }, { topic: 'b', partition: 1, offset: 0, maxBytes: 524_288 }] }),
      'fetch/v11',
      {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 2_097_152,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          { topic: 'a', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: '42', logStartOffset: -1, maxBytes: 524_288 }, { partition: 2, currentLeaderEpoch: -1, fetchOffset: String(2 ** 40), logStartOffset: -1, maxBytes: 524_288 }] },
          { topic: 'b', partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: '0', logStartOffset: -1, maxBytes: 524_288 }] },
        ],
        rackId: '',
      },
    );
    await same(listOffsets({ isolationLevel: 1, partitions: [{ topic: 'a', partition: 0, timestamp: -2 }, { topic: 'a', partition: 1, timestamp: -1 }] }), 'listOffsets/v2', {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ topic: 'a', partitions: [{ partition: 0, timestamp: -2 }, { partition: 1, timestamp: -1 }] }],
    });
  });

  it('InitProducerId v1, AddPartitionsToTxn v1, AddOffsetsToTxn v1, EndTxn v1', async () => {
    await same(initProducerId({ transactionalId: 'app-0_1', transactionTimeoutMs: 10_000 }), 'initProducerId/v1', { transactionalId: 'app-0_1', transactionTimeout: 10_000 });
    await same(initProducerId({ transactionalId: null, transactionTimeoutMs: 60_000 }), 'initProducerId/v1', { transactionalId: null, transactionTimeout: 60_000 });
    await same(addPartitionsToTxn({ transactionalId: 'app-0_1', producer, partitions: [{ topic: 'out', partition: 0 }, { topic: 'out', partition: 2 }, { topic: 'cl', partition: 1 }] }), 'addPartitionsToTxn/v1', {
      transactionalId: 'app-0_1',
      producerId: '4711',
      producerEpoch: 3,
      topics: [{ topic: 'out', partitions: [0, 2] }, { topic: 'cl', partitions: [1] }],
    });
    await same(addOffsetsToTxn({ transactionalId: 'app-0_1', producer, groupId: 'app' }), 'addOffsetsToTxn/v1', { transactionalId: 'app-0_1', producerId: '4711', producerEpoch: 3, groupId: 'app' });
    await same(endTxn({ transactionalId: 'app-0_1', producer, commit: true }), 'endTxn/v1', { transactionalId: 'app-0_1', producerId: '4711', producerEpoch: 3, transactionResult: true });
  });
});
