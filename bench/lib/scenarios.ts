// The seven scenarios: what each runs, which inputs it reads, and which guarantee it runs under.
import type { ScenarioId } from './data.js';

export interface Scenario {
  id: ScenarioId;
  title: string;
  description: string;
  guarantee: 'at_least_once' | 'exactly_once_v2';
  /** has an output topic (all but S5) */
  hasOutput: boolean;
  /**
   * S6/S7: a second input topic (RunSpec.otherInputTopic), created and loaded with the first; its
   * committed offsets count towards "caught up", and its records towards the rate when `counted`.
   */
  otherInput?: { name: string; counted: boolean };
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
  s6: {
    id: 's6',
    title: 'S6 stream-stream join',
    description: 'orders ⋈ payments by key within JoinWindows.ofTimeDifferenceAndGrace (two window stores + changelogs) → output',
    guarantee: 'at_least_once',
    hasOutput: true,
    otherInput: { name: 'payments', counted: true },
  },
  s7: {
    id: 's7',
    title: 'S7 stream-table join',
    description: 'clicks ⋈ customers table (builder.table: store + changelog, loaded first) → output',
    guarantee: 'at_least_once',
    hasOutput: true,
    otherInput: { name: 'customers', counted: false },
  },
};

export const SCENARIO_IDS = Object.keys(SCENARIOS) as ScenarioId[];
