// Owns the runtime's consumer: Sluice's own poll loop on its own group membership and fetcher (no
// kafkajs consumer). Each turn either rebalances — commit (or, when the membership was lost, close
// without committing), join, apply the assignment (tasks created; under exactly-once their
// producers fence older owners first), then read the committed offsets (require_stable under
// exactly-once, so a transaction still completing is waited for, KIP-447) — or hands fetched
// batches to the runtime. Errors that can be retried (a broker restart, a moved coordinator) are
// retried here with the member id kept; only what cannot be retried reaches onCrash.
import { describeError, monotonicMs, type Clock, type Logger } from '@sluice/common';
import type { BatchControl, GroupConsumer, GroupConsumerSettings, GroupControl, GroupHandlers, PartitionReader, TopicPartition } from '../ports.js';
import { translate, type ErrorContext } from './errors.js';
import { Fetcher } from './fetch/fetcher.js';
import { listOffsets } from './fetch/offsets.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from './group/consumer-protocol.js';
import { GroupMembership } from './group/membership.js';
import { createPartitionReader } from './partition-reader.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from './wire/requests/data.js';
import { isRetriable, type KafkaWire } from './wire/wire.js';

export const ASSIGNOR_NAME = 'sluice-streams';

const key = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

export interface GroupConsumerDeps {
  /** Connections for group traffic (join, heartbeat, offsets): a JoinGroup may block its connection. */
  readonly groupWire: KafkaWire;
  /** Connections for data (fetches, offsets lookups, restoration). */
  readonly dataWire: KafkaWire;
  readonly requestTimeoutMs: number;
  /** How long offset lookups after an assignment keep retrying (task.timeout.ms). */
  readonly taskTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Who connects (security) and the group id, for error messages that name the fix. */
  readonly errorContext: ErrorContext;
}

export function createGroupConsumer(o: GroupConsumerSettings, d: GroupConsumerDeps): GroupConsumer {
  let topics: string[] = [];
  let closing = false;
  let loopDone: Promise<void> | undefined;
  let assigned: TopicPartition[] = [];
  let handlers: GroupHandlers | undefined;
  const reader: PartitionReader = createPartitionReader(d.dataWire, o.readCommitted);

  const fetcher = new Fetcher({
    wire: d.dataWire,
    readCommitted: o.readCommitted,
    maxWaitMs: o.maxWaitTimeMs,
    maxBytes: o.fetchMaxBytes,
    partitionMaxBytes: o.maxPartitionFetchBytes,
    requestTimeoutMs: d.requestTimeoutMs,
    resetPolicy: o.resetPolicy,
    clock: d.clock,
    logger: d.logger,
    onFetched: (topic, partition, position, end) => handlers?.onFetched?.(topic, partition, position, end),
  });

  let fatal: ((err: Error) => void) | undefined;
  const membership = new GroupMembership({
    wire: d.groupWire,
    groupId: o.groupId,
    groupInstanceId: o.groupInstanceId,
    sessionTimeoutMs: o.sessionTimeoutMs,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs,
    heartbeatIntervalMs: o.heartbeatIntervalMs,
    requestTimeoutMs: d.requestTimeoutMs,
    clock: d.clock,
    logger: d.logger,
    protocols: async () => [{ name: ASSIGNOR_NAME, metadata: encodeSubscription({ topics, userData: await o.assignor.subscriptionUserData() }) }],
    assign: async (members) => {
      await d.dataWire.refreshMetadata();
      const counts = new Map<string, number>();
      for (const t of topics) {
        const n = await d.dataWire.partitions(t).then(
          (ps) => ps.length,
          () => undefined, // unknown topic: the assignor leaves its tasks out
        );
        if (n !== undefined && n > 0) counts.set(t, n);
      }
      const decided = await o.assignor.assign(
        members.map((m) => ({ memberId: m.memberId, userData: decodeSubscription(m.metadata).userData })),
        { partitionCount: (t) => counts.get(t), reader },
      );
      return new Map(members.map((m) => {
        const a = decided.get(m.memberId);
        return [m.memberId, encodeAssignment({ partitions: a?.partitions ?? [], userData: a?.userData ?? null })];
      }));
    },
    onFatal: (err) => fatal?.(err),
  });

  const control: GroupControl = {
    heartbeat: async () => !membership.needsRejoin() && !closing,
    reader,
    pause: (tps) => fetcher.pause(tps),
    resume: (tps) => fetcher.resume(tps),
    generationId: () => membership.generationId,
  };
  const batchControl: BatchControl = { heartbeat: control.heartbeat, delivered: (b) => fetcher.delivered(b) };

  /** Where each assigned partition starts: its committed offset, else its source's reset policy. */
  const resolvePositions = async (tps: readonly TopicPartition[]): Promise<(TopicPartition & { offset: number })[]> => {
    const committed = await membership.fetchOffsets([...tps], o.readCommitted, d.clock.now() + d.taskTimeoutMs);
    const byKey = new Map(committed.map((c) => [key(c), c.offset]));
    const out: (TopicPartition & { offset: number })[] = [];
    const missing: { topic: string; partition: number; timestamp: number }[] = [];
    for (const tp of tps) {
      const offset = byKey.get(key(tp)) ?? -1;
      if (offset >= 0) out.push({ ...tp, offset });
      else {
        const policy = o.resetPolicy(tp.topic);
        if (policy === 'none') throw translate(`starting ${tp.topic}-${tp.partition}`, new Error(`group '${o.groupId}' has no committed offset for it and the source's offset reset policy is 'none'`), d.errorContext);
        missing.push({ topic: tp.topic, partition: tp.partition, timestamp: policy === 'latest' ? LATEST_TIMESTAMP : EARLIEST_TIMESTAMP });
      }
    }
    for (const l of await listOffsets(d.dataWire, missing, o.readCommitted)) out.push({ topic: l.topic, partition: l.partition, offset: l.offset });
    return out;
  };

  const rebalance = async (h: GroupHandlers): Promise<void> => {
    fetcher.clear();
    await h.onRevoking({ lost: () => membership.lost });
    const assignment = decodeAssignment(await membership.join(() => closing));
    o.assignor.onAssignment(assignment.userData);
    assigned = assignment.partitions;
    await d.dataWire.addTopics([...new Set(assigned.map((tp) => tp.topic))]);
    // offsets first (stable ones under exactly-once: a transaction still completing is waited for),
    // then the tasks, whose restoration reads changelogs up to their end as of now (KIP-447's order)
    fetcher.assign(await resolvePositions(assigned));
    await h.onAssigned(assigned, control);
  };

  const loop = async (h: GroupHandlers, started: (err?: unknown) => void): Promise<void> => {
    let failures = 0;
    while (!closing) {
      try {
        if (membership.needsRejoin()) {
          await rebalance(h);
          if (!membership.needsRejoin()) started();
          failures = 0;
          continue;
        }
        const polledAt = monotonicMs();
        const batches = await fetcher.poll();
        h.onPolled?.(batches.reduce((n, b) => n + b.records.length, 0), monotonicMs() - polledAt);
        for (const b of batches) {
          if (closing || membership.needsRejoin()) break;
          await h.onBatch(b, batchControl);
        }
        failures = 0;
      } catch (err) {
        if (closing) break;
        if (isRetriable(err)) {
          failures++;
          d.logger.warn(`consumer of group '${o.groupId}' hit a retriable error (${failures} in a row), going on: ${describeError(err)}`);
          membership.requestRejoin(`after an error: ${describeError(err)}`);
          await new Promise<void>((r) => d.clock.setTimeout(r, Math.min(5_000, 200 * 2 ** Math.min(failures, 5))));
          continue;
        }
        const e = translate(`the consumer of group '${o.groupId}' stopped`, err, d.errorContext);
        started(e);
        h.onCrash(e);
        return;
      }
    }
  };

  return {
    async subscribe(list) {
      topics = list.filter((t): t is string => typeof t === 'string');
      try {
        await d.groupWire.connect();
        await d.dataWire.connect();
        await d.dataWire.addTopics(topics);
      } catch (err) {
        throw translate(`subscribing to ${topics.join(', ')}`, err, d.errorContext);
      }
    },
    run(h) {
      handlers = h;
      fatal = (err) => {
        closing = true;
        fetcher.wakeup();
        h.onCrash(translate(`the membership of group '${o.groupId}' ended`, err, d.errorContext));
      };
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const started = (err?: unknown) => {
          if (settled) return;
          settled = true;
          if (err === undefined) resolve();
          else reject(err);
        };
        loopDone = loop(h, started).finally(() => started(new Error('the consumer stopped before it joined the group')));
      });
    },
    async commitOffsets(offsets) {
      try {
        await membership.commitOffsets([...offsets]);
      } catch (err) {
        throw translate(`committing offsets of group '${o.groupId}'`, err, d.errorContext);
      }
    },
    groupMetadata: () => membership.groupMetadata(),
    lag: (tp) => fetcher.lag(tp),
    async committed(tps) {
      try {
        return (await membership.fetchOffsets([...tps], o.readCommitted, d.clock.now() + d.taskTimeoutMs)).map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset }));
      } catch (err) {
        throw translate(`reading the committed offsets of group '${o.groupId}'`, err, d.errorContext);
      }
    },
    pause: (tps) => control.pause(tps),
    resume: (tps) => control.resume(tps),
    seek(tp, offset) {
      fetcher.seek(tp, offset);
    },
    enforceRebalance(reason) {
      membership.requestRejoin(reason);
      fetcher.wakeup();
    },
    reader: () => reader,
    async close() {
      closing = true;
      fetcher.wakeup();
      membership.stopHeartbeats();
      // a JoinGroup in flight may wait out a whole rebalance: leave without waiting that long
      await Promise.race([loopDone?.catch(() => undefined), new Promise<void>((r) => d.clock.setTimeout(r, 3_000))]);
      await membership.leave();
      await d.groupWire.close();
      await d.dataWire.close();
    },
  };
}
