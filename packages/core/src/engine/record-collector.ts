// Owns the port through which a task's sinks (and change-logging stores) write records. The runtime
// implements it on the Kafka producer; TopologyTestDriver captures records in memory.
import type { Headers } from '../processor/headers.js';
import type { SourceRecordContext } from './config.js';

export interface OutgoingRecord {
  /** The full topic name (internal topics already carry the application id prefix). */
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  /** A fixed partition, or undefined to let the collector choose (partitioner or murmur2 of the key). */
  readonly partition: number | undefined;
  /** Called with the topic's partition count when a user StreamPartitioner decides. */
  readonly partitioner: ((numPartitions: number) => number | undefined) | undefined;
  /** The source record this one came from (production errors and dead letters name it). */
  readonly source?: SourceRecordContext | undefined;
}

export interface RecordCollector {
  /** Queue a record for sending. Failures surface from the runtime's flush/commit, not here. */
  send(record: OutgoingRecord): void;
}
