// Owns dead-letter records as Kafka Streams 4.x writes them (KIP-1034): the source record's original
// key and value bytes and headers, plus headers that say what failed and where it was read from.
import type { DeadLetterRecord, SourceRecordContext } from './config.js';

export const DEAD_LETTER_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

/** The error's type name as Kafka writes the exception class: the innermost cause Sluice wrapped. */
function exceptionName(err: unknown): string {
  if (err instanceof Error) return err.name === 'Error' && err.constructor.name !== 'Error' ? err.constructor.name : err.name;
  return typeof err;
}

/** A dead-letter record of `source` for `error`, to `topic`. */
export function deadLetterRecord(topic: string, source: SourceRecordContext, error: unknown): DeadLetterRecord {
  const headers: { [name: string]: Buffer | Buffer[] } = {};
  for (const h of source.headers) {
    const v = h.value ?? Buffer.alloc(0);
    const seen = headers[h.key];
    headers[h.key] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  const message = error instanceof Error ? error.message : String(error);
  headers[DEAD_LETTER_HEADERS.exception] = Buffer.from(exceptionName(error));
  headers[DEAD_LETTER_HEADERS.message] = Buffer.from(message);
  headers[DEAD_LETTER_HEADERS.stacktrace] = Buffer.from(error instanceof Error ? (error.stack ?? message) : message);
  headers[DEAD_LETTER_HEADERS.topic] = Buffer.from(source.topic);
  headers[DEAD_LETTER_HEADERS.partition] = Buffer.from(String(source.partition));
  headers[DEAD_LETTER_HEADERS.offset] = Buffer.from(String(source.offset));
  return { topic, key: source.key, value: source.value, headers, timestamp: source.timestamp };
}
