// What a user gets from the config they pass: Kafka Streams' defaults, our documented fetch sizes,
// and errors that name the setting and what to do.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.js';

const base = { applicationId: 'app', bootstrapServers: ['127.0.0.1:9092'] };

describe('resolveConfig', () => {
  it("has Kafka Streams' defaults, and fetch sizes bounded for kafkajs' eager decoding", () => {
    const c = resolveConfig(base);
    expect({ guarantee: c.guarantee, commitIntervalMs: c.commitIntervalMs, fetchMaxBytes: c.fetchMaxBytes, maxPartitionFetchBytes: c.maxPartitionFetchBytes }).toEqual({
      guarantee: 'at_least_once',
      commitIntervalMs: 30_000,
      fetchMaxBytes: 512 * 1024,
      maxPartitionFetchBytes: 128 * 1024,
    });
    expect(resolveConfig({ ...base, processingGuarantee: 'exactly_once' }).commitIntervalMs).toBe(100);
  });

  it('takes fetch sizes and refuses ones that are not sizes', () => {
    const c = resolveConfig({ ...base, fetchMaxBytes: 8 * 1024 * 1024, maxPartitionFetchBytes: 1024 * 1024 });
    expect([c.fetchMaxBytes, c.maxPartitionFetchBytes]).toEqual([8 * 1024 * 1024, 1024 * 1024]);
    expect(() => resolveConfig({ ...base, fetchMaxBytes: 0 })).toThrow(/fetchMaxBytes must be an integer >= 1024 \(bytes\), got the number 0/);
    expect(() => resolveConfig({ ...base, maxPartitionFetchBytes: Number.NaN })).toThrow(/maxPartitionFetchBytes must be an integer >= 1024 \(bytes\), got the number NaN/);
  });

  it('takes applicationServer as host:port and refuses anything else with the form it needs', () => {
    expect(resolveConfig({ ...base, applicationServer: 'worker-1.internal:7070' }).applicationServer).toBe('worker-1.internal:7070');
    expect(resolveConfig({ ...base, applicationServer: '[::1]:7070' }).applicationServer).toBe('[::1]:7070');
    expect(resolveConfig(base).applicationServer).toBeUndefined();
    expect(() => resolveConfig({ ...base, applicationServer: 'worker-1' })).toThrow(/applicationServer must be 'host:port' \(e.g. 'worker-1.internal:7070' or '\[::1\]:7070'\), got "worker-1": the port is missing/);
    expect(() => resolveConfig({ ...base, applicationServer: 'http://worker-1:7070' })).toThrow(/applicationServer must be 'host:port'/);
    expect(() => resolveConfig({ ...base, applicationServer: 'worker-1:0' })).toThrow(/the port must be between 1 and 65535/);
  });

  it('names an unknown setting and the known one it resembles', () => {
    expect(() => resolveConfig({ ...base, fetchMaxByte: 1 } as never)).toThrow(/unknown config 'fetchMaxByte' \(did you mean 'fetchMaxBytes'\?\)/);
  });
});
