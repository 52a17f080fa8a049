// sluice reset deletes what Kafka's StreamsResetter deletes: topics prefixed with the application id
// and named like changelog, repartition or foreign-key join topics, never input topics that happen to
// look like them (KAFKA-7930); --from-file plans are TOPIC,PARTITION,OFFSET lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { internalTopicsOf, matchesInternalTopicFormat, parseResetPlan } from '../src/commands/reset-plan.js';

const dir = mkdtempSync(path.join(tmpdir(), 'sluice-reset-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('internal topics of an application', () => {
  it("matches Kafka's internal topic formats", () => {
    for (const t of [
      'app-counts-changelog',
      'app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition',
      'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic',
      'app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000011-topic',
      'app-orders-subscription-registration-topic',
      'app-orders-subscription-response-topic',
    ]) {
      expect(matchesInternalTopicFormat(t), t).toBe(true);
    }
    for (const t of ['app-counts', 'app-changelog-archive', 'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-x-topic']) expect(matchesInternalTopicFormat(t), t).toBe(false);
  });

  it("keeps other applications' topics and input topics named like internal ones", () => {
    const topics = ['app-counts-changelog', 'app-x-repartition', 'app2-counts-changelog', 'other-app-counts-changelog', 'app-events-changelog', 'orders'];
    expect(internalTopicsOf('app', topics, ['app-events-changelog', 'orders'])).toEqual(['app-counts-changelog', 'app-x-repartition']);
  });
});

describe('--from-file reset plans', () => {
  it('reads TOPIC,PARTITION,OFFSET lines', () => {
    const file = path.join(dir, 'plan.csv');
    writeFileSync(file, 'orders,0,10\norders,1,20\r\n\npayments,0,0\n');
    expect([...parseResetPlan(file)]).toEqual([
      ['orders:0', 10],
      ['orders:1', 20],
      ['payments:0', 0],
    ]);
  });

  it('names the line that is wrong', () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'orders,0,10\norders;1;20\n');
    expect(() => parseResetPlan(file)).toThrow(`line 2 of the reset plan '${file}' is not TOPIC,PARTITION,OFFSET: 'orders;1;20'`);
    expect(() => parseResetPlan(path.join(dir, 'missing.csv'))).toThrow(/cannot read the --from-file plan .*missing.csv/);
  });
});
