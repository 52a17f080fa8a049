// Owns the value types of interactive-query metadata, as Kafka Streams names them: HostInfo (a
// worker's applicationServer endpoint), StreamsMetadata (what one worker hosts), KeyQueryMetadata
// (where one key lives), LagInfo (how far a local store copy is behind its changelog), and the
// thread and task metadata of this worker.
import { ConfigError } from '@sluice/common';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A worker's endpoint for interactive queries: its `applicationServer` setting. */
export class HostInfo {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Parses 'host:port' ('[::1]:8080' for IPv6). Undefined or '' gives undefined; anything else that
   * is not an endpoint throws a ConfigError naming the fix.
   */
  static buildFromEndpoint(endpoint: string | undefined): HostInfo | undefined {
    if (endpoint === undefined || endpoint === '') return undefined;
    const bad = (why: string) =>
      new ConfigError(`applicationServer must be 'host:port' (e.g. 'worker-1.internal:7070' or '[::1]:7070'), got ${JSON.stringify(endpoint)}: ${why}`);
    if (typeof endpoint !== 'string') throw bad('not a string');
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s/[\]]+)):(\d{1,5})$/.exec(endpoint);
    if (!m) throw bad(endpoint.includes(':') ? 'the host or port is malformed' : 'the port is missing');
    const port = Number(m[3]);
    if (port < 1 || port > 65535) throw bad('the port must be between 1 and 65535');
    return new HostInfo(m[1] ?? m[2]!, port);
  }

  /** Kafka's HostInfo.unavailable(): the host of keys whose owner is not known. */
  static unavailable(): HostInfo {
    return UNAVAILABLE;
  }

  equals(other: HostInfo | undefined): boolean {
    return other !== undefined && other.host === this.host && other.port === this.port;
  }

  /** 'host:port', the form applicationServer takes (IPv6 hosts in brackets). */
  toString(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

const UNAVAILABLE = new HostInfo('unavailable', -1);

/** One worker of the application: the stores and input partitions it hosts, active and standby. */
export class StreamsMetadata {
  constructor(
    readonly hostInfo: HostInfo,
    readonly stateStoreNames: ReadonlySet<string>,
    readonly topicPartitions: readonly TopicPartition[],
    readonly standbyStateStoreNames: ReadonlySet<string>,
    readonly standbyTopicPartitions: readonly TopicPartition[],
  ) {}

  get host(): string {
    return this.hostInfo.host;
  }

  get port(): number {
    return this.hostInfo.port;
  }
}

/** Where a key of a store lives: the worker with the active task, those with standbys, and the partition. */
export class KeyQueryMetadata {
  /** Returned while the application is (re)initializing, before any assignment is known. */
  static readonly NOT_AVAILABLE = new KeyQueryMetadata(HostInfo.unavailable(), [], -1);

  constructor(
    readonly activeHost: HostInfo,
    readonly standbyHosts: readonly HostInfo[],
    readonly partition: number,
  ) {}
}

/** How far a local copy of a store partition is behind the end of its changelog (in records). */
export class LagInfo {
  constructor(
    readonly currentOffsetPosition: number,
    readonly endOffsetPosition: number,
  ) {}

  get offsetLag(): number {
    return Math.max(0, this.endOffsetPosition - this.currentOffsetPosition);
  }
}

/** A task of this worker (Kafka's TaskMetadata, without offsets and idling time). */
export interface TaskMetadata {
  readonly taskId: string;
  readonly topicPartitions: readonly TopicPartition[];
}

/** Kafka's StreamThread states, as this worker's one processing loop reports them. */
export type ThreadState = 'CREATED' | 'STARTING' | 'PARTITIONS_ASSIGNED' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'DEAD';

/** The processing loop of this worker and its tasks (Kafka's ThreadMetadata). */
export interface ThreadMetadata {
  readonly threadName: string;
  readonly threadState: ThreadState;
  readonly consumerClientId: string;
  readonly activeTasks: readonly TaskMetadata[];
  readonly standbyTasks: readonly TaskMetadata[];
}
