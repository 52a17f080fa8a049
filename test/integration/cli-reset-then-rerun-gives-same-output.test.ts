// `sluice reset` on the real broker: a stateful exactly-once app (repartition topic, changelogged
// store) runs over its input; reset refuses while a member is in the group, --force removes a killed
// worker's member, --dry-run changes nothing, and the reset (input offsets to earliest, internal topics
// deleted, local state deleted) makes a second run produce exactly the first run's output again.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdminTools } from '@sluice/runtime';
import { runCli } from '../helpers/cli.js';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, consumeUntil, createTopic, deleteGroup, deleteTopicsWithPrefix, listTopics, produce, uniqueName, type ConsumedRecord } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

const N = 240;
const kv = (records: ConsumedRecord[]) => records.map((r) => `${r.key?.toString()}=${r.value?.toString()}`);

describe('sluice reset', () => {
  it('resets a stopped application so that a re-run gives the same output', async () => {
    const input = await createTopic('reset-in', { partitions: 1 });
    const outPass = await createTopic('reset-pass', { partitions: 1 });
    const outAgg = await createTopic('reset-agg', { partitions: 1 });
    const appId = uniqueName('reset-app');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-reset-'));
    const env = { INPUT: input, OUT_PASS: outPass, OUT_AGG: outAgg, APP_ID: appId, STATE_DIR: stateDir, SESSION_TIMEOUT_MS: '45000' };
    const tools = createAdminTools({ bootstrapServers: kafkaBrokers() });
    try {
      await produce(
        input,
        Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ seq: i, v: (i * 7) % 11 }) })),
      );
      const first = startWorker('cli-app.ts', env, 'first');
      await first.waitFor(/STARTED/);
      const firstAgg = await consumeUntil(outAgg, N, { timeoutMs: 90_000 });
      const firstPass = await consumeUntil(outPass, N, { timeoutMs: 30_000 });

      // a running member: refused with its id and the fix
      const refused = await runCli(['reset', '--application-id', appId, '--input-topics', input]);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`consumer group '${appId}' is still active .* 1 member`));
      expect(refused.stderr).toContain('Stop every instance');
      expect(refused.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace

      // killed: its member stays until the session times out (45 s); only --force removes it
      await first.stop('SIGKILL');
      const stillThere = await runCli(['reset', '--application-id', appId]);
      expect(stillThere.code).toBe(1);
      expect(stillThere.stderr).toContain('--force');

      const internal = (await listTopics()).filter((t) => t.startsWith(`${appId}-`)).sort();
      expect(internal).toEqual([`${appId}-totals-changelog`, `${appId}-totals-repartition`]);

      const dry = await runCli(['reset', '--application-id', appId, '--force', '--dry-run', '--state-dir', stateDir]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('Dry run');
      expect(dry.stdout).toContain(`Topic: ${input} Partition: 0 Offset: 0`);
      for (const t of internal) expect(dry.stdout).toContain(t);
      expect(dry.stdout).toContain(`Would delete the local state ${path.join(stateDir, appId)}`);
      // nothing changed
      expect((await listTopics()).filter((t) => t.startsWith(`${appId}-`)).sort()).toEqual(internal);
      expect(await tools.listConsumerGroupOffsets(appId, [input])).toEqual([{ topic: input, partition: 0, offset: N }]);
      expect((await tools.describeConsumerGroup(appId)).members).toHaveLength(1);
      expect(existsSync(path.join(stateDir, appId))).toBe(true);

      const reset = await runCli(['reset', '--application-id', appId, '--force', '--state-dir', stateDir]);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toContain(`Input topics (those group '${appId}' has committed offsets for): ${input}`);
      expect(reset.stdout).toContain('Done.');
      expect((await listTopics()).filter((t) => t.startsWith(`${appId}-`))).toEqual([]);
      expect(await tools.listConsumerGroupOffsets(appId)).toEqual([{ topic: input, partition: 0, offset: 0 }]);
      expect((await tools.describeConsumerGroup(appId)).members).toEqual([]);
      expect(existsSync(path.join(stateDir, appId))).toBe(false);

      // the re-run reprocesses everything from scratch: the same records, in the same order
      const second = startWorker('cli-app.ts', env, 'second');
      await second.waitFor(/STARTED/);
      const allAgg = await consumeUntil(outAgg, 2 * N, { timeoutMs: 90_000, settleMs: 1_000 });
      const allPass = await consumeUntil(outPass, 2 * N, { timeoutMs: 30_000 });
      expect(allAgg).toHaveLength(2 * N);
      expect(kv(allAgg.slice(N))).toEqual(kv(firstAgg));
      expect(kv(allPass.slice(N))).toEqual(kv(firstPass));
      expect(await second.stop()).toBe(0);
    } finally {
      await tools.close();
      await deleteTopicsWithPrefix(`${appId}-`);
      await deleteGroup(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("moves input offsets to Kafka's positions: a time, a duration ago, a shift, an offset, the end, a CSV plan", async () => {
    const input = await createTopic('reset-positions', { partitions: 2 });
    const group = uniqueName('reset-positions-group');
    const now = Date.now();
    const old = Date.UTC(2023, 0, 1);
    await produce(input, [
      ...Array.from({ length: 10 }, (_, i) => ({ key: `a${i}`, value: 'x', partition: 0, timestamp: old + i * 1_000 })),
      ...Array.from({ length: 10 }, (_, i) => ({ key: `b${i}`, value: 'x', partition: 1, timestamp: now - 30 * 60_000 + i * 3 * 60_000 })),
    ]);
    const tools = createAdminTools({ bootstrapServers: kafkaBrokers() });
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-reset-plan-'));
    const offsets = async () => (await tools.listConsumerGroupOffsets(group)).map((o) => o.offset);
    const reset = async (...position: string[]) => {
      const r = await runCli(['reset', '--application-id', group, '--input-topics', input, ...position]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    try {
      await tools.alterConsumerGroupOffsets(group, [
        { topic: input, partition: 0, offset: 5 },
        { topic: input, partition: 1, offset: 5 },
      ]);
      await reset('--to-datetime', new Date(old + 3_000).toISOString().replace('Z', ''));
      // every record of partition 1 is newer than that time: its first one
      expect(await offsets()).toEqual([3, 0]);
      await reset('--shift-by', '-2');
      expect(await offsets()).toEqual([1, 0]);
      const clamped = await reset('--shift-by', '100');
      expect(await offsets()).toEqual([10, 10]);
      expect(clamped).toContain('new offset (101) is higher than the latest offset; set to 10');
      await reset('--to-offset', '7');
      expect(await offsets()).toEqual([7, 7]);
      const ago = await reset('--by-duration', 'PT10M');
      // partition 0's records are from 2023: none is that recent, so it goes to the end
      expect(await offsets()).toEqual([10, 7]);
      expect(ago).toMatch(/Partition: 0 Offset: 10 {2}\(no record at or after .*; set to the latest offset\)/);
      await reset('--to-earliest');
      expect(await offsets()).toEqual([0, 0]);
      await reset('--to-latest');
      expect(await offsets()).toEqual([10, 10]);
      const plan = path.join(dir, 'plan.csv');
      writeFileSync(plan, `${input},0,2\n`);
      await reset('--from-file', plan);
      expect(await offsets()).toEqual([2, 10]);
    } finally {
      await tools.close();
      await deleteGroup(group);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains bad options and conflicting positions without touching the cluster', async () => {
    const both = await runCli(['reset', '--application-id', 'x', '--to-earliest', '--to-latest']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('choose one position for the input offsets; got --to-earliest and --to-latest');
    const badTime = await runCli(['reset', '--application-id', 'x', '--to-datetime', 'yesterday']);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain("--to-datetime 'yesterday' is not a date-time");
    const noApp = await runCli(['reset']);
    expect(noApp.code).toBe(2);
    expect(noApp.stderr).toContain("required option '--application-id <id>' not specified");
  });
});
