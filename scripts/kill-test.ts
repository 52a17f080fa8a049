// The long exactly-once / at-least-once crash test (issue 6), outside `npm test`:
//   npm run test:kill -- [--guarantee exactly_once|at_least_once] [--records 200000] [--kills 30]
// Starts the local stack unless KAFKA_BROKERS is set, prints the verdict, exits 1 on any violation.
import { execFileSync } from 'node:child_process';
import { runKillScenario } from '../test/helpers/kill-harness.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
if (!process.env['KAFKA_BROKERS']) execFileSync('bash', ['scripts/local-stack.sh', 'start'], { stdio: 'inherit' });
const guarantee = arg('guarantee', 'exactly_once') as 'exactly_once' | 'at_least_once';
const result = await runKillScenario({
  guarantee,
  records: Number(arg('records', '200000')),
  partitions: 3,
  workers: 3,
  kills: Number(arg('kills', '30')),
  killEveryMs: [Number(arg('min-gap', '2000')), Number(arg('max-gap', '6000'))],
  log: (l) => console.log(l),
  keepWorkerOutput: process.env['SHOW_WORKERS'] === '1',
});
console.log(JSON.stringify(result, null, 2));
const ok = result.missing === 0 && result.aggregateProblems.length === 0 && (guarantee === 'at_least_once' || result.duplicates === 0);
console.log(ok ? 'PASS' : 'FAIL');
process.exit(ok ? 0 : 1);
