// Owns `sluice lag`: how far an application's consumer group is behind, per input partition (its
// source and repartition topics), in total, and which member works on what. Lag counts records, not
// offsets: the end offset is read with the isolation level (read_committed: the last stable offset,
// so open transactions do not count), and transaction markers or aborted records between the
// committed offset and the first record still to read are skipped.
import { Option, type Command } from 'commander';
import type { AdminTools, GroupDescription, IsolationLevel, TopicPartition } from '@sluice/runtime';
import { CliError, type CommandContext } from '../io.js';
import { table } from '../format.js';
import { withAdminTools, withKafkaOptions, type KafkaCliOptions } from '../kafka-options.js';

interface LagOptions extends KafkaCliOptions {
  applicationId: string;
  isolationLevel: IsolationLevel;
  format: 'text' | 'json';
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** null: nothing committed yet (the application starts at the earliest offset). */
  readonly committed: number | null;
  readonly end: number;
  readonly lag: number;
  readonly memberId: string | null;
}

export interface GroupLag {
  readonly group: GroupDescription;
  readonly isolationLevel: IsolationLevel;
  readonly partitions: PartitionLag[];
  readonly totalLag: number;
}

const tpKey = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

/** The offset of the first record at or after `from` (before `end`), or `end` when there are only markers or aborted records. */
async function firstRecord(tools: AdminTools, tp: TopicPartition, from: number, end: number, isolationLevel: IsolationLevel): Promise<number> {
  let at = from;
  for (let fetches = 0; at < end && fetches < 20; fetches++) {
    const r = await tools.readPartition(tp, at, { maxBytes: 64 * 1024, isolationLevel });
    if (r.records.length > 0) return Math.min(r.records[0]!.offset, end);
    if (r.nextOffset <= at) break;
    at = r.nextOffset;
  }
  return Math.min(at, end);
}

export async function groupLag(tools: AdminTools, groupId: string, isolationLevel: IsolationLevel): Promise<GroupLag> {
  const group = await tools.describeConsumerGroup(groupId);
  const committed = await tools.listConsumerGroupOffsets(groupId);
  const owner = new Map<string, string>();
  for (const m of group.members) for (const tp of m.assignment) owner.set(tpKey(tp), m.memberId);
  const topics = [...new Set([...committed.map((c) => c.topic), ...group.members.flatMap((m) => m.assignment.map((a) => a.topic))])].sort();
  if (topics.length === 0) {
    throw new CliError(
      group.state === 'Dead'
        ? `consumer group '${groupId}' not found: no application with this application id has committed offsets (check --application-id and --bootstrap-servers)`
        : `consumer group '${groupId}' (${group.state}) has no committed offsets and no assigned partitions yet`,
    );
  }
  const existing = new Set(await tools.listTopics());
  const partitions: TopicPartition[] = [];
  for (const topic of topics.filter((t) => existing.has(t))) for (const partition of await tools.partitionsFor(topic)) partitions.push({ topic, partition });
  const ends = new Map((await tools.listOffsets(partitions, 'latest', isolationLevel)).map((o) => [tpKey(o), o.offset]));
  const earliest = new Map((await tools.listOffsets(partitions, 'earliest', isolationLevel)).map((o) => [tpKey(o), o.offset]));
  const done = new Map(committed.map((c) => [tpKey(c), c.offset]));
  const rows = await Promise.all(
    partitions.map(async (tp): Promise<PartitionLag> => {
      const end = ends.get(tpKey(tp))!;
      const position = done.get(tpKey(tp)) ?? null;
      const from = Math.max(position ?? 0, earliest.get(tpKey(tp)) ?? 0);
      const lag = from >= end ? 0 : end - (await firstRecord(tools, tp, from, end, isolationLevel));
      return { topic: tp.topic, partition: tp.partition, committed: position, end, lag, memberId: owner.get(tpKey(tp)) ?? null };
    }),
  );
  return { group, isolationLevel, partitions: rows, totalLag: rows.reduce((n, r) => n + r.lag, 0) };
}

function render(l: GroupLag): string {
  const { group } = l;
  const member = new Map(group.members.map((m) => [m.memberId, m]));
  let out = `Consumer group '${group.groupId}': ${group.state}, ${group.members.length} member${group.members.length === 1 ? '' : 's'}${group.protocol ? ` (assignor ${group.protocol})` : ''}\n\n`;
  out += table(
    ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
    l.partitions.map((p) => {
      const m = p.memberId ? member.get(p.memberId) : undefined;
      return [p.topic, p.partition, p.committed ?? '-', p.end, p.lag, m?.memberId ?? '-', m?.clientHost ?? '-', m?.clientId ?? '-'];
    }),
  );
  out += `\nTotal lag: ${l.totalLag} record${l.totalLag === 1 ? '' : 's'} (end offsets read ${l.isolationLevel})\n`;
  if (group.members.length > 0) {
    out +=
      '\nMembers:\n' +
      table(
        ['CONSUMER-ID', 'HOST', 'CLIENT-ID', 'PROCESS-ID', 'ENDPOINT', 'PARTITIONS'],
        group.members.map((m) => [m.memberId, m.clientHost, m.clientId, m.processId ?? '-', m.endpoint ?? '-', m.assignment.map((a) => `${a.topic}-${a.partition}`).join(',') || '-']),
      );
  }
  return out;
}

export function addLagCommand(program: Command, ctx: CommandContext): void {
  withKafkaOptions(
    program
      .command('lag')
      .summary("show an application's consumer lag per partition, in total, and its members")
      .description(
        "Show how far an application is behind: per input partition (source and repartition topics) the committed offset, the end offset and the lag in records; the total; and the group's members with their partitions.\n" +
          'Under exactly-once the end offset is the last stable offset (read_committed), and transaction markers are not counted as lag.',
      )
      .requiredOption('--application-id <id>', 'the application id (= consumer group id)')
      .addOption(new Option('--isolation-level <level>', 'how end offsets are read: read_committed (exactly-once apps) or read_uncommitted').choices(['read_committed', 'read_uncommitted']).default('read_committed'))
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addHelpText('after', '\nExample:\n  sluice lag --application-id word-count --bootstrap-servers localhost:9092\n'),
  ).action(async (opts: LagOptions, command: Command) => {
    const all = command.optsWithGlobals<LagOptions>();
    const result = await withAdminTools(all, ctx.io, (tools) => groupLag(tools, opts.applicationId, opts.isolationLevel));
    ctx.io.out(opts.format === 'json' ? JSON.stringify({ groupId: result.group.groupId, state: result.group.state, isolationLevel: result.isolationLevel, totalLag: result.totalLag, partitions: result.partitions, members: result.group.members }, null, 2) + '\n' : render(result));
  });
}
