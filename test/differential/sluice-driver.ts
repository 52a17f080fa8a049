// Owns running one scenario variant through Sluice's TopologyTestDriver and printing what came out
// as the same result lines java/.../Main.java prints for Kafka Streams' driver.
import { Headers, Serdes, TestRecord, TopologyTestDriver, type Serde, type Topology } from 'sluice';
import * as fn from './functions.js';
import { ScenarioTopology } from './scenario-topology.js';
import { inputRecord, topicSerdeName, type ConfigValue, type ResultLine, type Scenario, type Variant } from './scenario.js';

/** Kafka Streams settings with a Sluice name of their own; every other key reaches processors as an app config. */
function driverConfig(config: { [key: string]: ConfigValue }): { [key: string]: unknown } {
  const out: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === 'statestore.cache.max.bytes') out['cacheMaxBytes'] = Number(value);
    else out[key] = value;
  }
  return out;
}

function errorLine(s: Scenario, v: Variant, stage: 'build' | 'process', err: unknown): ResultLine {
  const e = err instanceof Error ? err : new Error(String(err));
  return { scenario: s.name, variant: v.name, type: 'error', stage, message: e.message, exception: e.constructor.name };
}

export async function runSluice(s: Scenario, v: Variant): Promise<ResultLine[]> {
  const lines: ResultLine[] = [];
  let topology: Topology;
  let driver: TopologyTestDriver;
  // building the topology and creating the driver (which validates it) are the "build" stage
  try {
    topology = new ScenarioTopology(s.topology).build();
    driver = new TopologyTestDriver(topology, {
      ...driverConfig({ ...s.config, ...v.config }),
      applicationId: 'differential',
      initialWallClockTimeMs: 0,
      defaultKeySerde: Serdes.String() as Serde<unknown>,
      defaultValueSerde: Serdes.String() as Serde<unknown>,
    });
    await driver.whenReady();
  } catch (err) {
    return [errorLine(s, v, 'build', err)];
  }
  lines.push({ scenario: s.name, variant: v.name, type: 'describe', text: topology.describe().toString() });
  try {
    try {
      for (const step of s.input) {
        const r = inputRecord(step);
        if (r === undefined) {
          await driver.advanceWallClockTime((step as { advanceWallClockMs: number }).advanceWallClockMs);
          continue;
        }
        const input = driver.createInputTopic(r.topic, fn.serde(topicSerdeName(s, r.topic, 'key')), fn.serde(topicSerdeName(s, r.topic, 'value')));
        const headers = new Headers();
        for (const [k, v] of Object.entries(r.headers ?? {})) headers.add(k, v === null ? null : Buffer.from(v, 'utf8'));
        await input.pipeRecord(new TestRecord(r.key ?? null, r.value ?? null, r.timestamp, headers));
      }
    } catch (err) {
      lines.push(errorLine(s, v, 'process', err));
    }
    for (const topic of s.output) {
      const out = driver.createOutputTopic(topic, fn.serde(topicSerdeName(s, topic, 'key')), fn.serde(topicSerdeName(s, topic, 'value')));
      for (const r of out.readRecordsToList()) {
        const headers = [...r.headers].map((h): [string, string | null] => [h.key, h.value === null ? null : h.value.toString('utf8')]);
        lines.push({ scenario: s.name, variant: v.name, type: 'record', topic, key: r.key, value: r.value, timestamp: r.timestamp, headers });
      }
    }
    lines.push({ scenario: s.name, variant: v.name, type: 'topics', names: [...driver.producedTopicNames()].sort() });
  } finally {
    await driver.close();
  }
  return lines;
}
