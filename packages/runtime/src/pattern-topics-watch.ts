// Owns Kafka's pattern subscription for source patterns: the topics are looked up again every
// metadataMaxAgeMs, and a topic created later that matches joins its sub-topology's tasks (its
// serdes prepared, its partition count known) — then every stream thread subscribes anew and the
// group rebalances so its partitions are read.
import { describeError, type Clock, type Logger } from '@sluice/common';
import type { Topology } from '@sluice/core';
import type { TopologyTasks } from './assignment/topology-tasks.js';
import type { Admin } from './ports.js';
import type { SourceTopicAdded } from './threads/thread-handle.js';
import { patternTopics } from './topic-manager.js';

export interface PatternWatchOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly topologyTasks: TopologyTasks;
  readonly admin: () => Admin | undefined;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly stopped: () => boolean;
  /** The topics were added to the task list: prepare their serdes, record their partitions, resubscribe. */
  readonly onAdded: (added: SourceTopicAdded[]) => Promise<void>;
}

/** Starts watching (nothing to do without source patterns); cancel() stops it. */
export function watchPatternTopics(o: PatternWatchOptions): { cancel(): void } | undefined {
  const subs = o.topology.subtopologies().filter((s) => s.sourcePatterns.length > 0);
  if (subs.length === 0) return undefined;
  let timer: { cancel(): void } | undefined;
  let cancelled = false;
  const tick = async () => {
    const admin = o.admin();
    if (admin === undefined) return;
    const existing = await admin.listTopics();
    const added: { subtopology: number; topic: string }[] = [];
    for (const sub of subs) {
      for (const pattern of sub.sourcePatterns) {
        for (const t of patternTopics(pattern, existing, o.applicationId)) {
          if (o.topologyTasks.addSourceTopic(sub.id, t)) added.push({ subtopology: sub.id, topic: t });
        }
      }
    }
    if (added.length === 0) return;
    o.logger.info(`new topics match source patterns: ${added.map((a) => a.topic).join(', ')}; rebalancing so their partitions are read`);
    const described = new Map((await admin.describeTopics(added.map((a) => a.topic), [])).map((d) => [d.name, d.partitions]));
    await o.onAdded(added.map((a) => ({ ...a, partitions: described.get(a.topic) ?? 0 })));
  };
  const schedule = () => {
    timer = o.clock.setTimeout(() => {
      if (cancelled || o.stopped()) return;
      void tick()
        .catch((err: unknown) => o.logger.warn(`looking up topics for source patterns failed: ${describeError(err)}; trying again later`))
        .finally(() => {
          if (!cancelled) schedule();
        });
    }, o.intervalMs);
  };
  schedule();
  return {
    cancel() {
      cancelled = true;
      timer?.cancel();
    },
  };
}
