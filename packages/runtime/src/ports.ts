// Owns the Kafka client port: the small set of operations the runtime needs from a Kafka client.
// src/kafka/ implements it on kafkajs; nothing else in the runtime knows which client is used.
import type { RawRecord, SourceRecordContext } from '@sluice/core';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  readonly offset: number;
}

export interface ProduceRecord {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: { [key: string]: Buffer | Buffer[] };
  /** The source record this one came from (production errors and dead letters name it). */
  readonly source?: SourceRecordContext | undefined;
}

/** Where each partition's records of one send landed: the offset of the first one. */
export interface ProduceAck {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: number;
  /** Records written from baseOffset on. */
  readonly count?: number;
}

export interface Producer {
  /** Send records (may be to many topics and partitions); resolves when all are acknowledged. */
  send(records: readonly ProduceRecord[]): Promise<ProduceAck[]>;
  /** Partition count of a topic, from the client's metadata. */
  partitionCount(topic: string): Promise<number>;
  close(): Promise<void>;
}

/** The consumer group's view that fences a zombie's transactional offsets (KIP-447). */
export interface GroupMetadata {
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

/**
 * A producer with one transactional id (one per task under exactly-once). Created initialized:
 * InitProducerId has fenced older producers with the same id and completed a transaction they left.
 */
export interface TransactionalProducer extends Producer {
  beginTransaction(): Promise<void>;
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], group: GroupMetadata): Promise<void>;
  commitTransaction(): Promise<void>;
  abortTransaction(): Promise<void>;
  inTransaction(): boolean;
}

export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: RawRecord[];
  /** Offset after the last record, control records included. */
  readonly nextOffset: number;
  readonly highWatermark: number;
}

/** The group-membership half of the runtime's consumer: what happens around rebalances. */
export interface GroupHandlers {
  /**
   * Before (re)joining the group: commit what was processed while the current generation is still
   * valid — unless `lost()` says the coordinator no longer knows this member's generation (its tasks
   * may be someone else's already: close them without committing, Kafka's onPartitionsLost).
   * Also called before the first join (with nothing assigned).
   */
  onRevoking(membership: { lost(): boolean }): Promise<void>;
  /** After each join + sync with the new assignment; restore new tasks here. */
  onAssigned(assignment: readonly TopicPartition[], control: GroupControl): Promise<void>;
  onBatch(batch: FetchedBatch, control: BatchControl): Promise<void>;
  /** A poll returned `records` records after waiting `ms` (the thread's poll metrics). */
  onPolled?(records: number, ms: number): void;
  /** A fetch response for a partition: the consumer's position after it and the partition's end (records-lag). */
  onFetched?(topic: string, partition: number, position: number, end: number): void;
  /** The consumer stopped for an unrecoverable reason. */
  onCrash(error: Error): void;
}

export interface BatchControl {
  /** Heartbeat if due. Resolves false when the group is rebalancing (the caller should wrap up). */
  heartbeat(): Promise<boolean>;
  /**
   * The batch's records are in their task now: its partition's lag counts from after it. Called in
   * the same step as the records are added, so a task never sees an input caught up whose records
   * it has not got yet.
   */
  delivered(batch: FetchedBatch): void;
}

export interface GroupControl {
  /** Heartbeat if due. Resolves false when the group is rebalancing (the caller should wrap up). */
  heartbeat(): Promise<boolean>;
  /** Read partitions outside the group (restoration), with this consumer's isolation level. */
  reader: PartitionReader;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  generationId(): number;
}

export interface PartitionReader {
  /** Next offset after the last (committed, under read_committed) record of each partition. */
  endOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  /** First offset still in the log of each partition. */
  beginningOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number>>;
  /** One fetch from `offset`; an empty batch with nextOffset = offset when nothing is there yet. */
  fetch(topic: string, partition: number, offset: number, maxBytes: number): Promise<FetchedBatch>;
}

export interface GroupConsumer {
  subscribe(topics: readonly (string | RegExp)[]): Promise<void>;
  run(handlers: GroupHandlers): Promise<void>;
  /** Commit consumer offsets with the current generation. */
  commitOffsets(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** This member's generation, for transactional offset commits (KIP-447). */
  groupMetadata(): GroupMetadata;
  /**
   * Records of this assigned partition on the broker beyond what was handed to the caller (Kafka's
   * consumer lag); undefined while it is not known yet (no fetch of the partition answered).
   */
  lag(tp: TopicPartition): number | undefined;
  /**
   * The group's committed offsets for these partitions (-1: none). Under read_committed it waits
   * while a transaction with offsets for them is still completing (require_stable).
   */
  committed(partitions: readonly TopicPartition[]): Promise<TopicPartitionOffset[]>;
  /** Stop / restart fetching these partitions (the assignment is kept). */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Fetch from `offset` next. */
  seek(tp: TopicPartition, offset: number): void;
  /** Rejoin the group before the next fetch (e.g. a task was found to have moved). */
  enforceRebalance(reason: string): void;
  /** A reader outside the group (restoration), once the consumer has joined. */
  reader(): PartitionReader | undefined;
  /** Leave the group and disconnect. */
  close(): Promise<void>;
}

export interface TopicDescription {
  readonly name: string;
  readonly partitions: number;
  readonly config: { [key: string]: string };
}

export interface NewTopic {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: { [key: string]: string };
}

export interface Admin {
  listTopics(): Promise<string[]>;
  /** Partition counts and the configs asked for; topics that do not exist are left out. */
  describeTopics(names: readonly string[], configNames: readonly string[]): Promise<TopicDescription[]>;
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /**
   * Of topics that listTopics() did not show, those that do not exist. A topic this principal may
   * not describe is hidden from listings too: for those it throws an AuthorizationError naming the
   * ACL to add (`operation`: what the application needs on them, READ for inputs, WRITE for outputs).
   */
  missingTopics(names: readonly string[], operation: 'READ' | 'WRITE', action: string): Promise<string[]>;
  deleteTopics(names: readonly string[]): Promise<void>;
  /** Earliest and latest offsets of every partition of a topic. */
  topicOffsets(topic: string): Promise<{ partition: number; low: number; high: number }[]>;
  /** Brokers and the settings transactions depend on. */
  clusterInfo(): Promise<{ brokers: number; transactionStateLogReplicationFactor: number | undefined; transactionStateLogMinIsr: number | undefined }>;
  /** Delete the records of partitions below the given offsets (Kafka's deleteRecords). */
  deleteRecords(topic: string, partitions: readonly { partition: number; offset: number }[]): Promise<void>;
  /** Committed offsets of a group for topics. */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]>;
  close(): Promise<void>;
}

/** A member of the group as the leader's assignor sees it: its id and subscription user data. */
export interface GroupMemberSubscription {
  readonly memberId: string;
  readonly userData: Buffer | null;
}

/** What the leader gives one member: partitions to consume and assignment user data. */
export interface MemberAssignment {
  readonly partitions: TopicPartition[];
  readonly userData: Buffer;
}

export interface AssignmentContext {
  /** Partition count of a subscribed topic; undefined when it does not exist. */
  partitionCount(topic: string): number | undefined;
  /** Offsets of any partition (changelog ends, for lags), read by the leader. */
  readonly reader: PartitionReader;
}

/** The runtime's side of the group protocol: what members send, what the leader decides. */
export interface AssignorLogic {
  /** This member's subscription user data, computed before each join. */
  subscriptionUserData(): Promise<Buffer>;
  /** Runs on the leader: every member's partitions and assignment user data. */
  assign(members: readonly GroupMemberSubscription[], ctx: AssignmentContext): Promise<Map<string, MemberAssignment>>;
  /** Runs on every member after the sync, with its own assignment user data. */
  onAssignment(userData: Buffer | null): void;
}

export interface GroupConsumerSettings {
  readonly groupId: string;
  readonly readCommitted: boolean;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly maxWaitTimeMs: number;
  readonly fetchMaxBytes: number;
  readonly maxPartitionFetchBytes: number;
  /** Static membership (group.instance.id); null for a dynamic member. */
  readonly groupInstanceId: string | null;
  /** Where a partition without a committed offset starts (per source topic; default earliest). */
  readonly resetPolicy: (topic: string) => 'earliest' | 'latest' | 'none';
  readonly assignor: AssignorLogic;
}

/** A PartitionReader with its own connection, outside any consumer group (global stores). */
export interface ClosablePartitionReader extends PartitionReader {
  close(): Promise<void>;
}

export interface KafkaClient {
  admin(): Promise<Admin>;
  /** An idempotent producer (shared by a worker's tasks under at-least-once). */
  producer(): Promise<Producer>;
  transactionalProducer(transactionalId: string, transactionTimeoutMs: number): Promise<TransactionalProducer>;
  groupConsumer(options: GroupConsumerSettings): GroupConsumer;
  /** Reads any partition without joining a group (read_committed under exactly-once). */
  partitionReader(options: { readCommitted: boolean }): Promise<ClosablePartitionReader>;
}
