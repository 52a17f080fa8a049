// The operating settings of a KafkaStreams config: metricsRecordingLevel (Kafka's levels, info by
// default), logFormat, a pino logger taken as is, tracing opt-in — and errors that say what to pass.
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { resolveConfig } from '../src/config.js';

const base = { applicationId: 'app', bootstrapServers: ['127.0.0.1:9092'] };

describe('metrics, logs and tracing settings', () => {
  it('records info metrics and traces nothing by default', () => {
    const c = resolveConfig(base);
    expect(c.metricsRecordingLevel).toBe('info');
    expect(c.tracing).toBeUndefined();
    expect(resolveConfig({ ...base, metricsRecordingLevel: 'trace' }).metricsRecordingLevel).toBe('trace');
  });

  it('refuses a recording level, log format or tracing setting it does not know', () => {
    expect(() => resolveConfig({ ...base, metricsRecordingLevel: 'DEBUG' as never })).toThrow(/metricsRecordingLevel must be one of 'info', 'debug' or 'trace', got the string "DEBUG" \(did you mean 'debug'\?\)/);
    expect(() => resolveConfig({ ...base, logFormat: 'yaml' as never })).toThrow(/logFormat must be one of 'text' or 'json', got the string "yaml"/);
    expect(() => resolveConfig({ ...base, tracing: true as never })).toThrow(/tracing must be \{ enabled: true \}/);
    expect(() => resolveConfig({ ...base, tracing: { enabled: true, tracerProvider: {} as never } })).toThrow(/tracing.tracerProvider must be an OpenTelemetry TracerProvider/);
  });

  it('turns tracing on only when enabled, with the provider given', () => {
    const provider = new BasicTracerProvider();
    expect(resolveConfig({ ...base, tracing: { enabled: false, tracerProvider: provider } }).tracing).toBeUndefined();
    expect(resolveConfig({ ...base, tracing: { enabled: true, tracerProvider: provider } }).tracing?.tracerProvider).toBe(provider);
  });

  it('logs through a pino logger with the application id bound', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    resolveConfig({ ...base, logger: pino({ level: 'info' }, stream) }).logger.warn('hello', { task: '0_1' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, msg: 'hello', applicationId: 'app', task: '0_1' });
  });
});
