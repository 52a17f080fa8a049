// Owns `sluice reset`: what Kafka's kafka-streams-application-reset does, for a Sluice application.
// With every instance stopped: the input topics' committed offsets go to the chosen position, the
// application's internal topics (changelogs, repartition and foreign-key join topics) are deleted,
// and the local state is deleted (--state-dir) or the command says where it is. --dry-run prints
// what would happen and changes nothing.
import type { Command } from 'commander';
import type { AdminTools, GroupMember } from '@sluice/runtime';
import { CliError, ExitCode, usageError, type CommandContext } from '../io.js';
import { withAdminTools, withKafkaOptions, type KafkaCliOptions } from '../kafka-options.js';
import { startProgress } from '../progress.js';
import { parseDateTime, parseDuration, parseWholeNumber } from '../time-arguments.js';
import { internalTopicsOf, planOffsets, type Position } from './reset-plan.js';

interface ResetOptions extends KafkaCliOptions {
  applicationId: string;
  inputTopics?: string[];
  internalTopics?: string[];
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: string;
  toDatetime?: string;
  byDuration?: string;
  shiftBy?: string;
  fromFile?: string;
  dryRun?: boolean;
  force?: boolean;
  stateDir?: string;
}

const list = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];

function positionOf(o: ResetOptions): Position {
  const given = (['toEarliest', 'toLatest', 'toOffset', 'toDatetime', 'byDuration', 'shiftBy', 'fromFile'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw usageError(`choose one position for the input offsets; got ${given.map(flag).join(' and ')}`);
  }
  if (o.toLatest) return { kind: 'latest' };
  if (o.toOffset !== undefined) return { kind: 'offset', offset: parseWholeNumber('--to-offset', o.toOffset) };
  if (o.toDatetime !== undefined) return { kind: 'timestamp', timestamp: parseDateTime('--to-datetime', o.toDatetime), what: o.toDatetime };
  if (o.byDuration !== undefined) {
    const ms = parseDuration('--by-duration', o.byDuration);
    const timestamp = Date.now() - ms;
    return { kind: 'timestamp', timestamp, what: new Date(timestamp).toISOString() };
  }
  if (o.shiftBy !== undefined) return { kind: 'shift', by: parseWholeNumber('--shift-by', o.shiftBy, Number.MIN_SAFE_INTEGER) };
  if (o.fromFile !== undefined) return { kind: 'file', file: o.fromFile };
  return { kind: 'earliest' };
}

const describeMember = (m: GroupMember) => `${m.memberId} (client ${m.clientId} on ${m.clientHost})`;

/** The group must have no members; --force removes them (members of stopped instances waiting out their session timeout). */
async function ensureNoMembers(tools: AdminTools, o: ResetOptions, say: (line: string) => void): Promise<void> {
  let group = await tools.describeConsumerGroup(o.applicationId);
  if (group.members.length === 0) return;
  if (!o.force) {
    throw new CliError(
      `consumer group '${o.applicationId}' is still active (${group.state}) and has ${group.members.length} member${group.members.length === 1 ? '' : 's'}: ${group.members.map(describeMember).join(', ')}. ` +
        `Stop every instance of the application before resetting it. If they are stopped already and their session has not timed out yet, use --force to remove them.`,
    );
  }
  if (o.dryRun) {
    say(`Would force-remove the members of group '${o.applicationId}': ${group.members.map((m) => m.memberId).join(', ')}`);
    return;
  }
  say(`Force-removing the members of group '${o.applicationId}': ${group.members.map((m) => m.memberId).join(', ')}`);
  // the coordinator moves the group to Empty once its last member is gone; offsets can be set only then
  const settled = () => group.members.length === 0 && (group.state === 'Empty' || group.state === 'Dead');
  for (let attempt = 0; attempt < 40 && !settled(); attempt++) {
    if (group.members.length > 0) await tools.removeMembersFromConsumerGroup(o.applicationId, group.members.map((m) => m.memberId));
    await new Promise((r) => setTimeout(r, 250));
    group = await tools.describeConsumerGroup(o.applicationId);
  }
  if (!settled()) {
    throw new CliError(
      group.members.length > 0
        ? `members keep joining consumer group '${o.applicationId}' (${group.members.map(describeMember).join(', ')}): an instance of the application is still running; stop it first`
        : `consumer group '${o.applicationId}' stays in state ${group.state} after its members were removed; try again in a few seconds`,
    );
  }
}

async function reset(tools: AdminTools, o: ResetOptions, ctx: CommandContext): Promise<void> {
  const say = (line: string) => ctx.io.out(line + '\n');
  const position = positionOf(o);
  if (o.dryRun) say('---- Dry run: the actions below are what sluice reset would do; nothing is changed ----');
  await ensureNoMembers(tools, o, say);
  const allTopics = await tools.listTopics();

  // ---- input topics: committed offsets to the chosen position ----
  let inputTopics = o.inputTopics ?? [];
  if (o.inputTopics === undefined) {
    const committed = await tools.listConsumerGroupOffsets(o.applicationId);
    inputTopics = [...new Set(committed.map((c) => c.topic))].filter((t) => internalTopicsOf(o.applicationId, [t], []).length === 0).sort();
    if (inputTopics.length > 0) say(`Input topics (those group '${o.applicationId}' has committed offsets for): ${inputTopics.join(', ')}`);
  }
  const missing = inputTopics.filter((t) => !allTopics.includes(t));
  if (missing.length > 0) {
    say(`These input topics do not exist and are skipped: ${missing.join(', ')}`);
    ctx.exitCode = ExitCode.FAILURE;
  }
  const present = inputTopics.filter((t) => allTopics.includes(t));
  if (present.length === 0) {
    say(o.inputTopics === undefined ? `No input topics: group '${o.applicationId}' has no committed offsets (give them with --input-topics). Offsets are not reset.` : 'No input topic to reset.');
  } else {
    const partitions = [];
    for (const topic of present) for (const partition of await tools.partitionsFor(topic)) partitions.push({ topic, partition });
    const planned = await planOffsets(tools, o.applicationId, partitions, position);
    say(`Reset offsets of input topics [${present.join(', ')}] for consumer group ${o.applicationId} to:`);
    for (const p of planned) say(`  Topic: ${p.topic} Partition: ${p.partition} Offset: ${p.offset}${p.note ? `  (${p.note})` : ''}`);
    if (!o.dryRun) await tools.alterConsumerGroupOffsets(o.applicationId, planned);
  }

  // ---- internal topics: deleted (they are recreated, empty, when the application starts) ----
  const inferred = internalTopicsOf(o.applicationId, allTopics, inputTopics);
  let toDelete = inferred;
  if (o.internalTopics !== undefined) {
    const foreign = o.internalTopics.filter((t) => !inferred.includes(t));
    if (foreign.length > 0) {
      throw usageError(`--internal-topics may name only internal topics of '${o.applicationId}' (run with --dry-run and without --internal-topics to list them); not internal: ${foreign.join(', ')}`);
    }
    toDelete = o.internalTopics;
  }
  say(toDelete.length === 0 ? `No internal topics of '${o.applicationId}' to delete.` : `Delete ${o.internalTopics ? 'the given' : 'inferred'} internal topics:`);
  for (const t of toDelete) say(`  ${t}`);
  if (!o.dryRun && toDelete.length > 0) {
    const progress = startProgress(ctx.io, 'Deleting internal topics', toDelete.length, 'topics');
    try {
      for (const t of toDelete) {
        await tools.deleteTopics([t]);
        progress.increment(1, t);
      }
    } finally {
      progress.stop();
    }
  }

  // ---- local state ----
  if (o.stateDir !== undefined) {
    const { StateDirectory } = await import('@sluice/state');
    const dir = new StateDirectory({ stateDir: o.stateDir, applicationId: o.applicationId });
    if (o.dryRun) say(`Would delete the local state ${dir.appDir}`);
    else {
      await dir.cleanUp();
      dir.close();
      say(`Deleted the local state ${dir.appDir}`);
    }
  } else {
    say(
      `Local state is not touched: on every machine that ran '${o.applicationId}', delete <stateDir>/${o.applicationId} (call app.cleanUp() before app.start(), ` +
        `or run this command there with --state-dir <stateDir>; the default stateDir is <os tmpdir>/sluice-state). Restarting with old local state gives wrong results.`,
    );
  }
  say(o.dryRun ? 'Dry run done: nothing was changed.' : 'Done.');
}

export function addResetCommand(program: Command, ctx: CommandContext): void {
  withKafkaOptions(
    program
      .command('reset')
      .summary("reset an application to reprocess its input (kafka-streams-application-reset)")
      .description(
        "Reset an application so that it reprocesses its input from scratch, as Kafka's kafka-streams-application-reset does. Every instance must be stopped.\n" +
          '* input topics: committed offsets go to the earliest offset (or the position chosen below);\n' +
          "* internal topics (<application-id>-...-changelog, -repartition, foreign-key join topics) are deleted; output topics are not touched;\n" +
          '* local state: deleted with --state-dir, else the command says where it is. Restarting with old local state gives wrong results.\n' +
          'Run once with --dry-run first: the changes cannot be undone.',
      )
      .requiredOption('--application-id <id>', 'the application id (= consumer group id, prefix of internal topics)')
      .option('--input-topics <list>', 'comma-separated input topics to reset (default: every non-internal topic the group has committed offsets for)', list)
      .option('--internal-topics <list>', 'delete only these internal topics (a subset of those --dry-run lists)', list)
      .option('--to-earliest', 'input offsets to the earliest offset (the default)')
      .option('--to-latest', 'input offsets to the latest offset (skip what is there)')
      .option('--to-offset <offset>', 'input offsets to this offset (clamped to each partition\'s range)')
      .option('--to-datetime <datetime>', "input offsets to the first record at or after this time: ISO-8601, e.g. 2026-11-26T10:15:00.000 (UTC) or ...+01:00")
      .option('--by-duration <duration>', 'input offsets to this long ago: PT1H30M, P2D, or 90m, 2h, 7d')
      .option('--shift-by <n>', 'input offsets moved by n from the committed offset (negative: back)')
      .option('--from-file <csv>', 'input offsets from a CSV file of TOPIC,PARTITION,OFFSET lines')
      .option('--state-dir <dir>', "also delete this machine's local state, <dir>/<application-id> (the application's stateDir)")
      .option('--dry-run', 'print what would be done and change nothing')
      .option('--force', 'remove members still in the group (stopped instances whose session has not timed out); never while instances run')
      .addHelpText('after', '\nExit codes: 0 done, 1 failed (group still active, Kafka unreachable) or an input topic does not exist, 2 usage error.\n\nExample:\n  sluice reset --application-id word-count --bootstrap-servers localhost:9092 --input-topics lines --dry-run\n'),
  ).action(async (_opts: ResetOptions, command: Command) => {
    const o = command.optsWithGlobals<ResetOptions>();
    positionOf(o); // option mistakes first, before connecting
    await withAdminTools(o, ctx.io, (tools) => reset(tools, o, ctx));
  });
}
