// Shared by the windowing and suppression driver tests: drivers closed after each test, a capturing
// processor (Kafka's MockApiProcessorSupplier), window constructors and a debug-log collector for
// the dropped-records checks.
import { afterEach } from 'vitest';
import { SessionWindow, TimeWindow, TopologyTestDriver, Windowed, type KStream, type Logger, type StreamsBuilder } from 'sluice';

export interface Captured<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
}

/** A `drive(builder, config)` whose drivers are closed after each test. */
export function useDrivers(appId = 'windows'): (b: StreamsBuilder, config?: ConstructorParameters<typeof TopologyTestDriver>[1]) => TopologyTestDriver {
  const drivers: TopologyTestDriver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((d) => d.close()));
  });
  return (b, config = {}) => {
    const d = new TopologyTestDriver(b.build(), { applicationId: appId, ...config });
    drivers.push(d);
    return d;
  };
}

/** Records reaching the end of `stream`, in order (key, value, timestamp). */
export function capture<K, V>(stream: KStream<K, V>): Captured<K, V>[] {
  const out: Captured<K, V>[] = [];
  stream.process(() => ({
    process(r) {
      out.push({ key: r.key, value: r.value, timestamp: r.timestamp });
    },
  }));
  return out;
}

export function tw<K>(key: K, start: number, end: number): Windowed<K> {
  return new Windowed(key, new TimeWindow(start, end));
}

export function sw<K>(key: K, start: number, end: number): Windowed<K> {
  return new Windowed(key, new SessionWindow(start, end));
}

export function kvt<K, V>(key: K, value: V, timestamp: number): Captured<K, V> {
  return { key, value, timestamp };
}

/** A logger that keeps debug messages (dropped late records are logged at debug). */
export function debugLog(): { logger: Logger; debug: string[]; warn: string[] } {
  const debug: string[] = [];
  const warn: string[] = [];
  const logger: Logger = {
    debug: (m: string) => debug.push(m),
    info() {},
    warn: (m: string) => warn.push(m),
    error() {},
    child: () => logger,
  };
  return { logger, debug, warn };
}

/** The values per window start, as sets (Kafka's gatherOutput in KStreamSlidingWindowAggregateTest). */
export function gatherByStart<K, V>(records: readonly Captured<Windowed<K>, V>[]): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const r of records) {
    let set = out.get(r.key.window.start);
    if (!set) out.set(r.key.window.start, (set = new Set()));
    set.add(`${String(r.value)}@${r.timestamp}`);
  }
  return out;
}
