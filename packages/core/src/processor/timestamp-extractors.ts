// Owns the built-in timestamp extractors (Kafka Streams' FailOnInvalidTimestamp and friends). An
// extractor that returns a negative timestamp makes the task skip that record with a warning.
import { ProcessingError } from '@sluice/common';
import type { TimestampExtractor } from './api.js';

/** The record's own timestamp; a negative one fails the task (Kafka Streams' default). */
export const failOnInvalidTimestamp: TimestampExtractor = (record) => {
  if (record.timestamp < 0) {
    throw new ProcessingError(
      `record at topic '${record.topic}' partition ${record.partition} offset ${record.offset} has an invalid (negative) timestamp ${record.timestamp}; ` +
        `it was probably written without a timestamp. Use timestampExtractor: TimestampExtractors.logAndSkipOnInvalidTimestamp to skip such records, ` +
        `or an extractor that reads the event time from the value`,
      { context: { topic: record.topic, partition: record.partition, offset: record.offset } },
    );
  }
  return record.timestamp;
};

export const TimestampExtractors = {
  failOnInvalidTimestamp,
  /** The record's timestamp; records with a negative one are skipped with a warning. */
  logAndSkipOnInvalidTimestamp: ((record) => record.timestamp) as TimestampExtractor,
  /** The record's timestamp, or the partition's highest timestamp so far when it is negative. */
  usePartitionTimeOnInvalidTimestamp: ((record, partitionTime) => (record.timestamp >= 0 ? record.timestamp : partitionTime)) as TimestampExtractor,
  /** Processing time instead of event time. */
  wallclock: (() => Date.now()) as TimestampExtractor,
};
