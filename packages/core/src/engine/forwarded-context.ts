// Owns the record context a forwarded record sets for the processors below it, as Kafka Streams'
// ProcessorContextImpl.forward does: while the children process the record, the task's current
// timestamp and headers are the forwarded record's (stores below stamp deletes and changelog
// records with them; a join's output carries them), and the previous context comes back once the
// children are done. Outside record processing (a cache flush at commit) the forwarded record is
// the whole context, as Kafka sets the flushed entry's.
import type { RecordContext, RecordMetadata } from '../processor/api.js';
import type { Record } from '../processor/record.js';
import type { RawRecord } from './record-queue.js';

/** What a task knows about the record being processed. */
export interface CurrentRecord {
  readonly metadata: RecordMetadata | undefined;
  readonly context: RecordContext;
  /** The source record as fetched (dead letters carry it); undefined outside record processing. */
  readonly raw: RawRecord | undefined;
}

/** Where a task keeps its current record. */
export interface CurrentRecordSlot {
  current: CurrentRecord | undefined;
}

/** Runs `run` (the children processing `record`) with `record`'s timestamp and headers as the current ones. */
export function withForwarded(slot: CurrentRecordSlot, record: Record<unknown, unknown>, run: () => void | Promise<void>): void | Promise<void> {
  const prev = slot.current;
  if (prev !== undefined && prev.context.timestamp === record.timestamp && prev.context.headers === record.headers) return run();
  const mine: CurrentRecord =
    prev === undefined
      ? { metadata: undefined, context: { topic: undefined, partition: undefined, offset: undefined, timestamp: record.timestamp, headers: record.headers }, raw: undefined }
      : { metadata: prev.metadata, context: { ...prev.context, timestamp: record.timestamp, headers: record.headers }, raw: prev.raw };
  slot.current = mine;
  // an asynchronous sibling may have set its own context meanwhile: only undo ours
  const restore = () => {
    if (slot.current === mine) slot.current = prev;
  };
  let r: void | Promise<void>;
  try {
    r = run();
  } catch (err) {
    restore();
    throw err;
  }
  if (!r) {
    restore();
    return undefined;
  }
  return r.finally(restore);
}
