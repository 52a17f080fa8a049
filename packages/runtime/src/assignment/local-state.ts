// Owns what a worker knows of its local state for the assignor (KIP-441): which changelog partitions
// a task's stores have, and how far the copies on disk that no task uses now have got (the offset
// sums of their checkpoints).
import type { Topology } from '@sluice/core';
import { OffsetCheckpoint, type StateDirectory } from '@sluice/state';

/** The changelog partitions of a task: one per logged store of its sub-topology. */
export function changelogsOf(topology: Topology, taskId: string, changelogTopics: ReadonlyMap<string, string>): { topic: string; partition: number }[] {
  const [sub, partition] = taskId.split('_').map(Number) as [number, number];
  const def = topology.subtopologies().find((s) => s.id === sub);
  return (def?.stores ?? []).flatMap((store) => {
    const topic = changelogTopics.get(store);
    return topic === undefined ? [] : [{ topic, partition }];
  });
}

/** Offset sums of the task directories on disk that this worker does not use now (their checkpoints). */
export async function diskOffsetSums(stateDirectory: StateDirectory, inUse: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const used = new Set(inUse);
  for (const { taskId, path: dir } of stateDirectory.listTaskDirs()) {
    if (used.has(taskId)) continue;
    const offsets = await OffsetCheckpoint.forTaskDir(dir)
      .read()
      .catch(() => new Map<string, number>());
    if (offsets.size === 0) continue;
    let sum = 0;
    for (const v of offsets.values()) sum += v;
    out.set(taskId, sum);
  }
  return out;
}
