// Owns `sluice dlq list|show|redrive`: browse a dead letter queue written by Kafka Streams-style
// exception handlers (KIP-1034 `__streams.errors.*` headers) and send chosen records back to the topic
// they failed on, with their original key, value, timestamp and headers (minus the error headers).
import { Option, type Command } from 'commander';
import { CliError, usageError, type CommandContext } from '../io.js';
import { excerpt, showBytes, table, type BytesEncoding } from '../format.js';
import { withAdminTools, withKafkaOptions, type KafkaCliOptions } from '../kafka-options.js';
import { parseWholeNumber } from '../time-arguments.js';
import { redrive } from './dlq-redrive.js';
import { readDeadLetter, scanDeadLetters, type DeadLetter, type Selection } from './dlq-records.js';

interface SelectionOptions extends KafkaCliOptions {
  topic: string;
  partition?: string;
  from?: string;
  to?: string;
  offsets?: string;
  exception?: string;
  message?: string;
  sourceTopic?: string;
}

function selectionOf(o: SelectionOptions): Selection {
  const s: Selection = {};
  if (o.partition !== undefined) s.partition = parseWholeNumber('--partition', o.partition);
  if (o.from !== undefined) s.from = parseWholeNumber('--from', o.from);
  if (o.to !== undefined) s.to = parseWholeNumber('--to', o.to);
  if (s.from !== undefined && s.to !== undefined && s.from > s.to) throw usageError(`--from ${s.from} is after --to ${s.to}`);
  if (o.offsets !== undefined) {
    if (s.from !== undefined || s.to !== undefined) throw usageError('--offsets picks records one by one; give either --offsets or --from/--to');
    s.offsets = o.offsets.split(',').map((x) => parseWholeNumber('--offsets', x.trim()));
  }
  if (o.exception !== undefined) s.exception = o.exception;
  if (o.message !== undefined) s.message = o.message;
  if (o.sourceTopic !== undefined) s.sourceTopic = o.sourceTopic;
  return s;
}

function withSelection(command: Command, verb: string): Command {
  return withKafkaOptions(
    command
      .requiredOption('--topic <dlq>', 'the dead letter queue topic')
      .option('--partition <p>', 'only this partition of the DLQ (default: all)')
      .option('--from <offset>', `first DLQ offset to ${verb} (inclusive)`)
      .option('--to <offset>', `last DLQ offset to ${verb} (inclusive)`)
      .option('--offsets <list>', `exactly these DLQ offsets, comma-separated (with --partition when the DLQ has several)`)
      .option('--exception <text>', 'only records whose exception class name contains this text (case-insensitive)')
      .option('--message <text>', 'only records whose exception message contains this text (case-insensitive)')
      .option('--source-topic <topic>', 'only records that failed on this topic'),
  );
}

const source = (d: DeadLetter) => (d.source ? `${d.source.topic}-${d.source.partition}@${d.source.offset}` : '-');

function deadLetterJson(d: DeadLetter, encoding: BytesEncoding) {
  const { record } = d;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    source: d.source ?? null,
    exception: d.exception ?? null,
    message: d.message ?? null,
    stacktrace: d.stacktrace ?? null,
    key: showBytes(record.key, encoding),
    value: showBytes(record.value, encoding),
    headers: d.originalHeaders.map((h) => ({ key: h.key, value: showBytes(h.value, encoding) })),
  };
}

function showText(d: DeadLetter, encoding: BytesEncoding): string {
  const r = d.record;
  const lines = [
    `DLQ record ${r.topic}-${r.partition}@${r.offset}`,
    `timestamp:  ${new Date(r.timestamp).toISOString()} (${r.timestamp})`,
    `source:     ${d.source ? `topic ${d.source.topic}, partition ${d.source.partition}, offset ${d.source.offset}` : '- (no __streams.errors.topic header: not a KIP-1034 dead letter)'}`,
    `exception:  ${d.exception ?? '-'}`,
    `message:    ${d.message ?? '-'}`,
    `key:        ${showBytes(r.key, encoding)}`,
    `value:      ${showBytes(r.value, encoding)}`,
    d.originalHeaders.length === 0 ? 'headers:    (none besides the error headers)' : 'headers:',
    ...d.originalHeaders.map((h) => `  ${h.key}: ${showBytes(h.value, encoding)}`),
  ];
  if (d.stacktrace) lines.push('stacktrace:', ...d.stacktrace.trimEnd().split('\n').map((l) => `  ${l}`));
  return lines.join('\n') + '\n';
}

export function addDlqCommand(program: Command, ctx: CommandContext): void {
  const dlq = program
    .command('dlq')
    .summary('browse a dead letter queue and redrive its records')
    .description(
      'Browse a dead letter queue whose records carry the __streams.errors.* headers of Kafka Streams 4.x (KIP-1034): the exception, its message and stack trace, and the source topic, partition and offset of the record that failed. ' +
        'Redrive sends chosen records back to their source topic.',
    );

  withSelection(dlq.command('list').description('list the dead letters: DLQ offset, source topic-partition@offset, exception and message'), 'list')
    .option('--limit <n>', 'stop after this many records', '100')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExample:\n  sluice dlq list --topic orders-dlq --exception SerdeError\n')
    .action(async (_o: unknown, command: Command) => {
      const o = command.optsWithGlobals<SelectionOptions & { limit: string; format: 'text' | 'json' }>();
      const selection = { ...selectionOf(o), limit: parseWholeNumber('--limit', o.limit, 1) };
      const found = await withAdminTools(o, ctx.io, (tools) => scanDeadLetters(tools, o.topic, selection));
      if (o.format === 'json') {
        ctx.io.out(JSON.stringify(found.deadLetters.map((d) => deadLetterJson(d, 'auto')), null, 2) + '\n');
        return;
      }
      ctx.io.out(
        table(
          ['PARTITION', 'OFFSET', 'TIMESTAMP', 'SOURCE', 'EXCEPTION', 'MESSAGE'],
          found.deadLetters.map((d) => [d.record.partition, d.record.offset, new Date(d.record.timestamp).toISOString(), source(d), d.exception ?? '-', excerpt(d.message ?? '-', 80)]),
        ) + `\n${found.deadLetters.length} record${found.deadLetters.length === 1 ? '' : 's'}${found.truncated ? ` (stopped at --limit ${selection.limit}; continue with --from)` : ''}\n`,
      );
    });

  withKafkaOptions(
    dlq
      .command('show')
      .description('show one dead letter: its error headers and stack trace, the original headers, key and value')
      .argument('<offset>', 'DLQ offset of the record')
      .requiredOption('--topic <dlq>', 'the dead letter queue topic')
      .option('--partition <p>', 'DLQ partition of the record', '0')
      .addOption(new Option('--encoding <encoding>', 'how to print key, value and headers: auto (text when printable, else hex), text or hex').choices(['auto', 'text', 'hex']).default('auto'))
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
      .addHelpText('after', '\nExample:\n  sluice dlq show --topic orders-dlq 42 --encoding hex\n'),
  ).action(async (offsetText: string, _o: unknown, command: Command) => {
    const o = command.optsWithGlobals<KafkaCliOptions & { topic: string; partition: string; encoding: BytesEncoding; format: 'text' | 'json' }>();
    const offset = parseWholeNumber('<offset>', offsetText);
    const partition = parseWholeNumber('--partition', o.partition);
    const d = await withAdminTools(o, ctx.io, (tools) => readDeadLetter(tools, o.topic, partition, offset));
    ctx.io.out(o.format === 'json' ? JSON.stringify(deadLetterJson(d, o.encoding), null, 2) + '\n' : showText(d, o.encoding));
  });

  withSelection(dlq.command('redrive').description('send chosen dead letters back to their source topic (same key, value, timestamp and headers, without the error headers)'), 'redrive')
    .option('--to-topic <topic>', 'send to this topic instead of each record\'s source topic')
    .option('--batch-size <n>', 'records per produce request', '500')
    .option('--dry-run', 'print what would be sent and send nothing')
    .addHelpText('after', '\nExit codes: 0 sent (or nothing matched), 1 failed, 2 usage error.\n\nExample:\n  sluice dlq redrive --topic orders-dlq --exception TimeoutError --from 120 --to 180\n')
    .action(async (_o: unknown, command: Command) => {
      const o = command.optsWithGlobals<SelectionOptions & { toTopic?: string; dryRun?: boolean; batchSize: string }>();
      const selection = selectionOf(o);
      const batchSize = parseWholeNumber('--batch-size', o.batchSize, 1);
      if (o.toTopic !== undefined && o.toTopic === o.topic) throw new CliError(`--to-topic is the DLQ itself ('${o.topic}'); redrive sends records back to where they failed`);
      await withAdminTools(o, ctx.io, (tools) =>
        redrive(tools, { topic: o.topic, selection, ...(o.toTopic !== undefined ? { toTopic: o.toTopic } : {}), dryRun: o.dryRun === true, batchSize }, ctx),
      );
    });
}
