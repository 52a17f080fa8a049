// Owns what "the same output" means between the two drivers: the same describe() text, the same
// records per output topic in the same order (key, value, timestamp, headers), the same produced topic
// names, and an error at the same stage (the messages of two languages never match).
import type { ResultLine, Scenario } from './scenario.js';

export interface Outcome {
  readonly describe?: string;
  readonly error?: { readonly stage: string };
  readonly records: readonly { readonly topic: string; readonly key: unknown; readonly value: unknown; readonly timestamp: number; readonly headers: readonly (readonly [string, string | null])[] }[];
  readonly topics?: readonly string[];
}

export function outcome(s: Scenario, lines: readonly ResultLine[]): Outcome {
  let describe: string | undefined;
  let error: { stage: string } | undefined;
  let topics: readonly string[] | undefined;
  const records: { topic: string; key: unknown; value: unknown; timestamp: number; headers: readonly (readonly [string, string | null])[] }[] = [];
  for (const l of lines) {
    if (l.type === 'describe') describe = l.text;
    else if (l.type === 'error') error = { stage: l.stage };
    else if (l.type === 'topics') topics = l.names;
    else records.push({ topic: l.topic, key: l.key, value: l.value, timestamp: l.timestamp, headers: l.headers });
  }
  return {
    ...(s.compareDescribe === false || describe === undefined ? {} : { describe }),
    ...(error ? { error } : {}),
    records,
    ...(s.compareTopics === false || topics === undefined ? {} : { topics }),
  };
}

/** The error message a side printed, to show next to a failed comparison. */
export function errorMessage(lines: readonly ResultLine[]): string | undefined {
  const e = lines.find((l) => l.type === 'error');
  return e && e.type === 'error' ? `${e.exception}: ${e.message}` : undefined;
}
