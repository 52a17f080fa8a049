// Owns how the group leader spreads tasks over the members: every input partition of a task goes to
// the same member (co-partitioning), counts stay within one of each other, and a member keeps the
// tasks it had before whenever the balance allows (so state need not move).
import type { GroupAssignment, MemberInfo, TopicPartition } from '../ports.js';
import type { TopologyTasks } from './topology-tasks.js';

export function assignTasks(topologyTasks: TopologyTasks, members: readonly MemberInfo[], partitionCount: (topic: string) => number | undefined): GroupAssignment {
  const tasks = topologyTasks.tasks(partitionCount);
  const memberPartitions = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  const taskOwners = new Map<string, { processId: string; endpoint: string | undefined }>();
  if (members.length === 0) return { memberPartitions, taskOwners };

  const byId = new Map(tasks.map((t) => [t.id, t]));
  const ordered = [...members].sort((a, b) => b.previousTasks.length - a.previousTasks.length || (a.memberId < b.memberId ? -1 : 1));
  const base = Math.floor(tasks.length / members.length);
  const extra = tasks.length % members.length;
  const quota = new Map(ordered.map((m, i) => [m.memberId, base + (i < extra ? 1 : 0)]));
  const owned = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  const taken = new Set<string>();

  // 1. stickiness: keep previous tasks up to the quota
  for (const m of ordered) {
    for (const id of [...m.previousTasks].sort()) {
      if (!byId.has(id) || taken.has(id) || owned.get(m.memberId)!.length >= quota.get(m.memberId)!) continue;
      owned.get(m.memberId)!.push(id);
      taken.add(id);
    }
  }
  // 2. the rest to whoever is furthest below quota
  for (const t of tasks) {
    if (taken.has(t.id)) continue;
    let best: MemberInfo | undefined;
    for (const m of ordered) {
      const have = owned.get(m.memberId)!.length;
      if (have >= quota.get(m.memberId)!) continue;
      if (!best || have < owned.get(best.memberId)!.length) best = m;
    }
    best ??= ordered[0]!;
    owned.get(best.memberId)!.push(t.id);
    taken.add(t.id);
  }

  for (const m of members) {
    for (const id of owned.get(m.memberId)!) {
      memberPartitions.get(m.memberId)!.push(...byId.get(id)!.inputs);
      taskOwners.set(id, { processId: m.processId, endpoint: m.endpoint });
    }
  }
  return { memberPartitions, taskOwners };
}
