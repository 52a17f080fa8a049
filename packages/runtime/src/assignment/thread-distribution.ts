// Owns how a worker's tasks are shared among its stream threads (each a member of the group; Kafka's
// StreamsPartitionAssignor does the same per client after placing tasks on clients): a task goes
// back to the thread that ran it while that thread has less than its share, the rest to the thread
// with the fewest tasks — so a rebalance moves tasks between threads only to even them out.
import { compareTaskIds } from './task-assignor.js';

export interface ThreadMember {
  readonly memberId: string;
  /** Tasks the member ran before this rebalance. */
  readonly previous: ReadonlySet<string>;
}

/** Tasks by member id; every task goes to exactly one member. */
export function distributeAmongThreads(tasks: readonly string[], members: readonly ThreadMember[]): Map<string, string[]> {
  const out = new Map<string, string[]>(members.map((m) => [m.memberId, []]));
  if (members.length === 0) return out;
  const sorted = [...tasks].sort(compareTaskIds);
  const share = Math.ceil(sorted.length / members.length);
  const rest: string[] = [];
  for (const t of sorted) {
    const prev = members.find((m) => m.previous.has(t));
    const mine = prev === undefined ? undefined : out.get(prev.memberId)!;
    if (mine !== undefined && mine.length < share) mine.push(t);
    else rest.push(t);
  }
  const ordered = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  for (const t of rest) {
    let least = ordered[0]!;
    for (const m of ordered) if (out.get(m.memberId)!.length < out.get(least.memberId)!.length) least = m;
    out.get(least.memberId)!.push(t);
  }
  for (const list of out.values()) list.sort(compareTaskIds);
  return out;
}
