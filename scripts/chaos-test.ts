// The chaos test of issue 14, outside `npm test`: three exactly-once workers on a broker of the
// test's own while the broker is stopped or crashed for 15–120 s and restarted, workers are
// SIGKILLed and poison records arrive — verified exactly (every record once in the output or once in
// the dead letter queue). A short version runs in `npm test`.
//   npm run test:chaos -- [--runs 3] [--records 20000] [--kills 4] [--outages 2] [--min-down 15000] [--max-down 120000]
//                         [--guarantee exactly_once|at_least_once] [--workers 3] [--poison-every 997]
//                         [--produce-batch 200] [--min-gap 3000] [--max-gap 10000] [--session-timeout 10000]
// Needs the local stack's Kafka jars (started once: scripts/local-stack.sh start).
import { execFileSync } from 'node:child_process';
import { runKillScenario } from '../test/helpers/kill-harness.js';
import { RestartableBroker, restartableBrokerAvailable } from '../test/helpers/restartable-broker.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
if (!restartableBrokerAvailable()) execFileSync('bash', ['scripts/local-stack.sh', 'fetch'], { stdio: 'inherit' });
const guarantee = arg('guarantee', 'exactly_once') as 'exactly_once' | 'at_least_once';
const runs = Number(arg('runs', '1'));
let failed = 0;
for (let run = 1; run <= runs; run++) {
  const broker = await RestartableBroker.create();
  try {
    const r = await runKillScenario({
      guarantee,
      records: Number(arg('records', '20000')),
      partitions: 3,
      workers: Number(arg('workers', '3')),
      kills: Number(arg('kills', '4')),
      killEveryMs: [Number(arg('min-gap', '3000')), Number(arg('max-gap', '10000'))],
      broker,
      outages: { count: Number(arg('outages', '2')), downMs: [Number(arg('min-down', '15000')), Number(arg('max-down', '120000'))] },
      poisonEvery: Number(arg('poison-every', '997')),
      lastKillFinal: args.includes('--last-kill-final'),
      produceBatch: Number(arg('produce-batch', '200')),
      sessionTimeoutMs: Number(arg('session-timeout', '10000')),
      readTimeoutMs: 300_000,
      log: (l) => console.log(`[run ${run}/${runs}] ${l}`),
    });
    const ok = r.missing === 0 && r.aggregateProblems.length === 0 && (guarantee === 'at_least_once' || (r.duplicates === 0 && r.deadLetters === r.poison));
    if (!ok) failed++;
    console.log(JSON.stringify(r, null, 2));
    console.log(`[run ${run}/${runs}] ${ok ? 'PASS' : 'FAIL'}`);
  } finally {
    await broker.destroy();
  }
}
console.log(`${runs - failed}/${runs} chaos runs exact: ${failed === 0 ? 'PASS' : 'FAIL'}`);
process.exit(failed === 0 ? 0 : 1);
