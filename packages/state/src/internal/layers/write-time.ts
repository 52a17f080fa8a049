// Owns the timestamp of a write that carries none of its own (a delete, a non-timestamped store):
// the record being processed if the context knows it, else stream time, else the clock. Kafka
// stamps such writes with the current record's timestamp; flush records and windowed changelogs
// (deleted by retention on record time) depend on it being event time, not wall-clock time.
import type { StateStoreContext } from '../../store.js';

export function writeTime(context: StateStoreContext): number {
  const recordTime = context.recordTimestamp?.();
  if (recordTime !== undefined && recordTime >= 0) return recordTime;
  const streamTime = context.streamTime();
  return streamTime >= 0 ? streamTime : context.clock.now();
}
