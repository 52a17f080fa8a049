// Owns which tasks a topology has for given partition counts, and which input partitions each task
// reads: task "<subtopology>_<p>" reads partition p of every source topic of its sub-topology.
import type { SubtopologyDef } from '@sluice/core';
import type { TopicPartition } from '../ports.js';

export interface TaskSpec {
  readonly id: string;
  readonly subtopology: number;
  readonly partition: number;
  readonly inputs: TopicPartition[];
}

export class TopologyTasks {
  constructor(
    private readonly subtopologies: readonly SubtopologyDef[],
    /** Real (application-prefixed) source topic names per sub-topology, patterns already resolved. */
    private readonly sourceTopics: Map<number, string[]>,
  ) {}

  /** A topic created after start matched a source pattern of `subtopology`: its tasks read it too. */
  addSourceTopic(subtopology: number, topic: string): boolean {
    const topics = this.sourceTopics.get(subtopology) ?? [];
    if (topics.includes(topic)) return false;
    this.sourceTopics.set(subtopology, [...topics, topic]);
    return true;
  }

  /** All tasks, in sub-topology then partition order. Topics with unknown partition counts are skipped. */
  tasks(partitionCount: (topic: string) => number | undefined): TaskSpec[] {
    const out: TaskSpec[] = [];
    for (const sub of this.subtopologies) {
      const topics = this.sourceTopics.get(sub.id) ?? [];
      const counts = topics.map((t) => partitionCount(t) ?? 0);
      const n = Math.max(0, ...counts);
      for (let p = 0; p < n; p++) {
        const inputs = topics.filter((_t, i) => counts[i]! > p).map((topic) => ({ topic, partition: p }));
        out.push({ id: `${sub.id}_${p}`, subtopology: sub.id, partition: p, inputs });
      }
    }
    return out;
  }

  /** The sub-topology that reads `topic`, or undefined. */
  subtopologyOf(topic: string): number | undefined {
    for (const [id, topics] of this.sourceTopics) if (topics.includes(topic)) return id;
    return undefined;
  }

  taskIdOf(tp: TopicPartition): string | undefined {
    const sub = this.subtopologyOf(tp.topic);
    return sub === undefined ? undefined : `${sub}_${tp.partition}`;
  }

  allSourceTopics(): string[] {
    return [...new Set([...this.sourceTopics.values()].flat())];
  }
}
