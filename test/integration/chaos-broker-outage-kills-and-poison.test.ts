// Issue 14's chaos proof, short version (the long one: npm run test:chaos): exactly-once workers on
// a broker of the test's own that goes away for 15 s and comes back, a worker SIGKILLed, and poison
// records in the input — the output is exact (every record once), every poison record is in the
// dead letter queue once, and processing resumes soon after the broker's return.
import { afterAll, describe, expect, it } from 'vitest';
import { runKillScenario } from '../helpers/kill-harness.js';
import { RestartableBroker, restartableBrokerAvailable } from '../helpers/restartable-broker.js';

let broker: RestartableBroker | undefined;
afterAll(async () => {
  await broker?.destroy();
});

describe('chaos on a broker of the test\'s own', () => {
  it.skipIf(!restartableBrokerAvailable())('exactly-once through a broker outage, a SIGKILL and poison records', async () => {
    broker = await RestartableBroker.create();
    const r = await runKillScenario({
      guarantee: 'exactly_once',
      records: 6_000,
      partitions: 3,
      workers: 2,
      kills: 1,
      killEveryMs: [4_000, 6_000],
      broker,
      outages: { count: 1, downMs: [15_000, 15_000] },
      poisonEvery: 500,
      // input keeps coming across the outage (the harness's producer retries while the broker is away)
      produceBatch: 50,
      sessionTimeoutMs: 10_000,
      readTimeoutMs: 240_000,
      log: (l) => process.stderr.write(`[chaos] ${l}\n`),
    });
    expect({ missing: r.missing, duplicates: r.duplicates, problems: r.aggregateProblems }).toEqual({ missing: 0, duplicates: 0, problems: [] });
    expect(r.outages).toBe(1);
    expect(r.deadLetters).toBe(r.poison);
    expect(r.poison).toBe(12);
    // the bound: processing resumes within 20 s of the broker's return
    expect(r.resumeSeconds).toBeLessThanOrEqual(20);
  }, 420_000);
});
