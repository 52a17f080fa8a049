// `sluice lag` on the real broker: an exactly-once app catches up (lag 0 on its input and repartition
// partitions, its member listed with its partitions); stopped, the lag is exactly what was produced
// since; transaction markers and open transactions are not counted as lag.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAdminTools } from '@sluice/runtime';
import { jsonOf, runCli } from '../helpers/cli.js';
import { kafkaBrokers } from '../helpers/env.js';
import { closeTestClients, createTopic, deleteGroup, deleteTopicsWithPrefix, produce, testKafka, uniqueName } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

interface LagJson {
  groupId: string;
  state: string;
  totalLag: number;
  partitions: { topic: string; partition: number; committed: number | null; end: number; lag: number; memberId: string | null }[];
  members: { memberId: string; processId?: string; assignment: { topic: string; partition: number }[] }[];
}

async function lag(appId: string, ...extra: string[]): Promise<LagJson> {
  const r = await runCli(['lag', '--application-id', appId, '--format', 'json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return jsonOf<LagJson>(r);
}

async function waitForLag(appId: string, predicate: (l: LagJson) => boolean, timeoutMs = 90_000): Promise<LagJson> {
  const deadline = Date.now() + timeoutMs;
  let last = await lag(appId);
  while (!predicate(last)) {
    if (Date.now() > deadline) throw new Error(`lag of ${appId} did not reach the expected state; last:\n${JSON.stringify(last, null, 2)}`);
    await new Promise((r) => setTimeout(r, 1_000));
    last = await lag(appId);
  }
  return last;
}

const records = (n: number, partition: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: JSON.stringify({ seq: from + i, v: from + i }), partition }));

describe('sluice lag', () => {
  it('reaches 0 when the app has caught up, and counts exactly what arrived while it was stopped', async () => {
    const input = await createTopic('lag-in', { partitions: 2 });
    const outPass = await createTopic('lag-pass');
    const outAgg = await createTopic('lag-agg');
    const appId = uniqueName('lag-app');
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-lag-'));
    const env = { INPUT: input, OUT_PASS: outPass, OUT_AGG: outAgg, APP_ID: appId, STATE_DIR: stateDir };
    try {
      await produce(input, [...records(120, 0), ...records(80, 1, 120)]);
      const worker = startWorker('cli-app.ts', env, 'lag-worker');
      await worker.waitFor(/STARTED/);
      const caughtUp = await waitForLag(appId, (l) => l.totalLag === 0 && l.partitions.some((p) => p.topic === input && p.committed === 120));
      const byTopic = (topic: string) => caughtUp.partitions.filter((p) => p.topic === topic);
      expect(byTopic(input).map((p) => [p.partition, p.committed, p.end, p.lag])).toEqual([
        [0, 120, 120, 0],
        [1, 80, 80, 0],
      ]);
      // the repartition topic is an input of the aggregating sub-topology: it is listed too, caught up
      const repartition = caughtUp.partitions.filter((p) => p.topic === `${appId}-totals-repartition`);
      expect(repartition.length).toBeGreaterThan(0);
      expect(repartition.every((p) => p.lag === 0 && p.end > 0)).toBe(true);
      expect(caughtUp.state).toBe('Stable');
      expect(caughtUp.members).toHaveLength(1);
      expect(caughtUp.members[0]!.processId).toEqual(expect.any(String));
      expect(caughtUp.members[0]!.assignment).toEqual(expect.arrayContaining([{ topic: input, partition: 0 }, { topic: input, partition: 1 }]));
      expect(caughtUp.partitions.every((p) => p.memberId === caughtUp.members[0]!.memberId)).toBe(true);

      expect(await worker.stop()).toBe(0);
      await produce(input, [...records(50, 0, 200), ...records(30, 1, 250)]);
      const behind = await runCli(['lag', '--application-id', appId]);
      expect(behind.code, behind.stderr).toBe(0);
      expect(behind.stdout).toContain(`Consumer group '${appId}': Empty, 0 members`);
      expect(behind.stdout).toMatch(new RegExp(`${input}\\s+0\\s+120\\s+170\\s+50\\s+-`));
      expect(behind.stdout).toMatch(new RegExp(`${input}\\s+1\\s+80\\s+110\\s+30\\s+-`));
      expect(behind.stdout).toContain('Total lag: 80 records (end offsets read read_committed)');

      const again = startWorker('cli-app.ts', env, 'lag-worker-2');
      await again.waitFor(/STARTED/);
      const zero = await waitForLag(appId, (l) => l.totalLag === 0 && l.partitions.some((p) => p.topic === input && p.committed === 170));
      expect(zero.partitions.filter((p) => p.topic === input).map((p) => p.committed)).toEqual([170, 110]);
      expect(await again.stop()).toBe(0);
    } finally {
      await deleteTopicsWithPrefix(`${appId}-`);
      await deleteGroup(appId);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('does not count transaction markers, aborted records or open transactions as lag', async () => {
    const topic = await createTopic('lag-tx');
    const group = uniqueName('lag-tx-group');
    const kafka = testKafka('lag-tx');
    const tools = createAdminTools({ bootstrapServers: kafkaBrokers() });
    const producer = kafka.producer({ transactionalId: uniqueName('lag-tx-producer'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      // offsets 0-2: records, 3: commit marker, 4: aborted record, 5: abort marker
      let tx = await producer.transaction();
      await tx.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
      await tx.commit();
      tx = await producer.transaction();
      await tx.send({ topic, messages: [{ value: 'aborted' }] });
      await tx.abort();
      // committed right after the last record, before the markers: an app that read everything
      await tools.alterConsumerGroupOffsets(group, [{ topic, partition: 0, offset: 3 }]);
      const settled = await lag(group);
      expect(settled.partitions).toEqual([{ topic, partition: 0, committed: 3, end: 6, lag: 0, memberId: null }]);

      // an open transaction (offsets 6-7): invisible to read_committed (end = last stable offset); a
      // read_uncommitted consumer would read from the aborted record on (offset 4) up to the high watermark
      tx = await producer.transaction();
      await tx.send({ topic, messages: [{ value: 'pending-1' }, { value: 'pending-2' }] });
      expect((await lag(group)).partitions[0]).toMatchObject({ committed: 3, end: 6, lag: 0 });
      const uncommitted = await lag(group, '--isolation-level', 'read_uncommitted');
      expect(uncommitted.partitions[0]).toMatchObject({ committed: 3, end: 8, lag: 4 });
      // committed (marker at 8): the consumer's position skips the aborted record and its marker, to 6;
      // from there lag counts offsets up to the end, as Kafka's records-lag does
      await tx.commit();
      expect((await lag(group)).partitions[0]).toMatchObject({ committed: 3, end: 9, lag: 3 });
    } finally {
      await producer.disconnect();
      await tools.close();
      await deleteGroup(group);
    }
  });

  it('says when the group does not exist', async () => {
    const r = await runCli(['lag', '--application-id', uniqueName('no-such-app')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: consumer group '.*' not found: no application with this application id has committed offsets/);
  });
});
