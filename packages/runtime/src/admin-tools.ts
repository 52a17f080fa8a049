// Owns the operator's view of a Kafka cluster that the `sluice` CLI (and any ops script) needs: topics,
// a consumer group's members and committed offsets, offsets by position or time with an isolation
// level, altering a stopped group's offsets, deleting topics, reading a partition's records and
// producing records. Names follow Kafka's Admin API (listConsumerGroupOffsets, describeConsumerGroup,
// alterConsumerGroupOffsets, removeMembersFromConsumerGroup, listOffsets, deleteTopics).
import type { ConnectionOptions } from 'node:tls';
import { ConfigError, noopLogger, type Logger, type LogLevel } from '@sluice/common';
import type { SaslConfig } from './security-config.js';
import { createKafkaAdminTools } from './kafka/admin-tools.js';
import type { ProduceAck, TopicPartition, TopicPartitionOffset } from './ports.js';

export type { ProduceAck, TopicPartition, TopicPartitionOffset };

export interface AdminToolsOptions {
  /** `host:port` list, or one comma-separated string (as in StreamsConfig). */
  bootstrapServers: string | readonly string[];
  /** Default `sluice-admin`. */
  clientId?: string;
  ssl?: boolean | ConnectionOptions;
  sasl?: SaslConfig;
  /** Default 3 000 ms. */
  connectionTimeoutMs?: number;
  /** Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Where kafkajs' own log lines go (default: nowhere). */
  logger?: Logger;
  /** Default `'error'`. */
  kafkaLogLevel?: LogLevel;
}

/** `read_committed` hides aborted and open transactions (end offset = last stable offset). */
export type IsolationLevel = 'read_committed' | 'read_uncommitted';

/** Which offset listOffsets looks up: the first, the next to be written, or the first at/after a time. */
export type OffsetSpec = 'earliest' | 'latest' | { readonly timestamp: number };

export interface RecordHeader {
  readonly key: string;
  /** null when the producer wrote a null header value. */
  readonly value: Buffer | null;
}

/** One record as it is stored in a partition (raw bytes). */
export interface ConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly RecordHeader[];
}

export interface ReadResult {
  readonly records: ConsumerRecord[];
  /** Where the next read continues: after the last record, transaction markers and aborted records included. */
  readonly nextOffset: number;
}

/** A record to produce; without a partition the default (murmur2 key) partitioner picks one. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp?: number;
  readonly headers?: readonly RecordHeader[];
}

export interface GroupMember {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  /** Partitions the group leader assigned to this member. */
  readonly assignment: TopicPartition[];
  /** A Sluice worker's process id and interactive-query endpoint (from its subscription). */
  readonly processId?: string;
  readonly endpoint?: string;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Kafka's group state: Empty, Stable, PreparingRebalance, CompletingRebalance or Dead (unknown group). */
  readonly state: string;
  readonly protocolType: string;
  /** The assignor in use (`sluice-streams` for Sluice apps). */
  readonly protocol: string;
  readonly members: GroupMember[];
}

export interface AdminTools {
  listTopics(): Promise<string[]>;
  /** Partition numbers of a topic, sorted; fails naming the topic when it does not exist. */
  partitionsFor(topic: string): Promise<number[]>;
  describeConsumerGroup(groupId: string): Promise<GroupDescription>;
  /** Removes members from a group (LeaveGroup on their behalf), as kafka-streams-application-reset --force does. */
  removeMembersFromConsumerGroup(groupId: string, memberIds: readonly string[]): Promise<void>;
  /** Committed offsets of a group: for `topics`, or for every topic it committed to. Partitions without a commit are left out. */
  listConsumerGroupOffsets(groupId: string, topics?: readonly string[]): Promise<TopicPartitionOffset[]>;
  /** Sets a group's committed offsets. The group must have no members (stop the application first). */
  alterConsumerGroupOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /**
   * Offsets per partition: earliest, latest (the end offset: last stable offset under read_committed,
   * high watermark under read_uncommitted) or the first at or after a timestamp (-1 when there is none).
   */
  listOffsets(partitions: readonly TopicPartition[], spec: OffsetSpec, isolationLevel?: IsolationLevel): Promise<TopicPartitionOffset[]>;
  /** Deletes topics and waits for the brokers to confirm. */
  deleteTopics(names: readonly string[]): Promise<void>;
  /** One fetch from `offset` (read_committed by default: aborted records and markers are skipped). */
  readPartition(tp: TopicPartition, offset: number, options?: { maxBytes?: number; isolationLevel?: IsolationLevel }): Promise<ReadResult>;
  /** Produces with an idempotent producer (acks=all) and waits for the acknowledgements. */
  produce(records: readonly OutgoingRecord[]): Promise<ProduceAck[]>;
  close(): Promise<void>;
}

export interface ResolvedAdminToolsOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly sasl: SaslConfig | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly kafkaLogLevel: LogLevel;
}

/**
 * Admin operations on a Kafka cluster, for operators and tools (the `sluice` CLI uses them). Connects
 * lazily; call close() when done.
 *
 * ```ts
 * const tools = createAdminTools({ bootstrapServers: 'localhost:9092' });
 * const group = await tools.describeConsumerGroup('word-count');
 * await tools.close();
 * ```
 */
export function createAdminTools(options: AdminToolsOptions): AdminTools {
  if (options === null || typeof options !== 'object') throw new ConfigError('createAdminTools needs options: { bootstrapServers, ... }');
  const raw = options.bootstrapServers;
  const list = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? [...(raw as readonly unknown[])] : [];
  const brokers = list.map((b) => (typeof b === 'string' ? b.trim() : '')).filter((b) => b.length > 0);
  if (brokers.length === 0 || list.some((b) => typeof b !== 'string')) {
    throw new ConfigError(`bootstrapServers must name at least one broker as host:port (e.g. 'localhost:9092'), got ${JSON.stringify(raw)}`);
  }
  const bad = brokers.find((b) => !/^[^\s:]+:\d+$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(b));
  if (bad !== undefined) throw new ConfigError(`bootstrap server '${bad}' is not host:port (e.g. 'localhost:9092')`);
  for (const [name, value] of [
    ['connectionTimeoutMs', options.connectionTimeoutMs],
    ['requestTimeoutMs', options.requestTimeoutMs],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value <= 0)) throw new ConfigError(`${name} must be a positive whole number of milliseconds, got ${String(value)}`);
  }
  return createKafkaAdminTools({
    brokers,
    clientId: options.clientId ?? 'sluice-admin',
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 3_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    logger: options.logger ?? noopLogger,
    kafkaLogLevel: options.kafkaLogLevel ?? 'error',
  });
}
