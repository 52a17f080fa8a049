// Owns `sluice dlq redrive`: sends selected dead letters back to the topic and partition they failed
// on, with their original key, value, timestamp and headers (the __streams.errors.* ones dropped).
// Streams through the DLQ fetch by fetch, producing in batches, so a large DLQ needs little memory;
// the summary names what was sent — also when a failure stops it half-way.
import type { AdminTools, OutgoingRecord } from '@sluice/runtime';
import { CliError, type CommandContext } from '../io.js';
import { table } from '../format.js';
import { startProgress } from '../progress.js';
import { forEachDeadLetter, type DeadLetter, type Selection } from './dlq-records.js';

export interface RedriveOptions {
  readonly topic: string;
  readonly selection: Selection;
  readonly toTopic?: string;
  readonly dryRun: boolean;
  readonly batchSize: number;
}

/** Rows of the plan shown in the summary; the rest are counted. */
const SHOWN_ROWS = 50;
/** Offset ranges shown per DLQ partition; the rest are counted. */
const SHOWN_RANGES = 20;

/** DLQ offsets as short ranges: 3-7, 9, 12-13 (at most `max` of them). */
export function offsetRanges(offsets: readonly number[], max = Number.MAX_SAFE_INTEGER): string {
  const out: string[] = [];
  let i = 0;
  while (i < offsets.length && out.length < max) {
    let j = i;
    while (j + 1 < offsets.length && offsets[j + 1] === offsets[j]! + 1) j++;
    out.push(i === j ? `${offsets[i]}` : `${offsets[i]}-${offsets[j]}`);
    i = j + 1;
  }
  return i < offsets.length ? `${out.join(', ')}, … (${offsets.length} offsets in all)` : out.join(', ');
}

export async function redrive(tools: AdminTools, o: RedriveOptions, ctx: CommandContext): Promise<void> {
  const say = (line: string) => ctx.io.out(line + '\n');
  const partitionCounts = new Map<string, number>();
  const rows: (string | number)[][] = [];
  const perTopic = new Map<string, number>();
  const sentOffsets = new Map<number, number[]>();
  const skipped: number[] = [];
  let pending: { d: DeadLetter; record: OutgoingRecord }[] = [];
  let matched = 0;
  let sent = 0;

  const recordFor = async (d: DeadLetter): Promise<OutgoingRecord | undefined> => {
    const topic = o.toTopic ?? d.source?.topic;
    if (topic === undefined) return undefined;
    if (!partitionCounts.has(topic)) partitionCounts.set(topic, (await tools.partitionsFor(topic)).length);
    // back to the partition it failed on, when that is where it goes; else the key decides
    const partition = d.source && d.source.topic === topic && d.source.partition < partitionCounts.get(topic)! ? d.source.partition : undefined;
    return { topic, ...(partition !== undefined ? { partition } : {}), key: d.record.key, value: d.record.value, timestamp: d.record.timestamp, headers: d.originalHeaders };
  };
  const flush = async () => {
    if (pending.length === 0) return;
    if (!o.dryRun) await tools.produce(pending.map((p) => p.record));
    for (const { d, record } of pending) {
      sent++;
      perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
      let offsets = sentOffsets.get(d.record.partition);
      if (!offsets) sentOffsets.set(d.record.partition, (offsets = []));
      offsets.push(d.record.offset);
    }
    pending = [];
  };

  const progress = startProgress(ctx.io, o.dryRun ? 'Reading the DLQ' : 'Redriving', 1, 'offsets');
  let failure: unknown;
  let scanned = 0;
  try {
    const end = await forEachDeadLetter(tools, o.topic, o.selection, async (batch, p) => {
      for (const d of batch) {
        matched++;
        const record = await recordFor(d);
        if (!record) {
          skipped.push(d.record.offset);
          continue;
        }
        if (rows.length < SHOWN_ROWS) rows.push([d.record.partition, d.record.offset, `${record.topic}${record.partition !== undefined ? `-${record.partition}` : ''}`, d.exception ?? '-']);
        pending.push({ d, record });
        if (pending.length >= o.batchSize) await flush();
      }
      scanned = p.scanned;
      progress.setTotal(p.total);
      progress.update(p.done, `${sent + pending.length} to send`);
    });
    scanned = end.scanned;
    await flush();
  } catch (err) {
    failure = err;
  } finally {
    progress.stop();
  }

  if (failure === undefined && matched === 0) {
    say(`No records in ${o.topic} match (${scanned} read).`);
    return;
  }
  if (o.dryRun) say('---- Dry run: nothing is produced ----');
  if (rows.length > 0) {
    say(table(['DLQ-PARTITION', 'DLQ-OFFSET', 'TO', 'EXCEPTION'], rows).trimEnd());
    if (sent > rows.length) say(`… and ${sent - rows.length} more`);
    say('');
  }
  const verb = o.dryRun ? 'Would send' : 'Sent';
  say(`${verb} ${sent} of ${scanned} records read from ${o.topic}: ${[...perTopic].map(([t, n]) => `${t} (${n})`).join(', ') || 'none'}`);
  if (skipped.length > 0) {
    say(`Skipped ${skipped.length} record${skipped.length === 1 ? '' : 's'} without a __streams.errors.topic header (DLQ offsets ${offsetRanges(skipped, SHOWN_RANGES)}); send them with --to-topic <topic>.`);
  }
  for (const [partition, offsets] of sentOffsets) say(`DLQ ${o.topic}-${partition} offsets ${o.dryRun ? 'selected' : 'redriven'}: ${offsetRanges(offsets, SHOWN_RANGES)}`);
  if (failure !== undefined) {
    const message = failure instanceof Error ? failure.message : String(failure);
    throw new CliError(`redrive stopped: ${message}. The records listed above as sent were produced; the rest were not`, undefined, { cause: failure });
  }
  if (!o.dryRun && sent > 0) say('The DLQ keeps these records: redriving the same offsets again sends them again.');
}
