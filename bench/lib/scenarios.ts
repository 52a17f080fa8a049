// The five scenarios: what each runs, how big its input is, and which guarantee it runs under.
import type { ScenarioId } from './data.js';

export interface Scenario {
  id: ScenarioId;
  title: string;
  description: string;
  guarantee: 'at_least_once' | 'exactly_once_v2';
  /** has an output topic (all but S5) */
  hasOutput: boolean;
}

export const SCENARIOS: Record<ScenarioId, Scenario> = {
  s1: {
    id: 's1',
    title: 'S1 stateless',
    description: 'filter (80 % pass) + mapValues (upper-case) → output topic',
    guarantee: 'at_least_once',
    hasOutput: true,
  },
  s2: {
    id: 's2',
    title: 'S2 word count',
    description: 'flatMapValues (split a line) → groupBy word (repartition) → count (store + changelog) → output',
    guarantee: 'at_least_once',
    hasOutput: true,
  },
  s3: {
    id: 's3',
    title: 'S3 windowed',
    description: 'groupByKey → tumbling 60 s windows with grace → count (window store + changelog) → output',
    guarantee: 'at_least_once',
    hasOutput: true,
  },
  s4: {
    id: 's4',
    title: 'S4 word count, exactly-once',
    description: 'S2 with processing.guarantee=exactly_once_v2',
    guarantee: 'exactly_once_v2',
    hasOutput: true,
  },
  s5: {
    id: 's5',
    title: 'S5 restore',
    description: 'toTable into a store of N keys; delete local state; time the restore from the changelog',
    guarantee: 'at_least_once',
    hasOutput: false,
  },
};

export const SCENARIO_IDS = Object.keys(SCENARIOS) as ScenarioId[];
