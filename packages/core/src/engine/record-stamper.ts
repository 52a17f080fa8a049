// Owns turning a fetched record into what a task processes: key and value deserialized by the
// source's serdes (failures go to the deserialization handler) and its event time from the source's
// timestamp extractor (a negative time means "skip", as in Kafka Streams' RecordQueue).
import { ProcessingError, SluiceError, describeError, errorFields } from '@sluice/common';
import { decide, type DeadLetterRecord, type EngineConfig, type HandlerDecision } from './config.js';
import { deadLetterRecord } from './dead-letter.js';
import type { RawRecord, RecordQueue, StampedRecord } from './record-queue.js';
import type { SourceInfo } from './task-nodes.js';

/**
 * The stamped record, or undefined when a handler or the extractor said to skip it (a promise of it
 * when an async deserialization handler decides). Called once per record: plain parameters, no
 * argument object. Dead-letter records a handler returns go to `deadLetters`.
 */
export function stampRecord(
  q: RecordQueue,
  raw: RawRecord,
  source: SourceInfo,
  taskId: string,
  config: EngineConfig,
  deadLetters: (records: readonly DeadLetterRecord[]) => void,
): StampedRecord | undefined | Promise<StampedRecord | undefined> {
  let key: unknown = null;
  let value: unknown = null;
  let part: 'key' | 'value' = 'key';
  try {
    if (raw.key !== null) key = source.keySerde.deserialize(raw.topic, raw.key);
    part = 'value';
    if (raw.value !== null) value = source.valueSerde.deserialize(raw.topic, raw.value);
  } catch (err) {
    const serde = part === 'key' ? source.keySerde.name : source.valueSerde.name;
    const dlq = config.deadLetterQueueTopic;
    const decision = decide(
      config.deserializationExceptionHandler,
      { topic: raw.topic, partition: raw.partition, offset: raw.offset, taskId, error: err, key: raw.key, value: raw.value, headers: raw.headers, deadLetterQueueTopic: dlq },
      () => (dlq === undefined ? undefined : deadLetterRecord(dlq, raw, err)),
    );
    const message =
      `could not deserialize the ${part} of the record at topic '${raw.topic}' partition ${raw.partition} offset ${raw.offset} ` +
      `with serde ${serde} (source '${q.sourceName}', task ${taskId}): ${describeError(err)}`;
    const apply = (d: HandlerDecision): undefined => {
      if (d.response === 'CONTINUE') {
        const n = d.deadLetterQueueRecords?.length ?? 0;
        config.logger.warn(`${message}; skipping it (deserializationExceptionHandler said CONTINUE${n > 0 ? `; ${n} dead-letter record${n > 1 ? 's' : ''} written` : ''})`, { task: taskId, topic: raw.topic, partition: raw.partition, offset: raw.offset, ...errorFields(err), errorCode: 'DESERIALIZATION_FAILED' });
        if (n > 0) deadLetters(d.deadLetterQueueRecords!);
        return undefined;
      }
      throw new ProcessingError(`${message}. Fix the producer or the serde, or set deserializationExceptionHandler: 'logAndContinue' to skip such records`, {
        cause: err,
        context: { topic: raw.topic, partition: raw.partition, offset: raw.offset, serde, taskId },
      });
    };
    if (decision instanceof Promise) return decision.then(apply);
    return apply(decision);
  }
  let timestamp: number;
  try {
    timestamp = source.timestampExtractor({ topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp: raw.timestamp, key, value, headers: raw.headers }, q.partitionTime);
  } catch (err) {
    // the built-in extractors already say what was wrong and what to do
    if (err instanceof SluiceError) throw err;
    throw new ProcessingError(`timestamp extractor of source '${q.sourceName}' failed on topic '${raw.topic}' partition ${raw.partition} offset ${raw.offset}: ${describeError(err)}`, {
      cause: err,
      context: { topic: raw.topic, partition: raw.partition, offset: raw.offset, taskId },
    });
  }
  if (!Number.isFinite(timestamp) || timestamp < 0) {
    config.logger.warn(`skipping the record at topic '${raw.topic}' partition ${raw.partition} offset ${raw.offset}: the timestamp extractor of source '${q.sourceName}' returned ${timestamp}`, { task: taskId, topic: raw.topic, partition: raw.partition, offset: raw.offset });
    return undefined;
  }
  if (timestamp > q.partitionTime) q.partitionTime = timestamp;
  return { raw, key, value, timestamp };
}
