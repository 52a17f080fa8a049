// The long exactly-once / at-least-once crash tests (issues 6 and 13), outside `npm test`:
//   npm run test:kill -- [--guarantee exactly_once|at_least_once] [--records 200000] [--kills 30]
//   npm run test:kill -- --storm [--runs 20] [--records 20000] [--kills 6] [--session-timeout 45000]
//   add --threads 2 to run each worker with two stream threads (numStreamThreads)
// Storm mode kills workers from their first seconds on (start-up, restore, commits), several at
// once, and restarts each 300 ms later, like the storm of issue 13. Starts the local stack unless
// KAFKA_BROKERS is set, prints a verdict per run, exits 1 if any run had a violation.
import { execFileSync } from 'node:child_process';
import { runKillScenario, type KillScenario } from '../test/helpers/kill-harness.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
if (!process.env['KAFKA_BROKERS']) execFileSync('bash', ['scripts/local-stack.sh', 'start'], { stdio: 'inherit' });
const storm = args.includes('--storm');
const guarantee = arg('guarantee', 'exactly_once') as 'exactly_once' | 'at_least_once';
const runs = Number(arg('runs', '1'));
const scenario: KillScenario = storm
  ? {
      guarantee,
      records: Number(arg('records', '20000')),
      partitions: 3,
      workers: 3,
      kills: Number(arg('kills', '6')),
      killEveryMs: [Number(arg('min-gap', '100')), Number(arg('max-gap', '1500'))],
      storm: { maxAtOnce: Number(arg('at-once', '2')), restartAfterMs: Number(arg('restart-after', '300')) },
      sessionTimeoutMs: Number(arg('session-timeout', '6000')),
      rebalanceTimeoutMs: Number(arg('rebalance-timeout', '15000')),
      produceBatch: 500,
    }
  : {
      guarantee,
      records: Number(arg('records', '200000')),
      partitions: 3,
      workers: 3,
      kills: Number(arg('kills', '30')),
      killEveryMs: [Number(arg('min-gap', '2000')), Number(arg('max-gap', '6000'))],
      sessionTimeoutMs: Number(arg('session-timeout', '6000')),
    };
scenario.streamThreads = Number(arg('threads', '1'));
let failed = 0;
let totalKills = 0;
for (let run = 1; run <= runs; run++) {
  const result = await runKillScenario({ ...scenario, log: (l) => console.log(`[run ${run}/${runs}] ${l}`), keepWorkerOutput: process.env['SHOW_WORKERS'] === '1' });
  const ok = result.missing === 0 && result.aggregateProblems.length === 0 && (guarantee === 'at_least_once' || result.duplicates === 0);
  totalKills += result.kills;
  if (!ok) failed++;
  console.log(JSON.stringify(result, null, 2));
  console.log(`[run ${run}/${runs}] ${ok ? 'PASS' : 'FAIL'}`);
}
console.log(`${runs - failed}/${runs} runs exact, ${totalKills} kills in all: ${failed === 0 ? 'PASS' : 'FAIL'}`);
process.exit(failed === 0 ? 0 : 1);
