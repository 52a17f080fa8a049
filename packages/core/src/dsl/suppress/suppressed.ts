// Owns Suppressed and BufferConfig (Kafka Streams' Suppressed, Suppressed.BufferConfig): how
// KTable.suppress() holds updates back — until a window closes, or for a time limit — and what its
// buffer may hold (records, bytes) and does when full (emit the oldest early, or stop the app).
import { ConfigError } from '@sluice/common';
import type { Windowed } from '@sluice/serdes';

export type BufferFullStrategy = 'EMIT' | 'SHUT_DOWN';

function checkLimit(what: string, n: unknown): number {
  if (typeof n !== 'number' || Number.isNaN(n) || n < 0 || (Number.isFinite(n) && !Number.isSafeInteger(n))) {
    throw new ConfigError(`suppression buffer ${what} must be a non-negative integer, got ${String(n)}; for example BufferConfig.maxRecords(10_000)`);
  }
  return n;
}

/**
 * The suppression buffer's bounds. `S` is what happens when it is full: 'EMIT' (an eager config:
 * emit the oldest records early) or 'SHUT_DOWN' (a strict config: never emit early; fail instead).
 */
export class BufferConfig<S extends BufferFullStrategy = BufferFullStrategy> {
  private constructor(
    /** Most records the buffer holds (Infinity = no limit). */
    readonly maxRecords: number,
    /** Most bytes (Kafka's estimate of key, values and record context) the buffer holds. */
    readonly maxBytes: number,
    readonly bufferFullStrategy: S,
    /** Changelog topic configs; undefined = the buffer is not change-logged. */
    readonly logConfig: Readonly<{ [key: string]: string }> | undefined,
  ) {}

  /** At most `recordLimit` records; when full, emit the oldest early. */
  static maxRecords(recordLimit: number): EagerBufferConfig {
    return new BufferConfig(checkLimit('record limit', recordLimit), Infinity, 'EMIT', {});
  }

  /** At most `byteLimit` bytes; when full, emit the oldest early. */
  static maxBytes(byteLimit: number): EagerBufferConfig {
    return new BufferConfig(Infinity, checkLimit('byte limit', byteLimit), 'EMIT', {});
  }

  /** No limit: the buffer grows as needed (strict: never emits early). */
  static unbounded(): StrictBufferConfig {
    return new BufferConfig(Infinity, Infinity, 'SHUT_DOWN', {});
  }

  withMaxRecords(recordLimit: number): BufferConfig<S> {
    return new BufferConfig(checkLimit('record limit', recordLimit), this.maxBytes, this.bufferFullStrategy, this.logConfig);
  }

  withMaxBytes(byteLimit: number): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, checkLimit('byte limit', byteLimit), this.bufferFullStrategy, this.logConfig);
  }

  withNoBound(): StrictBufferConfig {
    return new BufferConfig(Infinity, Infinity, 'SHUT_DOWN', this.logConfig);
  }

  /** When full, stop with an error rather than emit a result before its time. */
  shutDownWhenFull(): StrictBufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'SHUT_DOWN', this.logConfig);
  }

  /** When full, emit the oldest records early to make room. */
  emitEarlyWhenFull(): EagerBufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'EMIT', this.logConfig);
  }

  /** The buffer is not restored after a restart: buffered records are then lost. */
  withLoggingDisabled(): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.bufferFullStrategy, undefined);
  }

  withLoggingEnabled(topicConfig: { [key: string]: string } = {}): BufferConfig<S> {
    return new BufferConfig(this.maxRecords, this.maxBytes, this.bufferFullStrategy, { ...topicConfig });
  }

  toString(): string {
    return `BufferConfig{maxRecords=${this.maxRecords}, maxBytes=${this.maxBytes}, bufferFullStrategy=${this.bufferFullStrategy}, logging=${this.logConfig !== undefined}}`;
  }
}

export type StrictBufferConfig = BufferConfig<'SHUT_DOWN'>;
export type EagerBufferConfig = BufferConfig<'EMIT'>;

/** How suppress() decides when a buffered update may go downstream. */
export class Suppressed<K> {
  /** Kafka's spelling: Suppressed.BufferConfig.maxRecords(…). */
  static readonly BufferConfig = BufferConfig;
  /** Ties the type to the table's key (contravariant, as Kafka's Suppressed<? super K>). */
  declare private readonly keyType?: (key: K) => void;

  private constructor(
    /** The suppress node's name (its buffer store is `<name>-store`); generated when undefined. */
    readonly name: string | undefined,
    /** 'final': one result per window when it closes; 'time-limit': the latest update per key after a delay. */
    readonly mode: 'final' | 'time-limit',
    /** For 'time-limit': how long to wait (stream time) for more updates of a key. */
    readonly timeToWaitForMoreEventsMs: number,
    readonly bufferConfig: BufferConfig,
  ) {}

  /**
   * Only the final result of each window, emitted once stream time passes window end + grace (of
   * the windowed aggregation upstream). Needs a strict buffer: results are never emitted early.
   */
  static untilWindowCloses<K extends Windowed<unknown>>(bufferConfig: StrictBufferConfig): Suppressed<K> {
    if (!(bufferConfig instanceof BufferConfig) || bufferConfig.bufferFullStrategy !== 'SHUT_DOWN') {
      throw new ConfigError('untilWindowCloses() needs a strict buffer config (BufferConfig.unbounded(), or .shutDownWhenFull()): final results are never emitted early');
    }
    return new Suppressed<K>(undefined, 'final', 0, bufferConfig);
  }

  /** The latest update of a key, once stream time is `timeToWaitForMoreEventsMs` past its first buffered update. */
  static untilTimeLimit<K>(timeToWaitForMoreEventsMs: number, bufferConfig: BufferConfig): Suppressed<K> {
    if (typeof timeToWaitForMoreEventsMs !== 'number' || Number.isNaN(timeToWaitForMoreEventsMs) || timeToWaitForMoreEventsMs < 0) {
      throw new ConfigError(`untilTimeLimit() needs a non-negative time to wait in milliseconds (Infinity: wait for the buffer limit), got ${String(timeToWaitForMoreEventsMs)}`);
    }
    if (!(bufferConfig instanceof BufferConfig)) {
      throw new ConfigError('untilTimeLimit() needs a BufferConfig, for example BufferConfig.maxRecords(1000).emitEarlyWhenFull() or BufferConfig.unbounded()');
    }
    return new Suppressed<K>(undefined, 'time-limit', timeToWaitForMoreEventsMs, bufferConfig);
  }

  /** Name the suppress node (and its buffer store `<name>-store`). */
  withName(name: string): Suppressed<K> {
    return new Suppressed<K>(name, this.mode, this.timeToWaitForMoreEventsMs, this.bufferConfig);
  }
}
