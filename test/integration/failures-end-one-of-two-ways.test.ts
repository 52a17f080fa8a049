// Issue 14 on the real broker: every failure ends one of two ways — processing goes on with nothing
// lost or duplicated, or the app stops saying what to do. Poison records are dead-lettered exactly
// once under exactly-once (a record is in the output or in the DLQ, once); a record too large for
// the output topic goes to the production handler per record (skipped and dead-lettered, or the app
// stops with the limit — no silent abort loop); a missing DLQ topic stops start-up with the command;
// SHUTDOWN_APPLICATION stops every worker; a worker that fails with nobody listening exits non-zero.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeTestClients, consumeUntil, createTopic, produce, uniqueName } from '../helpers/kafka.js';
import { startWorker } from '../helpers/worker.js';

afterAll(closeTestClients);

const json = (o: object) => JSON.stringify(o);

async function setup(prefix: string, extra: Record<string, string> = {}) {
  const input = await createTopic(`${prefix}-in`, { partitions: 2 });
  // small enough that a 3 000-byte value is refused by the broker
  const output = await createTopic(`${prefix}-out`, { partitions: 2, config: { 'max.message.bytes': '2000' } });
  const dlq = await createTopic(`${prefix}-dlq`, { partitions: 1 });
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-failures-'));
  const env = { INPUT: input, OUTPUT: output, APP_ID: uniqueName(prefix), STATE_DIR: stateDir, ...extra };
  return { input, output, dlq, env, cleanup: () => rmSync(stateDir, { recursive: true, force: true }) };
}

describe('failures on the real broker', () => {
  it('exactly-once: poison, failing and too-large records are each dead-lettered once; all others are written once', async () => {
    const s = await setup('fail-dlq');
    try {
      const w = startWorker('failures-app.ts', { ...s.env, DLQ: s.dlq, DESER_HANDLER: 'logAndContinue', PROCESSING_HANDLER: 'logAndContinue', PRODUCTION_HANDLER: 'logAndContinue' }, 'W');
      await w.waitFor(/STARTED/, 60_000);
      const records: { key: string; value: string }[] = [];
      for (let n = 0; n < 300; n++) {
        const key = `k${n % 7}`;
        if (n % 50 === 10) records.push({ key, value: 'not json' });
        else if (n % 50 === 20) records.push({ key, value: json({ n, fail: true }) });
        else if (n % 50 === 30) records.push({ key, value: json({ n, size: 3_000 }) });
        else records.push({ key, value: json({ n }) });
      }
      await produce(s.input, records);
      const good = records.length - 18;
      const out = await consumeUntil(s.output, good, { timeoutMs: 60_000, settleMs: 2_000, readCommitted: true });
      const outNs = out.map((r) => Number(r.value!.toString().split(':')[0]));
      expect(new Set(outNs).size).toBe(good);
      expect(outNs.length).toBe(good);
      const dead = await consumeUntil(s.dlq, 18, { timeoutMs: 30_000, settleMs: 2_000, readCommitted: true });
      expect(dead).toHaveLength(18);
      const kinds = dead.map((r) => r.headers?.['__streams.errors.exception']?.toString());
      expect(kinds.filter((k) => k !== undefined)).toHaveLength(18);
      // the dead letters carry the source record as read, and where it was read
      const tooLarge = dead.filter((r) => /max\.message\.bytes|MESSAGE_TOO_LARGE/.test(r.headers?.['__streams.errors.message']?.toString() ?? ''));
      expect(tooLarge).toHaveLength(6);
      for (const r of dead) {
        expect(r.headers?.['__streams.errors.topic']?.toString()).toBe(s.input);
        expect(Number(r.headers?.['__streams.errors.offset']?.toString())).toBeGreaterThanOrEqual(0);
      }
      expect(dead.filter((r) => r.value!.toString() === 'not json')).toHaveLength(6);
      expect(await w.stop('SIGTERM')).toBe(0);
    } finally {
      s.cleanup();
    }
  }, 180_000);

  it('a briefly failing record is retried with backoff while its partition waits in order and the other partition goes on', async () => {
    const s = await setup('fail-retry');
    // one output partition: the order of the output shows which records went ahead of the retried one
    const output = await createTopic('fail-retry-out1', { partitions: 1 });
    try {
      const w = startWorker('failures-app.ts', { ...s.env, OUTPUT: output, RETRY_ATTEMPTS: '6' }, 'W');
      await w.waitFor(/STARTED/, 60_000);
      // partition 0: record 0 fails 4 attempts (backoff 300, 600, 1 000, 1 000 ms), then 1..19 behind it; partition 1: 100..199
      const records = [
        ...Array.from({ length: 20 }, (_, n) => ({ key: 'a', partition: 0, value: json(n === 0 ? { n, flaky: 4 } : { n }) })),
        ...Array.from({ length: 100 }, (_, i) => ({ key: 'b', partition: 1, value: json({ n: 100 + i }) })),
      ];
      await produce(s.input, records);
      const out = await consumeUntil(output, records.length, { timeoutMs: 60_000, settleMs: 2_000, readCommitted: true });
      const ns = out.map((r) => Number(r.value!.toString().split(':')[0]));
      expect(ns).toHaveLength(records.length);
      expect(new Set(ns).size).toBe(records.length);
      // partition 0 kept its order: 0 first, then 1..19
      expect(ns.filter((n) => n < 100)).toEqual(Array.from({ length: 20 }, (_, n) => n));
      // partition 1 did not wait for the retries: all of it came out before record 0
      expect(ns.indexOf(0)).toBeGreaterThanOrEqual(100);
      await w.waitFor(/FLAKY 0 succeeded at attempt 5/, 10_000);
      expect(await w.stop('SIGTERM')).toBe(0);
    } finally {
      s.cleanup();
    }
  }, 120_000);

  it('exactly-once: a record too large with the default handler stops the app with the record and the limit, no abort loop', async () => {
    const s = await setup('fail-large');
    try {
      const w = startWorker('failures-app.ts', s.env, 'W');
      await w.waitFor(/STARTED/, 60_000);
      await produce(s.input, [
        { key: 'a', value: json({ n: 1 }) },
        { key: 'a', value: json({ n: 2, size: 3_000 }) },
      ]);
      await w.waitFor(/FATAL/, 60_000);
      expect(w.output()).toMatch(/FATAL .*could not be written \(from the record at topic '.*' partition \d offset 1\).*max\.message\.bytes/s);
      // it stopped once, it did not abort and retry in a loop
      expect((w.output().match(/roll back/g) ?? []).length).toBe(0);
    } finally {
      s.cleanup();
    }
  }, 120_000);

  it('a dead letter queue topic that does not exist stops start-up with the command to create it', async () => {
    const s = await setup('fail-nodlq');
    try {
      const w = startWorker('failures-app.ts', { ...s.env, DLQ: uniqueName('missing-dlq') }, 'W');
      await w.waitFor(/START FAILED/, 60_000);
      expect(w.output()).toMatch(/output topic 'missing-dlq-[^']+' \(deadLetterQueueTopicName\) not found; create it before starting the application:\n\s+kafka-topics\.sh .*--create --topic missing-dlq-/);
    } finally {
      s.cleanup();
    }
  }, 60_000);

  it('SHUTDOWN_APPLICATION from one worker stops every worker of the application', async () => {
    const s = await setup('fail-shutdown');
    try {
      const env = { ...s.env, GUARANTEE: 'at_least_once', UNCAUGHT: 'SHUTDOWN_APPLICATION' };
      const a = startWorker('failures-app.ts', env, 'A');
      const b = startWorker('failures-app.ts', env, 'B');
      await Promise.all([a.waitFor(/STARTED/, 60_000), b.waitFor(/STARTED/, 60_000)]);
      await produce(s.input, [{ key: 'k', value: json({ n: 1, fail: true }) }]);
      await Promise.all([a.waitFor(/FATAL .*the application was shut down by one of its workers/, 90_000), b.waitFor(/FATAL .*the application was shut down by one of its workers/, 90_000)]);
    } finally {
      s.cleanup();
    }
  }, 150_000);

  it('a worker that fails with no onError listener exits with a non-zero code', async () => {
    const s = await setup('fail-exit');
    try {
      const w = startWorker('failures-app.ts', { ...s.env, GUARANTEE: 'at_least_once', NO_ERROR_LISTENER: '1' }, 'W');
      await w.waitFor(/STARTED/, 60_000);
      await produce(s.input, [{ key: 'k', value: json({ n: 1, fail: true }) }]);
      await w.waitFor(/STATE PENDING_ERROR -> ERROR/, 60_000);
      // nothing keeps the process alive once the app stopped: it ends by itself, with code 1
      const deadline = Date.now() + 30_000;
      while (!w.exited() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(w.exited()).toBe(true);
      expect(await w.stop()).toBe(1);
    } finally {
      s.cleanup();
    }
  }, 120_000);
});
