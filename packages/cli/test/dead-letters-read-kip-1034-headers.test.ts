// A DLQ record's __streams.errors.* headers (Kafka Streams' ExceptionHandlerUtils names) become the
// exception, message, stack trace and source; the other headers are the failed record's own.
import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '@sluice/runtime';
import { offsetRanges } from '../src/commands/dlq-redrive.js';
import { matches, toDeadLetter } from '../src/commands/dlq-records.js';
import { showBytes } from '../src/format.js';

const record = (headers: [string, string | null][]): ConsumerRecord => ({
  topic: 'dlq',
  partition: 0,
  offset: 7,
  timestamp: 1,
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  headers: headers.map(([key, value]) => ({ key, value: value === null ? null : Buffer.from(value) })),
});

describe('dead letters', () => {
  it('reads the error headers and keeps the original ones in order', () => {
    const d = toDeadLetter(
      record([
        ['trace', 't-1'],
        ['__streams.errors.exception', 'org.apache.kafka.common.errors.SerializationException'],
        ['__streams.errors.message', null],
        ['__streams.errors.stacktrace', 'trace'],
        ['__streams.errors.topic', 'orders'],
        ['__streams.errors.partition', '2'],
        ['__streams.errors.offset', '41'],
        ['tag', 'a'],
        ['tag', 'b'],
      ]),
    );
    expect(d.exception).toBe('org.apache.kafka.common.errors.SerializationException');
    expect(d.message).toBeUndefined(); // Java writes a null message as a null header value
    expect(d.source).toEqual({ topic: 'orders', partition: 2, offset: 41 });
    expect(d.originalHeaders.map((h) => `${h.key}=${h.value?.toString()}`)).toEqual(['trace=t-1', 'tag=a', 'tag=b']);
  });

  it('has no source without a topic and partition', () => {
    expect(toDeadLetter(record([['__streams.errors.topic', 'orders']])).source).toBeUndefined();
    expect(toDeadLetter(record([])).source).toBeUndefined();
  });

  it('filters case-insensitively on exception and message, exactly on the source topic', () => {
    const d = toDeadLetter(record([['__streams.errors.exception', 'SerdeError'], ['__streams.errors.message', 'Bad JSON'], ['__streams.errors.topic', 'orders'], ['__streams.errors.partition', '0']]));
    expect(matches(d, { exception: 'serde', message: 'json' })).toBe(true);
    expect(matches(d, { exception: 'Timeout' })).toBe(false);
    expect(matches(d, { sourceTopic: 'orders' })).toBe(true);
    expect(matches(d, { sourceTopic: 'order' })).toBe(false);
    expect(matches(d, { offsets: [6, 8] })).toBe(false);
    expect(matches(d, { offsets: [7] })).toBe(true);
  });

  it('prints bytes as text when printable, else as hex', () => {
    expect(showBytes(Buffer.from('héllo\tworld\n'))).toBe('héllo\tworld\n');
    expect(showBytes(Buffer.from([0x68, 0x00]))).toBe('hex:6800 (2 bytes)');
    expect(showBytes(Buffer.from([0xc3, 0x28]))).toBe('hex:c328 (2 bytes)'); // invalid UTF-8
    expect(showBytes(Buffer.from('abc'), 'hex')).toBe('hex:616263 (3 bytes)');
    expect(showBytes(null)).toBe('null');
  });

  it('summarises redriven offsets as ranges, and says how many when there are too many to show', () => {
    expect(offsetRanges([3, 4, 5, 7, 9, 10])).toBe('3-5, 7, 9-10');
    expect(offsetRanges([1, 3, 5, 7, 9], 2)).toBe('1, 3, … (5 offsets in all)');
    expect(offsetRanges([])).toBe('');
  });
});
