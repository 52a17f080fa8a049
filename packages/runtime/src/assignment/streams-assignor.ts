// Owns Sluice's side of the group protocol (Kafka's StreamsPartitionAssignor): what each worker tells
// the leader (process id, query endpoint, the tasks it runs and how far each local copy of a task's
// state has got — KIP-441's offset sums — and its topology's fingerprint), and what the leader
// decides and tells everyone (each worker's active and standby tasks, the whole fleet for
// interactive queries, when to rebalance again to move warmed-up tasks, or why the group cannot run).
import { createHash } from 'node:crypto';
import { describeError, type Clock, type Logger } from '@sluice/common';
import type { AssignmentContext, AssignorLogic, GroupMemberSubscription, MemberAssignment, TopicPartition } from '../ports.js';
import { assignTasks, compareTaskIds, type ClientState } from './task-assignor.js';
import { distributeAmongThreads } from './thread-distribution.js';
import type { TopologyTasks } from './topology-tasks.js';

export interface SubscriptionInfo {
  readonly processId: string;
  readonly endpoint?: string;
  readonly active: string[];
  readonly standby: string[];
  /** Sum of the changelog offsets each local copy of a task holds; -2 = a running active task. */
  readonly offsetSums: { [taskId: string]: number };
  /** Hash of the topology this worker runs. */
  readonly topology: string;
  /** This worker asks every worker to shut down (StreamThreadExceptionResponse SHUTDOWN_APPLICATION), and why. */
  readonly shutdown?: string;
}

export interface ClientInfo {
  readonly processId: string;
  readonly endpoint?: string;
  readonly active: string[];
  readonly standby: string[];
}

export interface AssignmentInfo {
  readonly active: string[];
  readonly standby: string[];
  /** Every worker of the group (interactive-query metadata). */
  readonly clients: ClientInfo[];
  /** Rebalance again at this time: warm-up replicas may have caught up by then. */
  readonly probeAt?: number;
  /** The group cannot run as it is (different topologies under one application id). */
  readonly error?: { readonly code: 'INCOMPATIBLE_TOPOLOGY' | 'SHUTDOWN_APPLICATION'; readonly message: string };
}

export interface StreamsAssignorOptions {
  readonly processId: string;
  readonly endpoint: string | undefined;
  readonly topologyTasks: TopologyTasks;
  /** Fingerprint of the topology (see topologyFingerprint). */
  readonly topology: string;
  /** Changelog partitions of a task; empty for a stateless task. */
  readonly changelogsOf: (taskId: string) => TopicPartition[];
  /** This worker's tasks and their offset sums (running active: -2). */
  readonly local: () => { active: string[]; standby: string[]; offsetSums: Map<string, number> };
  /** Offset sums of task directories on disk that no task of this worker uses now. */
  readonly diskOffsetSums: () => Promise<Map<string, number>>;
  readonly numStandbyReplicas: number;
  readonly acceptableRecoveryLag: number;
  readonly maxWarmupReplicas: number;
  readonly probingRebalanceIntervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Why this worker asks the application to shut down, if it does. */
  readonly shutdownRequested: () => string | undefined;
  /** Every member hears the leader's decision. */
  readonly onAssignment: (info: AssignmentInfo) => void;
}

/** What identifies a topology's tasks and state: its description (sub-topologies, topics, stores). */
export function topologyFingerprint(describe: string): string {
  return createHash('sha256').update(describe).digest('hex').slice(0, 16);
}

export class StreamsAssignor implements AssignorLogic {
  constructor(private readonly o: StreamsAssignorOptions) {}

  async subscriptionUserData(): Promise<Buffer> {
    const local = this.o.local();
    const sums: { [taskId: string]: number } = {};
    try {
      for (const [id, sum] of await this.o.diskOffsetSums()) sums[id] = sum;
    } catch (err) {
      this.o.logger.debug(`reading local checkpoints for the assignor failed: ${describeError(err)}`);
    }
    for (const [id, sum] of local.offsetSums) sums[id] = sum;
    const info: SubscriptionInfo = {
      processId: this.o.processId,
      ...(this.o.endpoint ? { endpoint: this.o.endpoint } : {}),
      active: local.active,
      standby: local.standby,
      offsetSums: sums,
      topology: this.o.topology,
      ...(this.o.shutdownRequested() !== undefined ? { shutdown: this.o.shutdownRequested()! } : {}),
    };
    return Buffer.from(JSON.stringify(info));
  }

  async assign(members: readonly GroupMemberSubscription[], ctx: AssignmentContext): Promise<Map<string, MemberAssignment>> {
    const subs = new Map<string, SubscriptionInfo>();
    for (const m of members) subs.set(m.memberId, parseSubscription(m.userData, m.memberId));
    const out = new Map<string, MemberAssignment>();

    const shutdown = [...subs.values()].find((s) => s.shutdown !== undefined);
    if (shutdown) {
      const message = `the application was shut down by one of its workers: ${shutdown.shutdown} (its uncaught exception handler said SHUTDOWN_APPLICATION)`;
      const userData = encodeAssignment({ active: [], standby: [], clients: [], error: { code: 'SHUTDOWN_APPLICATION', message } });
      for (const m of members) out.set(m.memberId, { partitions: [], userData });
      return out;
    }

    const versions = new Map<string, string[]>();
    for (const s of subs.values()) versions.set(s.topology, [...(versions.get(s.topology) ?? []), s.processId]);
    if (versions.size > 1) {
      const list = [...versions].map(([fp, ps]) => `topology ${fp} on ${ps.length} worker(s) (${ps.join(', ')})`).join(' and ');
      const message = `workers running different topologies joined the same application (one applicationId): ${list}. Run one topology per applicationId: stop the old version (or give the new one its own applicationId), then start the new one`;
      this.o.logger.error(message);
      const userData = encodeAssignment({ active: [], standby: [], clients: [], error: { code: 'INCOMPATIBLE_TOPOLOGY', message } });
      for (const m of members) out.set(m.memberId, { partitions: [], userData });
      return out;
    }

    const tasks = this.o.topologyTasks.tasks((t) => ctx.partitionCount(t));
    const changelogs = new Map(tasks.map((t) => [t.id, this.o.changelogsOf(t.id)]));
    const allChangelogs = [...changelogs.values()].flat();
    let ends = new Map<string, number>();
    if (allChangelogs.length > 0) {
      try {
        ends = await ctx.reader.endOffsets(allChangelogs);
      } catch (err) {
        this.o.logger.warn(`reading changelog end offsets for the assignment failed (${describeError(err)}); treating every copy as caught up`);
      }
    }
    const endSum = new Map(tasks.map((t) => [t.id, (changelogs.get(t.id) ?? []).reduce((sum, tp) => sum + (ends.get(`${tp.topic}:${tp.partition}`) ?? 0), 0)]));

    // one client per worker process: its stream threads are members of their own, merged here
    const byProcess = new Map<string, { sub: SubscriptionInfo; members: { memberId: string; sub: SubscriptionInfo }[] }>();
    for (const [memberId, sub] of subs) {
      const c = byProcess.get(sub.processId);
      if (c) {
        c.members.push({ memberId, sub });
        c.sub = mergeThreads(c.sub, sub);
      } else byProcess.set(sub.processId, { sub, members: [{ memberId, sub }] });
    }
    const clients: ClientState[] = [...byProcess.values()].map(({ sub, members: ms }) => ({
      processId: sub.processId,
      capacity: ms.length,
      previousActive: new Set(sub.active),
      previousStandby: new Set(sub.standby),
      lag: (taskId: string) => {
        const reported = sub.offsetSums[taskId];
        const end = endSum.get(taskId) ?? 0;
        if (reported === -2) return 0;
        if (reported === undefined || reported < 0) return end;
        return Math.max(0, end - reported);
      },
    }));
    const decided = assignTasks(
      tasks.map((t) => ({ id: t.id, stateful: (changelogs.get(t.id) ?? []).length > 0 })),
      clients,
      { numStandbyReplicas: this.o.numStandbyReplicas, acceptableRecoveryLag: this.o.acceptableRecoveryLag, maxWarmupReplicas: this.o.maxWarmupReplicas },
    );
    const inputs = new Map(tasks.map((t) => [t.id, t.inputs]));
    const fleet: ClientInfo[] = [...byProcess.values()].map(({ sub }) => {
      const a = decided.clients.get(sub.processId)!;
      return { processId: sub.processId, ...(sub.endpoint ? { endpoint: sub.endpoint } : {}), active: a.active, standby: a.standby };
    });
    const probeAt = decided.warmups > 0 ? this.o.clock.now() + this.o.probingRebalanceIntervalMs : undefined;
    if (decided.warmups > 0) this.o.logger.info(`warming up ${decided.warmups} task copies before moving them; next probing rebalance in ${this.o.probingRebalanceIntervalMs} ms`);
    for (const { sub, members: ms } of byProcess.values()) {
      const a = decided.clients.get(sub.processId)!;
      const activeOf = distributeAmongThreads(a.active, ms.map((m) => ({ memberId: m.memberId, previous: new Set(m.sub.active) })));
      const standbyOf = distributeAmongThreads(a.standby, ms.map((m) => ({ memberId: m.memberId, previous: new Set(m.sub.standby) })));
      for (const { memberId } of ms) {
        const active = activeOf.get(memberId)!;
        const standby = standbyOf.get(memberId)!;
        const partitions = active.flatMap((t) => inputs.get(t) ?? []);
        out.set(memberId, { partitions, userData: encodeAssignment({ active, standby, clients: fleet, ...(probeAt !== undefined ? { probeAt } : {}) }) });
      }
    }
    return out;
  }

  onAssignment(userData: Buffer | null): void {
    let info: AssignmentInfo = { active: [], standby: [], clients: [] };
    if (userData && userData.length > 0) {
      try {
        info = JSON.parse(userData.toString('utf8')) as AssignmentInfo;
      } catch (err) {
        this.o.logger.warn(`could not read the assignment's user data (${describeError(err)}); a worker of another Sluice version may lead the group`);
      }
    }
    this.o.onAssignment({ ...info, active: [...info.active].sort(compareTaskIds), standby: [...info.standby].sort(compareTaskIds) });
  }
}

/** The subscription of a worker with several threads: their tasks together, each copy's best offset sum. */
function mergeThreads(a: SubscriptionInfo, b: SubscriptionInfo): SubscriptionInfo {
  const offsetSums: { [taskId: string]: number } = { ...a.offsetSums };
  for (const [t, sum] of Object.entries(b.offsetSums)) {
    const known = offsetSums[t];
    offsetSums[t] = known === -2 || sum === -2 ? -2 : Math.max(known ?? -1, sum);
  }
  const shutdown = a.shutdown ?? b.shutdown;
  return {
    ...a,
    ...(a.endpoint === undefined && b.endpoint !== undefined ? { endpoint: b.endpoint } : {}),
    active: [...new Set([...a.active, ...b.active])],
    standby: [...new Set([...a.standby, ...b.standby])],
    offsetSums,
    ...(shutdown !== undefined ? { shutdown } : {}),
  };
}

function encodeAssignment(info: AssignmentInfo): Buffer {
  return Buffer.from(JSON.stringify(info));
}

function parseSubscription(userData: Buffer | null, memberId: string): SubscriptionInfo {
  const fallback: SubscriptionInfo = { processId: memberId, active: [], standby: [], offsetSums: {}, topology: 'unknown' };
  if (!userData || userData.length === 0) return fallback;
  try {
    const raw = JSON.parse(userData.toString('utf8')) as Partial<SubscriptionInfo> & { previousTasks?: string[] };
    return {
      processId: typeof raw.processId === 'string' ? raw.processId : memberId,
      ...(typeof raw.endpoint === 'string' ? { endpoint: raw.endpoint } : {}),
      active: raw.active ?? raw.previousTasks ?? [],
      standby: raw.standby ?? [],
      offsetSums: raw.offsetSums ?? {},
      topology: raw.topology ?? 'unknown',
      ...(typeof raw.shutdown === 'string' ? { shutdown: raw.shutdown } : {}),
    };
  } catch {
    return fallback;
  }
}
