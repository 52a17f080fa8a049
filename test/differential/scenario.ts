// Owns the scenario format of the differential tests (README.md in this folder): a topology as
// data, scripted input, the topics to read; the result lines both drivers print; loading scenario
// files; and the variants a scenario runs in (record cache off and on unless it names its own).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type SerdeName = 'string' | 'long' | 'integer';
export type ConfigValue = string | number | boolean;

export interface Variant {
  readonly name: string;
  /** Kafka Streams property names (statestore.cache.max.bytes, …). */
  readonly config: { readonly [key: string]: ConfigValue };
}

/** One topology step: an operation, the handles it reads and the handle it creates ("as"). */
export interface Step {
  readonly op: string;
  readonly as?: string;
  readonly [field: string]: unknown;
}

/** A record ({ topic, key, value, timestamp } or the row [topic, key, value, timestamp]) or a wall-clock step. */
export type InputStep =
  | { readonly topic: string; readonly key: unknown; readonly value: unknown; readonly timestamp: number; readonly headers?: { readonly [key: string]: string | null } }
  | readonly [topic: string, key: unknown, value: unknown, timestamp: number]
  | { readonly advanceWallClockMs: number };

/** The record an input step pipes, or undefined for a wall-clock step. */
export function inputRecord(step: InputStep): { topic: string; key: unknown; value: unknown; timestamp: number; headers?: { readonly [key: string]: string | null } } | undefined {
  if (Array.isArray(step)) {
    const [topic, key, value, timestamp] = step as readonly [string, unknown, unknown, number];
    return { topic, key, value, timestamp };
  }
  return 'advanceWallClockMs' in step ? undefined : (step as { topic: string; key: unknown; value: unknown; timestamp: number });
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly config?: { readonly [key: string]: ConfigValue };
  readonly variants?: readonly Variant[];
  /** Serdes of input and output topics by topic name (default string/string). */
  readonly topics?: { readonly [topic: string]: { readonly key?: SerdeName; readonly value?: SerdeName } };
  readonly topology: readonly Step[];
  readonly input: readonly InputStep[];
  readonly output: readonly string[];
  /** Compare describe() text (default true). */
  readonly compareDescribe?: boolean;
  /** Compare the names of every topic the driver produced to, changelogs included (default true). */
  readonly compareTopics?: boolean;
}

/** What a driver prints for one run of one scenario variant, in order. */
export type ResultLine =
  | { readonly scenario: string; readonly variant: string; readonly type: 'describe'; readonly text: string }
  | {
      readonly scenario: string;
      readonly variant: string;
      readonly type: 'record';
      readonly topic: string;
      readonly key: unknown;
      readonly value: unknown;
      readonly timestamp: number;
      /** [key, value as UTF-8 text or null] in order. */
      readonly headers: readonly (readonly [string, string | null])[];
    }
  | { readonly scenario: string; readonly variant: string; readonly type: 'topics'; readonly names: readonly string[] }
  | { readonly scenario: string; readonly variant: string; readonly type: 'error'; readonly stage: 'build' | 'process'; readonly message: string; readonly exception: string };

export const SCENARIO_DIR = fileURLToPath(new URL('./scenarios/', import.meta.url));

export const DEFAULT_VARIANTS: readonly Variant[] = [
  { name: 'cache-off', config: { 'statestore.cache.max.bytes': 0 } },
  { name: 'cache-on', config: { 'statestore.cache.max.bytes': 10 * 1024 * 1024 } },
];

export function variantsOf(s: Scenario): readonly Variant[] {
  return s.variants ?? DEFAULT_VARIANTS;
}

/** Every scenario file, sorted by name. */
export function scenarioFiles(dir: string = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function loadScenarios(file: string): Scenario[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: a scenario file holds a JSON array of scenarios`);
  const names = new Set<string>();
  for (const s of parsed as Scenario[]) {
    if (typeof s.name !== 'string' || !Array.isArray(s.topology) || !Array.isArray(s.input) || !Array.isArray(s.output)) {
      throw new Error(`${file}: scenario ${JSON.stringify(s.name)} needs a name, topology, input and output`);
    }
    if (names.has(s.name)) throw new Error(`${file}: two scenarios are named ${JSON.stringify(s.name)}`);
    names.add(s.name);
  }
  return parsed as Scenario[];
}

export function runKey(scenario: string, variant: string): string {
  return `${scenario}\u0000${variant}`;
}

/** The serde named for a topic's key or value (default string). */
export function topicSerdeName(s: Scenario, topic: string, which: 'key' | 'value'): SerdeName {
  return s.topics?.[topic]?.[which] ?? 'string';
}
