// Owns the application's topics at start-up: source and output topics must exist (and be visible to
// this principal: ACLs hide topics from listings, so an unlisted topic is told apart as missing or
// forbidden); repartition and changelog topics are created with the right partition counts and
// configs, and existing ones are checked (a wrong partition count or cleanup policy stops start-up
// with the exact fix).
import { ConfigError, ErrorCodes, SluiceError, type Logger } from '@sluice/common';
import type { SubtopologyDef, Topology } from '@sluice/core';
import type { Admin, NewTopic } from './ports.js';

export interface TopicPlan {
  /** Real source topics per sub-topology (internal ones prefixed, patterns resolved). */
  readonly sourceTopics: Map<number, string[]>;
  /** Task count per sub-topology. */
  readonly taskCounts: Map<number, number>;
  /** Changelog topic per store name (logged stores only). */
  readonly changelogTopics: Map<string, string>;
  readonly partitionCounts: Map<string, number>;
}

export class TopicMismatchError extends SluiceError {
  constructor(message: string) {
    super(ErrorCodes.TOPIC_MISMATCH, message);
  }
}

/** The topics a source pattern reads: internal topics (ours and Kafka's) never match. */
export function patternTopics(pattern: RegExp, existing: readonly string[], applicationId: string): string[] {
  return existing.filter((t) => pattern.test(t) && !t.startsWith('__') && !(t.startsWith(`${applicationId}-`) && /-(changelog|repartition)$/.test(t)));
}

export function internalTopicName(applicationId: string, topic: string): string {
  return `${applicationId}-${topic}`;
}

export async function prepareTopics(o: {
  admin: Admin;
  topology: Topology;
  applicationId: string;
  /** For the commands in error messages. */
  bootstrapServers: readonly string[];
  replicationFactor: number;
  internalTopicConfig: { [key: string]: string };
  logger: Logger;
  /** errors.dead.letter.queue.topic.name: must exist like every output topic. */
  deadLetterQueueTopic?: string | undefined;
}): Promise<TopicPlan> {
  const { admin, topology, applicationId } = o;
  const subs = topology.subtopologies();
  const resolve = (t: string) => (topology.isInternalTopic(t) ? internalTopicName(applicationId, t) : t);
  const existing = await admin.listTopics();

  const sourceTopics = new Map<number, string[]>();
  for (const sub of subs) {
    const topics = sub.sourceTopics.map(resolve);
    for (const pattern of sub.sourcePatterns) {
      const matched = patternTopics(pattern, existing, applicationId);
      if (matched.length === 0) o.logger.warn(`no topic matches the source pattern ${pattern} of sub-topology ${sub.id} yet`);
      topics.push(...matched);
    }
    sourceTopics.set(sub.id, [...new Set(topics)]);
  }

  const external = [...new Set(subs.flatMap((s) => s.sourceTopics.filter((t) => !topology.isInternalTopic(t))))];
  const unlisted = external.filter((t) => !existing.includes(t));
  const missing = unlisted.length > 0 ? await admin.missingTopics(unlisted, 'READ', 'checking the source topics') : [];
  if (missing.length > 0) {
    throw new SluiceError(
      ErrorCodes.MISSING_SOURCE_TOPIC,
      `source topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'`).join(', ')} not found; create ${missing.length > 1 ? 'them' : 'it'} before starting the application (e.g. ${createCommand(o.bootstrapServers, missing[0]!)})`,
      { context: { topics: missing } },
    );
  }
  await checkOutputTopics(o, existing);
  const partitionCounts = new Map<string, number>();
  for (const d of await admin.describeTopics(external.concat([...sourceTopics.values()].flat().filter((t) => !external.includes(t) && existing.includes(t))), [])) {
    partitionCounts.set(d.name, d.partitions);
  }

  // repartition topics: their own count, or that of the sub-topology writing into them (fixpoint)
  const writers = new Map<string, SubtopologyDef[]>();
  for (const sub of subs) for (const t of sub.sinkTopics) if (topology.isInternalTopic(t)) writers.set(t, [...(writers.get(t) ?? []), sub]);
  const taskCount = (sub: SubtopologyDef): number | undefined => {
    const counts = (sourceTopics.get(sub.id) ?? []).map((t) => partitionCounts.get(t));
    if (counts.some((c) => c === undefined)) return undefined;
    return Math.max(0, ...(counts as number[]));
  };
  // co-partitioned groups (joins): an internal topic takes the count of the group's other topics
  // that are external or fixed, as Kafka Streams' CopartitionedTopicsEnforcer does
  const fixed = (t: string) => !topology.isInternalTopic(t) || topology.internalTopics.get(t)!.numberOfPartitions !== undefined;
  const groups = topology.copartitionGroups();
  const anchorsOf = (topic: string) => groups.filter((g) => g.includes(topic)).flatMap((g) => g.filter((t) => t !== topic && fixed(t)));
  for (let round = 0; round <= topology.internalTopics.size; round++) {
    for (const spec of topology.internalTopics.values()) {
      const name = resolve(spec.name);
      if (partitionCounts.has(name)) continue;
      if (spec.numberOfPartitions !== undefined) {
        partitionCounts.set(name, spec.numberOfPartitions);
        continue;
      }
      const anchors = anchorsOf(spec.name);
      const counts = anchors.length > 0 ? anchors.map((t) => partitionCounts.get(resolve(t))) : (writers.get(spec.name) ?? []).map(taskCount);
      if (counts.length > 0 && counts.every((c) => c !== undefined)) partitionCounts.set(name, Math.max(...(counts as number[])));
    }
  }
  // a group of internal topics only: all take the largest count among them
  for (const group of groups) {
    if (group.some(fixed)) continue;
    const counts = group.map((t) => partitionCounts.get(resolve(t)));
    if (counts.every((c) => c !== undefined)) for (const t of group) partitionCounts.set(resolve(t), Math.max(...(counts as number[])));
  }
  for (const spec of topology.internalTopics.values()) {
    if (!partitionCounts.has(resolve(spec.name))) throw new ConfigError(`cannot work out how many partitions the repartition topic '${resolve(spec.name)}' needs; give it one with Repartitioned.withNumberOfPartitions(n)`);
  }
  const taskCounts = new Map(subs.map((s) => [s.id, taskCount(s) ?? 0]));

  const wanted: NewTopic[] = [];
  for (const spec of topology.internalTopics.values()) {
    wanted.push({ name: resolve(spec.name), partitions: partitionCounts.get(resolve(spec.name))!, replicationFactor: o.replicationFactor, config: { 'cleanup.policy': 'delete', ...o.internalTopicConfig, ...spec.config } });
  }
  const changelogTopics = new Map<string, string>();
  for (const sub of subs) {
    for (const storeName of sub.stores) {
      const builder = topology.stores.get(storeName)!.builder;
      if (!builder.loggingEnabled) continue;
      const name = `${applicationId}-${storeName}-changelog`;
      changelogTopics.set(storeName, name);
      wanted.push({ name, partitions: taskCounts.get(sub.id)!, replicationFactor: o.replicationFactor, config: { ...o.internalTopicConfig, ...builder.changelogConfig() } });
    }
  }
  await ensureInternalTopics(admin, wanted, existing, o.logger);
  for (const t of wanted) partitionCounts.set(t.name, t.partitions);
  return { sourceTopics, taskCounts, changelogTopics, partitionCounts };
}

/**
 * Output topics (static sinks that are not internal) must exist: the producer would otherwise wait
 * for them at the first record and fail long after start. Topics chosen per record by a
 * TopicNameExtractor cannot be known here.
 */
async function checkOutputTopics(o: { admin: Admin; topology: Topology; bootstrapServers: readonly string[]; deadLetterQueueTopic?: string | undefined }, existing: readonly string[]): Promise<void> {
  const outputs = [...new Set(o.topology.subtopologies().flatMap((s) => s.sinkTopics.filter((t) => !o.topology.isInternalTopic(t))))];
  // the dead letter queue is an output too (written in the task's transaction under exactly-once)
  if (o.deadLetterQueueTopic !== undefined && !outputs.includes(o.deadLetterQueueTopic)) outputs.push(o.deadLetterQueueTopic);
  const unlisted = outputs.filter((t) => !existing.includes(t));
  if (unlisted.length === 0) return;
  const missing = await o.admin.missingTopics(unlisted, 'WRITE', 'checking the output topics');
  if (missing.length === 0) return;
  throw new SluiceError(
    ErrorCodes.MISSING_SINK_TOPIC,
    `output topic${missing.length > 1 ? 's' : ''} ${missing.map((t) => `'${t}'${t === o.deadLetterQueueTopic ? ' (deadLetterQueueTopicName)' : ''}`).join(', ')} not found; create ${missing.length > 1 ? 'them' : 'it'} before starting the application:\n  ` +
      missing.map((t) => createCommand(o.bootstrapServers, t)).join('\n  '),
    { context: { topics: missing } },
  );
}

function createCommand(bootstrapServers: readonly string[], topic: string): string {
  return `kafka-topics.sh --bootstrap-server ${bootstrapServers.join(',')} --create --topic ${topic} --partitions <n>`;
}

async function ensureInternalTopics(admin: Admin, wanted: NewTopic[], existing: string[], logger: Logger): Promise<void> {
  const present = wanted.filter((t) => existing.includes(t.name));
  const described = new Map((await admin.describeTopics(present.map((t) => t.name), ['cleanup.policy'])).map((d) => [d.name, d]));
  const problems: string[] = [];
  for (const t of present) {
    const d = described.get(t.name);
    if (!d) continue;
    if (d.partitions !== t.partitions) {
      problems.push(
        `internal topic '${t.name}' has ${d.partitions} partitions but the topology needs ${t.partitions} (as many as its input). ` +
          `Delete it (kafka-topics.sh --delete --topic ${t.name}) and run app.cleanUp() before restarting, or keep the input topics' partition count unchanged`,
      );
    }
    const wantPolicy = t.config['cleanup.policy'];
    const havePolicy = d.config['cleanup.policy'];
    if (wantPolicy && havePolicy && normalize(wantPolicy) !== normalize(havePolicy)) {
      problems.push(
        `internal topic '${t.name}' has cleanup.policy=${havePolicy} but needs ${wantPolicy}; ` +
          `fix it with: kafka-configs.sh --alter --entity-type topics --entity-name ${t.name} --add-config cleanup.policy=[${wantPolicy}]`,
      );
    }
  }
  if (problems.length > 0) throw new TopicMismatchError(problems.join('\n'));
  const toCreate = wanted.filter((t) => !existing.includes(t.name));
  if (toCreate.length > 0) {
    logger.info(`creating internal topics: ${toCreate.map((t) => `${t.name} (${t.partitions} partitions)`).join(', ')}`);
    await admin.createTopics(toCreate);
  }
}

function normalize(policy: string): string {
  return policy.split(',').map((s) => s.trim()).sort().join(',');
}
