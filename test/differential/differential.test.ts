// Differential tests: every scenario in scenarios/*.json runs through Kafka Streams 4.4's own
// TopologyTestDriver (java/, built once with Maven and cached) and through Sluice's, once per
// variant (record cache off and on by default), and both must give the same output record by
// record. Skipped, with the reason, where Java or Maven is missing. See README.md.
import { beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, outcome } from './compare.js';
import { javaUnavailable, runJava } from './java-driver.js';
import { loadScenarios, runKey, scenarioFiles, variantsOf, type ResultLine } from './scenario.js';
import { runSluice } from './sluice-driver.js';

const files = scenarioFiles();
const unavailable = javaUnavailable();
if (unavailable) console.warn(`differential tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('Sluice and Kafka Streams 4.4 give the same output', () => {
  let java: Map<string, ResultLine[]>;
  beforeAll(async () => {
    java = await runJava(files);
  }, 600_000);

  for (const file of files) {
    for (const scenario of loadScenarios(file)) {
      for (const variant of variantsOf(scenario)) {
        it(`${scenario.name} [${variant.name}]`, async () => {
          const expected = java.get(runKey(scenario.name, variant.name));
          expect(expected, 'the Kafka Streams side printed nothing for this run').toBeDefined();
          const actual = await runSluice(scenario, variant);
          const context = `Kafka Streams: ${errorMessage(expected!) ?? 'no error'}; Sluice: ${errorMessage(actual) ?? 'no error'}`;
          expect(outcome(scenario, actual), context).toEqual(outcome(scenario, expected!));
        });
      }
    }
  }
});
