// The crash test behind issue 6: a known input with sequence numbers, a stateful topology on three
// worker processes, random SIGKILLs and restarts while it runs, then a read_committed check of the
// output. Used by a short integration test in `npm test` and by scripts/kill-test.ts for long runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { kafkaBrokers } from './env.js';
import type { RestartableBroker } from './restartable-broker.js';
import { startWorker, type Worker } from './worker.js';

export interface KillScenario {
  guarantee: 'exactly_once' | 'at_least_once';
  records: number;
  partitions: number;
  workers: number;
  kills: number;
  /** Random pause between kills, ms. */
  killEveryMs: [number, number];
  /**
   * Storm mode (issue 13): kills start right after the workers are spawned (during start-up,
   * restore and commits), up to `maxAtOnce` workers are killed together, and each killed worker
   * is restarted `restartAfterMs` later. `killEveryMs` is then the pause between storm rounds.
   */
  storm?: { maxAtOnce: number; restartAfterMs: number };
  /** Worker session and rebalance timeouts (ms); default 6 000 and 15 000. */
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  /** Input records per produced batch (default: records / 40, at least 100). */
  produceBatch?: number;
  /** How long the reader waits for a complete output, ms (default 180 000). */
  readTimeoutMs?: number;
  /**
   * Chaos: a broker of the test's own that is stopped (or crashed) `count` times for `downMs` and
   * started again while the workers run (issue 14). Without it the shared broker is used.
   */
  broker?: RestartableBroker;
  outages?: { count: number; downMs: [number, number] };
  /** Every Nth produced record is poison (not JSON): dead-lettered exactly once, never in the output. */
  poisonEvery?: number;
  groups?: number;
  /** Workers killed by the last kill stay down (the others must take over their tasks and open transactions). */
  lastKillFinal?: boolean;
  /** Stream threads per worker (numStreamThreads); default 1. */
  streamThreads?: number;
  log?: (line: string) => void;
  /** Print every worker's output at the end (debugging). */
  keepWorkerOutput?: boolean;
}

export interface KillResult {
  inputCount: number;
  passCount: number;
  duplicates: number;
  missing: number;
  aggregateProblems: string[];
  kills: number;
  seconds: number;
  /** Seconds from the last kill's restart until the output was complete. */
  recoverySeconds: number;
  outages: number;
  /** Longest time from a broker's return until the output grew again, seconds. */
  resumeSeconds: number;
  poison: number;
  deadLetters: number;
}

interface InputRecord {
  key: string;
  seq: number;
  v: number;
}

async function waitForLeaders(admin: Admin, topics: string[], partitions: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const md = await admin.fetchTopicMetadata({ topics });
      if (md.topics.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Seconds from `since` until one of `topics` holds more records than at `since` (0 when nothing is left to do). */
async function secondsUntilOutputGrows(kafka: Kafka, topics: string[], since: number, allProduced: () => boolean): Promise<number> {
  const admin = kafka.admin();
  const total = async () => {
    let n = 0;
    for (const t of topics) for (const p of await admin.fetchTopicOffsets(t)) n += Number(p.high);
    return n;
  };
  try {
    await admin.connect();
    // the broker just came back: its partitions may have no leader yet for a few seconds
    let before: number | undefined;
    for (const until = Date.now() + 30_000; before === undefined; ) {
      before = await total().catch((err: unknown) => {
        if (Date.now() > until) throw err;
        return undefined;
      });
      if (before === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const now = await total().catch(() => before);
      if (now > before) return Math.round((Date.now() - since) / 100) / 10;
      if (allProduced() && Date.now() - since > 60_000) return Math.round((Date.now() - since) / 100) / 10;
    }
    return Math.round((Date.now() - since) / 100) / 10;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function shuffled<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rand(0, i);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function rand(min: number, max: number): number {
  return Math.floor(min + Math.random() * (max - min + 1));
}

export async function runKillScenario(s: KillScenario): Promise<KillResult> {
  const started = Date.now();
  const log = s.log ?? (() => undefined);
  const groups = s.groups ?? 7;
  const id = `kill-${s.guarantee}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
  const topics = { INPUT: `${id}-in`, OUT_PASS: `${id}-pass`, OUT_AGG: `${id}-agg`, DLQ: `${id}-dlq` };
  const brokers = s.broker ? [s.broker.bootstrap] : kafkaBrokers();
  const kafka = new Kafka({ clientId: id, brokers, logLevel: logLevel.NOTHING, retry: { retries: 8 } });
  const admin = kafka.admin();
  await admin.connect();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'sluice-kill-'));
  const workers: (Worker | undefined)[] = [];
  const retired: Worker[] = [];
  let exact = false;
  try {
    // kafkajs' waitForLeaders can leave an unhandled rejection behind (UNKNOWN_TOPIC_OR_PARTITION while
    // metadata propagates), which ends the process: wait for the leaders here instead
    await admin.createTopics({ waitForLeaders: false, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: s.partitions })) });
    await waitForLeaders(admin, Object.values(topics), s.partitions);
    const inputs: InputRecord[] = [];
    for (let seq = 0; seq < s.records; seq++) inputs.push({ key: `k${seq % 97}`, seq, v: (seq * 7919) % 1000 });
    const env = { ...topics, ...(s.poisonEvery ? { DLQ_ON: '1' } : {}), KAFKA_BROKERS: brokers.join(','), APP_ID: id, GUARANTEE: s.guarantee, STATE_DIR: stateDir, GROUPS: String(groups), SESSION_TIMEOUT_MS: String(s.sessionTimeoutMs ?? 6_000), REBALANCE_TIMEOUT_MS: String(s.rebalanceTimeoutMs ?? 15_000), NUM_STREAM_THREADS: String(s.streamThreads ?? 1) };
    const start = (i: number) => {
      workers[i] = startWorker('stateful-app.ts', env, `W${i}`);
    };
    for (let i = 0; i < s.workers; i++) start(i);
    // a storm starts killing while the workers are still starting
    if (!s.storm) await Promise.all(workers.map((w) => w!.waitFor(/STARTED/, 90_000)));

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    let produced = 0;
    let poison = 0;
    const produceAll = (async () => {
      const chunk = s.produceBatch ?? Math.max(100, Math.ceil(s.records / 40));
      while (produced < inputs.length) {
        const part = inputs.slice(produced, produced + chunk);
        const messages = part.map((r) => ({ key: r.key, value: JSON.stringify({ seq: r.seq, v: r.v }) }));
        let extra = 0;
        if (s.poisonEvery) for (let i = 0; i < part.length; i++) if ((part[i]!.seq + 1) % s.poisonEvery === 0) {
          messages.push({ key: part[i]!.key, value: `poison ${part[i]!.seq}` });
          extra++;
        }
        // a broker outage fails sends for a while: keep trying (the batch is idempotent)
        for (;;) {
          try {
            await producer.send({ topic: topics.INPUT, acks: -1, messages });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        produced += part.length;
        poison += extra;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    let resumeSeconds = 0;
    let outages = 0;
    const outagesDone = (async () => {
      if (!s.broker || !s.outages) return;
      for (let i = 0; i < s.outages.count; i++) {
        await new Promise((r) => setTimeout(r, rand(2_000, 5_000)));
        const down = rand(s.outages.downMs[0], s.outages.downMs[1]);
        const how = Math.random() < 0.5 ? 'SIGTERM' : 'SIGKILL';
        log(`broker down (${how}) for ${down} ms (outage ${i + 1}/${s.outages.count}, ${produced}/${inputs.length} produced)`);
        await s.broker.stop(how);
        outages++;
        await new Promise((r) => setTimeout(r, down));
        await s.broker.start();
        const back = Date.now();
        log(`broker back after ${Date.now() - back + down} ms down`);
        resumeSeconds = Math.max(resumeSeconds, await secondsUntilOutputGrows(kafka, [topics.OUT_PASS, topics.OUT_AGG], back, () => produced >= inputs.length));
      }
    })();

    let kills = 0;
    let lastRestart = Date.now();
    while (kills < s.kills) {
      await new Promise((r) => setTimeout(r, rand(s.killEveryMs[0], s.killEveryMs[1])));
      const atOnce = Math.min(s.kills - kills, s.storm ? rand(1, Math.min(s.storm.maxAtOnce, s.workers)) : 1);
      const victims = shuffled([...Array(s.workers).keys()]).slice(0, atOnce);
      log(`kill -9 worker ${victims.join(' + ')} (kill ${kills + 1}${atOnce > 1 ? `-${kills + atOnce}` : ''}/${s.kills}, ${produced}/${inputs.length} produced)`);
      await Promise.all(victims.map((i) => workers[i]!.stop('SIGKILL')));
      for (const i of victims) retired.push(workers[i]!);
      kills += atOnce;
      if (s.lastKillFinal && kills >= s.kills) {
        log(`worker ${victims.join(' + ')} stays down`);
        for (const i of victims) workers[i] = undefined;
        continue;
      }
      await new Promise((r) => setTimeout(r, s.storm ? s.storm.restartAfterMs : rand(200, 1500)));
      for (const i of victims) start(i);
      lastRestart = Date.now();
    }
    await produceAll;
    await outagesDone;
    await producer.disconnect();
    log('all input produced; waiting for the output to be complete');

    // Read until the output is complete (every sequence number seen; every group's latest count has
    // reached its input count), not until some number of records: under at-least-once duplicates make
    // that number arrive early, and a worker that was just killed leaves its partitions idle until its
    // session times out, so a quiet period is no sign that processing is done.
    const readCommitted = s.guarantee === 'exactly_once';
    // one deadline for both reads, so a stalled output fails inside the caller's own timeout
    const readDeadline = Date.now() + (s.readTimeoutMs ?? 180_000);
    const pass = await readUntil(kafka, topics.OUT_PASS, readCommitted, readDeadline, log, (out) => {
      const distinct = new Set(out.map((r) => r.value)).size;
      return { done: distinct >= s.records, progress: `${distinct}/${s.records} sequence numbers` };
    });
    const wantCounts = expectedAggregates(inputs, groups);
    let completeAt = Date.now();
    const agg = await readUntil(kafka, topics.OUT_AGG, readCommitted, readDeadline, log, (out) => {
      const latest = new Map<string, number>();
      for (const r of out) latest.set(r.key, (JSON.parse(r.value) as Agg).count);
      const reached = [...wantCounts].filter(([g, a]) => (latest.get(g) ?? 0) >= a.count).length;
      const done = reached === wantCounts.size;
      if (done) completeAt = Date.now();
      return { done, progress: `${reached}/${wantCounts.size} groups at their final count` };
    });
    for (const w of workers) await w?.stop('SIGTERM', 30_000);
    if (s.keepWorkerOutput) for (const w of [...retired, ...workers]) if (w) log(`---- ${w.name} ----\n${w.output()}`);

    const seen = new Map<number, number>();
    for (const v of pass) seen.set(Number(v.value), (seen.get(Number(v.value)) ?? 0) + 1);
    let duplicates = 0;
    let missing = 0;
    for (const r of inputs) {
      const n = seen.get(r.seq) ?? 0;
      if (n === 0) missing++;
      if (n > 1) duplicates += n - 1;
    }
    const aggregateProblems = checkAggregates(inputs, agg, groups, s.guarantee);
    exact = missing === 0 && aggregateProblems.length === 0 && (s.guarantee === 'at_least_once' || duplicates === 0);
    const deadLetters = s.poisonEvery ? (await readUntil(kafka, topics.DLQ, readCommitted, Date.now() + 60_000, log, (out) => ({ done: out.length >= poison, progress: `${out.length}/${poison} dead letters` }))).length : 0;
    return {
      inputCount: inputs.length,
      passCount: pass.length,
      duplicates,
      missing,
      aggregateProblems,
      kills,
      seconds: Math.round((Date.now() - started) / 1000),
      recoverySeconds: Math.round((completeAt - lastRestart) / 1000),
      outages,
      resumeSeconds,
      poison,
      deadLetters,
    };
  } finally {
    for (const w of workers) if (w && !w.exited()) await w.stop('SIGKILL', 5_000);
    // the workers' output is what explains a failure: keep it when asked, and always when the run was not exact
    const logDir = process.env['KILL_LOG_DIR'] ?? (exact ? undefined : path.resolve('test-artifacts', 'kill-logs'));
    if (logDir) {
      mkdirSync(path.join(logDir, id), { recursive: true });
      [...retired, ...workers].forEach((w, i) => w && writeFileSync(path.join(logDir, id, `${String(i).padStart(2, '0')}-${w.name}.log`), w.output()));
      log(`worker output in ${path.join(logDir, id)}`);
    }
    const all = (await admin.listTopics()).filter((t) => t.startsWith(id));
    await admin.deleteTopics({ topics: all }).catch(() => undefined);
    await admin.deleteGroups([id]).catch(() => undefined);
    await admin.disconnect();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

interface Agg {
  count: number;
  sum: number;
  min: number;
  max: number;
}

function expectedAggregates(inputs: InputRecord[], groups: number): Map<string, Agg> {
  const expected = new Map<string, Agg>();
  for (const r of inputs) {
    const g = `g${r.v % groups}`;
    const a = expected.get(g) ?? { count: 0, sum: 0, min: Number.MAX_SAFE_INTEGER, max: Number.MIN_SAFE_INTEGER };
    expected.set(g, { count: a.count + 1, sum: a.sum + r.v, min: Math.min(a.min, r.v), max: Math.max(a.max, r.v) });
  }
  return expected;
}

function checkAggregates(inputs: InputRecord[], out: { key: string; value: string; partition: number }[], groups: number, guarantee: KillScenario['guarantee']): string[] {
  const expected = expectedAggregates(inputs, groups);
  const problems: string[] = [];
  const counts = new Map<string, number[]>();
  const last = new Map<string, Agg>();
  for (const r of out) {
    const a = JSON.parse(r.value) as Agg;
    counts.set(r.key, [...(counts.get(r.key) ?? []), a.count]);
    last.set(r.key, a);
  }
  for (const [g, want] of expected) {
    const got = last.get(g);
    const seq = counts.get(g) ?? [];
    if (guarantee === 'exactly_once') {
      // every input record is one update: counts must be exactly 1, 2, …, N in order
      for (let i = 0; i < seq.length; i++) {
        if (seq[i] !== i + 1) {
          problems.push(`${g}: update #${i + 1} has count ${seq[i]} (a duplicate or a lost update)`);
          break;
        }
      }
      if (!got || got.count !== want.count || got.sum !== want.sum || got.min !== want.min || got.max !== want.max) {
        problems.push(`${g}: final aggregate ${JSON.stringify(got)} but the input gives ${JSON.stringify(want)}`);
      }
    } else if (!got || got.count < want.count) {
      problems.push(`${g}: final count ${got?.count} is below the ${want.count} input records (records were lost)`);
    }
  }
  return problems;
}

type OutRecord = { key: string; value: string; partition: number };

/**
 * Reads a topic from the start until `check(records).done` holds, then until 3 s pass without a new
 * record (so duplicates written after that point are seen too); read_committed when asked. Logs its
 * progress every 30 s; at the deadline it returns what arrived, and the checks report what is missing.
 */
async function readUntil(
  kafka: Kafka,
  topic: string,
  readCommitted: boolean,
  deadline: number,
  log: (line: string) => void,
  check: (records: OutRecord[]) => { done: boolean; progress: string },
): Promise<OutRecord[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}`, readUncommitted: !readCommitted, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const out: OutRecord[] = [];
  let lastGrowth = Date.now();
  let checkedAt = -1;
  let state = { done: false, progress: 'nothing read yet' };
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) out.push({ key: m.key?.toString() ?? '', value: m.value?.toString() ?? '', partition: batch.partition });
      lastGrowth = Date.now();
    },
  });
  let reportAt = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!state.done && out.length !== checkedAt) {
      checkedAt = out.length;
      state = check(out);
    }
    if (state.done && Date.now() - lastGrowth > 3_000) break;
    if (Date.now() > reportAt) {
      reportAt = Date.now() + 30_000;
      log(`still reading ${topic}: ${out.length} records, ${state.progress}, last new record ${Math.round((Date.now() - lastGrowth) / 1000)} s ago`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!state.done) {
    // which partitions fell short: a partition read far below its end under read_committed has an open (or hanging) transaction
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin
      .fetchTopicOffsets(topic)
      .catch((err: unknown) => {
        log(`could not read the end offsets of ${topic}: ${String(err)}`);
        return [];
      })
      .finally(() => admin.disconnect());
    const read = new Map<number, number>();
    for (const r of out) read.set(r.partition, (read.get(r.partition) ?? 0) + 1);
    const parts = ends.map((e) => `p${e.partition}: ${read.get(e.partition) ?? 0} read, end ${e.high}`).join('; ');
    log(`gave up reading ${topic}: ${state.progress} (${parts})`);
  }
  await consumer.disconnect();
  return out;
}
