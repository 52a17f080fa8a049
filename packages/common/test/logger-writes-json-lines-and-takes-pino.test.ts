// The console logger's JSON lines (time, level, message, bound and per-call fields, errors with their
// code) next to its readable text lines, and pino adapted through toLogger(): pino's fields-first
// methods, its child bindings, its level filter and its `err` serializer.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConfigError, createConsoleLogger, errorFields, isFieldsFirstLogger, noopLogger, toLogger } from '../src/index.js';

function pinoInto(lines: string[], level = 'info') {
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.length > 0) lines.push(l);
      done();
    },
  });
  return pino({ level }, stream);
}

const flush = () => new Promise((r) => setImmediate(r));

describe('console logger, json format', () => {
  it('writes one JSON object per line with the structured fields', () => {
    const lines: string[] = [];
    const log = createConsoleLogger({ format: 'json', level: 'debug', name: 'app', write: (l) => lines.push(l) })
      .child({ applicationId: 'orders', thread: 'orders-1-StreamThread-1' })
      .child({ task: '0_3' });
    const err = new ConfigError('bad setting');
    log.warn('could not deserialize the record', { topic: 'in', partition: 3, offset: 42, ...errorFields(err) });
    log.debug('details', { big: 10n, bytes: Buffer.from('hi'), skipped: undefined });
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 'warn', msg: 'could not deserialize the record', applicationId: 'orders', thread: 'orders-1-StreamThread-1', task: '0_3', topic: 'in', partition: 3, offset: 42, errorCode: 'CONFIG_INVALID' });
    expect(Number.isNaN(Date.parse(first!['time'] as string))).toBe(false);
    expect(first!['error']).toMatchObject({ type: 'ConfigError', message: 'bad setting', code: 'CONFIG_INVALID' });
    expect(first!['name']).toBeUndefined(); // the application id says it
    expect(second).toMatchObject({ level: 'debug', msg: 'details', big: '10', bytes: 'aGk=' });
    expect('skipped' in second!).toBe(false);
  });

  it('keeps readable lines in text format, without repeating an error already in the message', () => {
    const lines: string[] = [];
    const log = createConsoleLogger({ format: 'text', level: 'info', name: 'orders', write: (l) => lines.push(l) });
    const err = new Error('broker down');
    log.info('written at info');
    log.debug('not written');
    log.error(`commit failed: ${err.message}`, { task: '1_0', ...errorFields(err) });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\S+ ERROR \[orders\] commit failed: broker down task=1_0$/);
  });

  it('writes nothing at silent', () => {
    const lines: string[] = [];
    createConsoleLogger({ format: 'json', level: 'silent', write: (l) => lines.push(l) }).error('x');
    expect(lines).toEqual([]);
  });
});

describe('pino as the logger', () => {
  it('is recognised and called fields first, with its bindings, level and err serializer', async () => {
    const lines: string[] = [];
    const p = pinoInto(lines, 'info');
    expect(isFieldsFirstLogger(p)).toBe(true);
    expect(isFieldsFirstLogger(noopLogger)).toBe(false);
    const log = toLogger(p).child({ applicationId: 'orders' }).child({ task: '0_1' });
    log.debug('not enabled in pino');
    log.warn('skipping a record', { topic: 'in', partition: 1, offset: 7, ...errorFields(new ConfigError('no serde')) });
    await flush();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, msg: 'skipping a record', applicationId: 'orders', task: '0_1', topic: 'in', partition: 1, offset: 7, errorCode: 'CONFIG_INVALID' });
    expect(line['err']).toMatchObject({ type: 'ConfigError', message: 'no serde' });
  });

  it('leaves a Logger with Sluice’s own signature as it is', () => {
    expect(toLogger(noopLogger)).toBe(noopLogger);
  });
});
