// Owns reading a dead letter queue: records written by Kafka Streams 4.x's exception handlers (KIP-1034)
// carry the failed record's key, value, timestamp and headers plus `__streams.errors.*` headers naming
// the exception and the record's source topic, partition and offset. Selection is by partition,
// offset range, explicit offsets and filters on those headers.
import type { AdminTools, ConsumerRecord, RecordHeader } from '@sluice/runtime';
import { CliError, usageError } from '../io.js';

/** Kafka Streams' ExceptionHandlerUtils header names. */
export const ERROR_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;
export const ERROR_HEADER_PREFIX = '__streams.errors.';

export interface DeadLetter {
  readonly record: ConsumerRecord;
  readonly exception: string | undefined;
  readonly message: string | undefined;
  readonly stacktrace: string | undefined;
  /** Where the failed record was read, when the headers say so. */
  readonly source: { topic: string; partition: number; offset: number } | undefined;
  /** The failed record's own headers (the DLQ record's minus the error headers). */
  readonly originalHeaders: RecordHeader[];
}

function header(record: ConsumerRecord, name: string): string | undefined {
  const h = record.headers.find((x) => x.key === name);
  return h?.value === null || h === undefined ? undefined : h.value.toString('utf8');
}

export function toDeadLetter(record: ConsumerRecord): DeadLetter {
  const topic = header(record, ERROR_HEADERS.topic);
  const partition = Number(header(record, ERROR_HEADERS.partition));
  const offset = Number(header(record, ERROR_HEADERS.offset));
  return {
    record,
    exception: header(record, ERROR_HEADERS.exception),
    message: header(record, ERROR_HEADERS.message),
    stacktrace: header(record, ERROR_HEADERS.stacktrace),
    source: topic !== undefined && topic.length > 0 && Number.isInteger(partition) && partition >= 0 ? { topic, partition, offset: Number.isInteger(offset) ? offset : -1 } : undefined,
    originalHeaders: record.headers.filter((h) => !h.key.startsWith(ERROR_HEADER_PREFIX)),
  };
}

export interface Selection {
  /** Only this DLQ partition (default: all). */
  partition?: number;
  /** First DLQ offset (inclusive). */
  from?: number;
  /** Last DLQ offset (inclusive). */
  to?: number;
  /** Exactly these DLQ offsets. */
  offsets?: number[];
  /** Case-insensitive substring of the exception class name. */
  exception?: string;
  /** Case-insensitive substring of the exception message. */
  message?: string;
  /** The failed record's source topic. */
  sourceTopic?: string;
  /** Stop after this many matching records. */
  limit?: number;
}

export function matches(d: DeadLetter, s: Selection): boolean {
  const has = (text: string | undefined, part: string | undefined) => part === undefined || (text ?? '').toLowerCase().includes(part.toLowerCase());
  if (s.offsets !== undefined && !s.offsets.includes(d.record.offset)) return false;
  return has(d.exception, s.exception) && has(d.message, s.message) && (s.sourceTopic === undefined || d.source?.topic === s.sourceTopic);
}

export interface ScanResult {
  readonly deadLetters: DeadLetter[];
  /** Records read (before filters). */
  readonly scanned: number;
  /** Whether --limit stopped the scan early. */
  readonly truncated: boolean;
}

export interface ScanProgress {
  /** Records read so far (before filters). */
  readonly scanned: number;
  /** Offsets covered so far, of `total`. */
  readonly done: number;
  readonly total: number;
}

/**
 * Reads the selected range of the DLQ fetch by fetch (committed records only: a DLQ written inside an
 * aborted transaction holds nothing to redrive) and hands each fetch's matching dead letters to
 * `onBatch`, in partition then offset order, so that memory stays flat on a large DLQ. `onBatch`
 * returns false to stop.
 */
export async function forEachDeadLetter(
  tools: AdminTools,
  topic: string,
  s: Selection,
  onBatch: (deadLetters: DeadLetter[], progress: ScanProgress) => Promise<boolean | void> | boolean | void,
): Promise<ScanProgress> {
  const all = await tools.partitionsFor(topic);
  if (s.partition !== undefined && !all.includes(s.partition)) throw usageError(`topic '${topic}' has no partition ${s.partition} (it has ${all.length})`);
  const partitions = (s.partition !== undefined ? [s.partition] : all).map((partition) => ({ topic, partition }));
  const low = await tools.listOffsets(partitions, 'earliest');
  const high = await tools.listOffsets(partitions, 'latest');
  const explicit = s.offsets && s.offsets.length > 0 ? { from: Math.min(...s.offsets), to: Math.max(...s.offsets) } : undefined;
  const ranges = partitions.map((tp, i) => ({
    tp,
    from: Math.max(low[i]!.offset, explicit?.from ?? s.from ?? 0),
    end: Math.min(high[i]!.offset, (explicit?.to ?? s.to ?? Number.MAX_SAFE_INTEGER - 1) + 1),
  }));
  const total = ranges.reduce((n, r) => n + Math.max(0, r.end - r.from), 0);
  let scanned = 0;
  let done = 0;
  for (const { tp, from, end } of ranges) {
    let at = from;
    while (at < end) {
      const r = await tools.readPartition(tp, at, { maxBytes: 1024 * 1024 });
      if (r.nextOffset <= at) throw new CliError(`reading ${topic}-${tp.partition} stopped at offset ${at} before its end ${end}; try again`);
      const batch: DeadLetter[] = [];
      for (const record of r.records) {
        if (record.offset >= end) break;
        scanned++;
        const d = toDeadLetter(record);
        if (matches(d, s)) batch.push(d);
      }
      done += Math.min(r.nextOffset, end) - at;
      at = r.nextOffset;
      if ((await onBatch(batch, { scanned, done, total })) === false) return { scanned, done, total };
    }
  }
  return { scanned, done, total };
}

/** The matching dead letters, up to the selection's limit. */
export async function scanDeadLetters(tools: AdminTools, topic: string, s: Selection): Promise<ScanResult> {
  const out: DeadLetter[] = [];
  let truncated = false;
  const { scanned } = await forEachDeadLetter(tools, topic, s, (batch) => {
    for (const d of batch) {
      if (s.limit !== undefined && out.length >= s.limit) {
        truncated = true;
        return false;
      }
      out.push(d);
    }
    return true;
  });
  return { deadLetters: out, scanned, truncated };
}

/** Reads one DLQ record by partition and offset. */
export async function readDeadLetter(tools: AdminTools, topic: string, partition: number, offset: number): Promise<DeadLetter> {
  const found = await scanDeadLetters(tools, topic, { partition, offsets: [offset] });
  const d = found.deadLetters[0];
  if (!d) throw new CliError(`no record at offset ${offset} of ${topic}-${partition} (out of range, deleted by retention, a transaction marker, or an aborted write); list them with: sluice dlq list --topic ${topic} --partition ${partition}`);
  return d;
}
