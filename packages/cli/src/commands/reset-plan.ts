// Owns what `sluice reset` decides before it changes anything: which topics are the application's
// internal topics (Kafka's StreamsResetter rules), and where each input partition's offset goes for
// the chosen position (earliest, latest, an offset, a time, a shift, a CSV plan), clamped to the log.
import { readFileSync } from 'node:fs';
import type { AdminTools, TopicPartition, TopicPartitionOffset } from '@sluice/runtime';
import { usageError } from '../io.js';

/** Kafka's StreamsResetter.matchesInternalTopicFormat: changelog, repartition and foreign-key join topics. */
export function matchesInternalTopicFormat(topic: string): boolean {
  return (
    topic.endsWith('-changelog') ||
    topic.endsWith('-repartition') ||
    topic.endsWith('-subscription-registration-topic') ||
    topic.endsWith('-subscription-response-topic') ||
    /.+-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-\d+-topic$/.test(topic) ||
    /.+-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-\d+-topic$/.test(topic)
  );
}

/** The application's internal topics among `topics`; input topics named like internal ones are not (KAFKA-7930). */
export function internalTopicsOf(applicationId: string, topics: readonly string[], inputTopics: readonly string[]): string[] {
  return topics.filter((t) => t.startsWith(`${applicationId}-`) && matchesInternalTopicFormat(t) && !inputTopics.includes(t)).sort();
}

export type Position =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; offset: number }
  | { kind: 'timestamp'; timestamp: number; what: string }
  | { kind: 'shift'; by: number }
  | { kind: 'file'; file: string };

/** `topic,partition,offset` lines, as Kafka's --from-file reads them. */
export function parseResetPlan(file: string): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read the --from-file plan '${file}': ${(err as Error).message}`);
  }
  const plan = new Map<string, number>();
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw usageError(`the reset plan '${file}' is empty; write one TOPIC,PARTITION,OFFSET line per partition`);
  lines.forEach((line, i) => {
    const parts = line.split(',').map((p) => p.trim());
    if (parts.length !== 3 || !/^\d+$/.test(parts[1]!) || !/^\d+$/.test(parts[2]!) || parts[0]!.length === 0) {
      throw usageError(`line ${i + 1} of the reset plan '${file}' is not TOPIC,PARTITION,OFFSET: '${line}'`);
    }
    plan.set(`${parts[0]}:${Number(parts[1])}`, Number(parts[2]));
  });
  return plan;
}

export interface PlannedOffset extends TopicPartitionOffset {
  /** Why the offset differs from what was asked (clamped, no record after the time…). */
  readonly note?: string;
}

const tpKey = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

/** Where each partition's committed offset goes. Partitions a --from-file plan does not name are left out. */
export async function planOffsets(tools: AdminTools, groupId: string, partitions: readonly TopicPartition[], position: Position): Promise<PlannedOffset[]> {
  const earliest = new Map((await tools.listOffsets(partitions, 'earliest')).map((o) => [tpKey(o), o.offset]));
  const latest = new Map((await tools.listOffsets(partitions, 'latest')).map((o) => [tpKey(o), o.offset]));
  const clamp = (tp: TopicPartition, offset: number): PlannedOffset => {
    const low = earliest.get(tpKey(tp))!;
    const high = latest.get(tpKey(tp))!;
    if (offset > high) return { ...tp, offset: high, note: `new offset (${offset}) is higher than the latest offset; set to ${high}` };
    if (offset < low) return { ...tp, offset: low, note: `new offset (${offset}) is lower than the earliest offset; set to ${low}` };
    return { ...tp, offset };
  };
  switch (position.kind) {
    case 'earliest':
      return partitions.map((tp) => ({ ...tp, offset: earliest.get(tpKey(tp))! }));
    case 'latest':
      return partitions.map((tp) => ({ ...tp, offset: latest.get(tpKey(tp))! }));
    case 'offset':
      return partitions.map((tp) => clamp(tp, position.offset));
    case 'timestamp': {
      const byTime = new Map((await tools.listOffsets(partitions, { timestamp: position.timestamp })).map((o) => [tpKey(o), o.offset]));
      return partitions.map((tp) => {
        const offset = byTime.get(tpKey(tp))!;
        if (offset >= 0) return { ...tp, offset };
        return { ...tp, offset: latest.get(tpKey(tp))!, note: `no record at or after ${position.what}; set to the latest offset` };
      });
    }
    case 'shift': {
      const committed = new Map((await tools.listConsumerGroupOffsets(groupId, [...new Set(partitions.map((p) => p.topic))])).map((o) => [tpKey(o), o.offset]));
      return partitions.map((tp) => clamp(tp, (committed.get(tpKey(tp)) ?? earliest.get(tpKey(tp))!) + position.by));
    }
    case 'file': {
      const plan = parseResetPlan(position.file);
      const known = new Set(partitions.map(tpKey));
      const stray = [...plan.keys()].filter((k) => !known.has(k));
      if (stray.length > 0) throw usageError(`the reset plan '${position.file}' names partitions that are not partitions of the input topics: ${stray.join(', ')}`);
      return partitions.filter((tp) => plan.has(tpKey(tp))).map((tp) => clamp(tp, plan.get(tpKey(tp))!));
    }
  }
}
