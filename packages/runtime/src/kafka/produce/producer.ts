// Owns producing for the runtime (Kafka's idempotent and transactional producer, KIP-98): a producer
// id and epoch from InitProducerId, a sequence number per partition so a retried batch is written
// once, one record batch per partition per Produce request (sent to each leader in parallel,
// partitions of one send kept in order), and — with a transactional id — the transaction protocol:
// AddPartitionsToTxn before a partition's first record, AddOffsetsToTxn + TxnOffsetCommit (with the
// consumer group's generation, KIP-447) for input offsets, EndTxn. Errors are decided by Kafka's
// error code: retriable ones are retried until the delivery deadline, fencing ends the producer
// (ProducerFencedError), anything else fails the send with the partition and the broker's message.
import { KafkaClientError, describeError, type Clock, type Logger } from '@sluice/common';
import type { ProduceAck, ProduceRecord } from '../../ports.js';
import { ProducerFencedError } from '../errors.js';
import { FENCING_CODES, KafkaProtocolError, check, errorName } from '../wire/errors.js';
import { partitionForKey } from '@sluice/common';
import { COMPRESSION_NONE, encodeBatch, recordSizeEstimate, type BatchRecord } from '../wire/record-batch.js';
import { produce } from '../wire/requests/data.js';
import { addOffsetsToTxn, addPartitionsToTxn, endTxn, initProducerId, txnOffsetCommit, type GroupMetadata, type ProducerIdAndEpoch } from '../wire/requests/transaction.js';
import { COORDINATOR_GROUP, COORDINATOR_TRANSACTION, isRetriable, type KafkaWire } from '../wire/wire.js';

export interface ProducerOptions {
  readonly wire: KafkaWire;
  /** Set for a transactional producer (exactly-once); unset for an idempotent one. */
  readonly transactionalId?: string;
  readonly transactionTimeoutMs: number;
  /** How long a send, commit or abort keeps retrying before it fails (Kafka's delivery.timeout.ms). */
  readonly deliveryTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Largest record batch (bytes, before compression) per partition and request. */
  readonly maxBatchBytes: number;
  readonly compression?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

type TxnState = 'UNINITIALIZED' | 'READY' | 'IN_TRANSACTION' | 'FENCED' | 'CLOSED';

interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: BatchRecord[];
  /** The records as given to send(), index for index (reported when refused). */
  readonly sources: ProduceRecord[];
}

type BatchOutcome = { kind: 'ok'; ack: ProduceAck } | { kind: 'rejected'; error: KafkaProtocolError; indexes?: number[] };

/** Errors about the records themselves (too large, invalid, a bad timestamp): the rest of a send goes on without them. */
const RECORD_ERRORS: ReadonlySet<number> = new Set([10, 18, 32, 87]);

export interface RejectedRecord {
  readonly record: ProduceRecord;
  readonly error: KafkaProtocolError;
}

/** Some records of a send were refused by the broker for what they are; all others were written (`acks`). */
export class RecordsRejectedError extends KafkaClientError {
  constructor(
    readonly rejected: readonly RejectedRecord[],
    readonly acks: readonly ProduceAck[],
  ) {
    super(`${rejected.length} record${rejected.length > 1 ? 's were' : ' was'} refused: ${rejected[0]!.error.message}`, { retriable: false, context: { kafkaErrorType: rejected[0]!.error.kafkaError } });
  }
}

const tpKey = (topic: string, partition: number) => `${topic}:${partition}`;

export class KafkaProducer {
  private pid: ProducerIdAndEpoch | undefined;
  private readonly sequences = new Map<string, number>();
  private readonly partitionCounts = new Map<string, number>();
  private roundRobin = 0;
  private state: TxnState = 'UNINITIALIZED';
  private readonly txnPartitions = new Set<string>();
  private txnHasOffsets = false;

  constructor(private readonly o: ProducerOptions) {}

  get transactional(): boolean {
    return this.o.transactionalId !== undefined;
  }

  inTransaction(): boolean {
    return this.state === 'IN_TRANSACTION';
  }

  /**
   * InitProducerId. For a transactional id this fences every older producer with the same id and
   * waits until a transaction it left open is completed (committed or aborted) by the coordinator.
   */
  async init(): Promise<void> {
    const txnId = this.o.transactionalId ?? null;
    const action = txnId ? `initializing transactional producer '${txnId}'` : 'initializing the idempotent producer';
    const res = await this.retrying(action, async () => {
      const broker = txnId ? await this.o.wire.coordinator(txnId, COORDINATOR_TRANSACTION) : await this.anyBroker();
      const r = await this.o.wire.send(broker, initProducerId({ transactionalId: txnId, transactionTimeoutMs: this.o.transactionTimeoutMs }));
      if (r.errorCode === 50) {
        throw new KafkaProtocolError(50, action, "transactionTimeoutMs is larger than the brokers' transaction.max.timeout.ms; lower transactionTimeoutMs or raise that broker setting");
      }
      this.checkCoordinator(r.errorCode, action);
      return r;
    });
    this.pid = { producerId: res.producerId, producerEpoch: res.producerEpoch };
    this.sequences.clear();
    this.state = 'READY';
  }

  beginTransaction(): void {
    this.requireState('READY', 'begin a transaction');
    this.state = 'IN_TRANSACTION';
    this.txnPartitions.clear();
    this.txnHasOffsets = false;
  }

  /**
   * Sends records; resolves with where each partition's records landed once all are acknowledged.
   * Records the broker refuses for what they are (too large, invalid, a bad timestamp) are found one
   * by one — a refused batch is split until the record is alone — while the others are written; they
   * are reported together at the end as a RecordsRejectedError (which carries the acks too).
   */
  async send(records: readonly ProduceRecord[]): Promise<ProduceAck[]> {
    if (records.length === 0) return [];
    if (this.transactional) this.requireState('IN_TRANSACTION', 'send records');
    else if (this.state === 'UNINITIALIZED') await this.init();
    const batches = await this.partitionBatches(records);
    if (this.transactional) await this.addPartitions(batches);
    const acks: ProduceAck[] = [];
    const rejected: RejectedRecord[] = [];
    // each partition's batches go in order, one per request; all partitions' heads go together
    const queues = new Map<string, PartitionBatch[]>();
    for (const b of batches) {
      const k = tpKey(b.topic, b.partition);
      const q = queues.get(k);
      if (q) q.push(b);
      else queues.set(k, [b]);
    }
    while (queues.size > 0) {
      const heads = [...queues.values()].map((q) => q[0]!);
      const outcomes = await this.produceRound(heads);
      for (const [b, o] of outcomes) {
        const k = tpKey(b.topic, b.partition);
        const q = queues.get(k)!;
        if (o.kind === 'ok') {
          acks.push(o.ack);
          q.shift();
        } else if (b.records.length > 1 && o.indexes === undefined) {
          // which record is it? halve the batch until it stands alone
          const mid = Math.ceil(b.records.length / 2);
          q.splice(0, 1, { ...b, records: b.records.slice(0, mid), sources: b.sources.slice(0, mid) }, { ...b, records: b.records.slice(mid), sources: b.sources.slice(mid) });
        } else {
          const bad = new Set(o.indexes ?? b.records.map((_r, i) => i));
          for (const i of bad) rejected.push({ record: b.sources[i]!, error: o.error });
          const rest = b.records.filter((_r, i) => !bad.has(i));
          if (rest.length > 0) q.splice(0, 1, { ...b, records: rest, sources: b.sources.filter((_r, i) => !bad.has(i)) });
          else q.shift();
        }
        if (q.length === 0) queues.delete(k);
      }
    }
    if (rejected.length > 0) throw new RecordsRejectedError(rejected, acks);
    return acks;
  }

  /** Adds input offsets to the open transaction (they commit with it). */
  async sendOffsets(groupId: string, offsets: readonly { topic: string; partition: number; offset: number }[], group: GroupMetadata): Promise<void> {
    this.requireState('IN_TRANSACTION', 'add offsets');
    const txnId = this.o.transactionalId!;
    if (!this.txnHasOffsets) {
      const action = `adding group '${groupId}' to transaction '${txnId}'`;
      await this.retrying(action, async () => {
        const broker = await this.o.wire.coordinator(txnId, COORDINATOR_TRANSACTION);
        const r = await this.o.wire.send(broker, addOffsetsToTxn({ transactionalId: txnId, producer: this.pid!, groupId }));
        this.checkCoordinator(r.errorCode, action);
      });
      this.txnHasOffsets = true;
    }
    const action = `committing offsets of group '${groupId}' in transaction '${txnId}'`;
    await this.retrying(action, async () => {
      const broker = await this.o.wire.coordinator(groupId, COORDINATOR_GROUP);
      const errors = await this.o.wire.send(broker, txnOffsetCommit({ transactionalId: txnId, groupId, producer: this.pid!, group, offsets: [...offsets] }));
      const failed = errors.find((e) => e.errorCode !== 0);
      if (!failed) return;
      if (failed.errorCode === 15 || failed.errorCode === 16) this.o.wire.forgetCoordinator(groupId, COORDINATOR_GROUP);
      this.checkFenced(failed.errorCode, action);
      check(failed.errorCode, action, `${failed.topic}-${failed.partition}`);
    });
  }

  async commitTransaction(): Promise<void> {
    await this.endTransaction(true);
  }

  async abortTransaction(): Promise<void> {
    await this.endTransaction(false);
  }

  async close(): Promise<void> {
    if (this.state === 'IN_TRANSACTION') await this.abortTransaction().catch(() => undefined);
    this.state = 'CLOSED';
  }

  /** How many partitions a topic has (metadata), cached. 0 when the topic does not exist. */
  async partitionCount(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    let n = 0;
    try {
      n = (await this.o.wire.partitions(topic)).length;
    } catch (err) {
      if (!isUnknownTopic(err)) throw err;
    }
    if (n > 0) this.partitionCounts.set(topic, n);
    return n;
  }

  // ---- internals ----

  private async endTransaction(commit: boolean): Promise<void> {
    if (this.state !== 'IN_TRANSACTION') {
      if (this.state === 'FENCED') throw new ProducerFencedError(`transaction '${this.o.transactionalId}' cannot end: its producer was fenced`, undefined);
      return;
    }
    const txnId = this.o.transactionalId!;
    // nothing reached the coordinator: there is no transaction to end there
    if (this.txnPartitions.size > 0 || this.txnHasOffsets) {
      const action = `${commit ? 'committing' : 'aborting'} transaction '${txnId}'`;
      await this.retrying(action, async () => {
        const broker = await this.o.wire.coordinator(txnId, COORDINATOR_TRANSACTION);
        const r = await this.o.wire.send(broker, endTxn({ transactionalId: txnId, producer: this.pid!, commit }));
        this.checkCoordinator(r.errorCode, action);
      });
    }
    this.state = 'READY';
    this.txnPartitions.clear();
    this.txnHasOffsets = false;
  }

  private async addPartitions(batches: readonly PartitionBatch[]): Promise<void> {
    const fresh = new Map<string, { topic: string; partition: number }>();
    for (const b of batches) {
      const k = tpKey(b.topic, b.partition);
      if (!this.txnPartitions.has(k)) fresh.set(k, { topic: b.topic, partition: b.partition });
    }
    if (fresh.size === 0) return;
    const txnId = this.o.transactionalId!;
    const action = `adding partitions to transaction '${txnId}'`;
    await this.retrying(action, async () => {
      const broker = await this.o.wire.coordinator(txnId, COORDINATOR_TRANSACTION);
      const results = await this.o.wire.send(broker, addPartitionsToTxn({ transactionalId: txnId, producer: this.pid!, partitions: [...fresh.values()] }));
      // OPERATION_NOT_ATTEMPTED marks partitions skipped because another one failed
      const failed = results.find((r) => r.errorCode !== 0 && r.errorCode !== 55) ?? results.find((r) => r.errorCode !== 0);
      if (failed) {
        this.checkCoordinator(failed.errorCode, action, `${failed.topic}-${failed.partition}`);
        return;
      }
    });
    for (const k of fresh.keys()) this.txnPartitions.add(k);
  }

  /** One batch per partition, to their leaders in parallel; retriable failures are retried (same sequence numbers) until the delivery deadline. */
  private async produceRound(batches: readonly PartitionBatch[]): Promise<Map<PartitionBatch, BatchOutcome>> {
    const outcomes = new Map<PartitionBatch, BatchOutcome>();
    let pending = [...batches];
    const deadline = this.o.clock.now() + this.o.deliveryTimeoutMs;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const byLeader = new Map<number, PartitionBatch[]>();
      const unknown: PartitionBatch[] = [];
      for (const b of pending) {
        const leader = this.o.wire.leaderIdOf(b.topic, b.partition);
        if (leader === undefined) unknown.push(b);
        else {
          let l = byLeader.get(leader);
          if (!l) byLeader.set(leader, (l = []));
          l.push(b);
        }
      }
      const retry: PartitionBatch[] = [...unknown];
      let lastError: unknown = unknown.length > 0 ? new KafkaProtocolError(5, `producing to ${unknown[0]!.topic}-${unknown[0]!.partition}`, 'no leader known') : undefined;
      await Promise.all(
        [...byLeader].map(async ([leader, group]) => {
          try {
            const answered = await this.produceTo(leader, group);
            for (const [b, o] of answered) {
              if (o.kind === 'retry') {
                retry.push(b);
                lastError = o.error;
              } else outcomes.set(b, o);
            }
          } catch (err) {
            if (!isRetriable(err)) throw err;
            retry.push(...group);
            lastError = err;
          }
        }),
      );
      pending = retry;
      if (pending.length === 0) break;
      if (this.o.clock.now() > deadline) {
        throw new KafkaProtocolError(
          lastError instanceof KafkaProtocolError ? lastError.kafkaCode : 7,
          `producing to ${pending.map((b) => `${b.topic}-${b.partition}`).join(', ')}`,
          `still failing after ${this.o.deliveryTimeoutMs} ms: ${describeError(lastError)}`,
        );
      }
      if (attempt >= 2) this.o.logger.warn(`producing to ${pending.map((b) => `${b.topic}-${b.partition}`).join(', ')} failed (${describeError(lastError)}); retrying`);
      await this.o.wire.refreshMetadata().catch(() => undefined);
      await this.sleep(Math.min(1_000, 50 * 2 ** attempt));
    }
    return outcomes;
  }

  /** One Produce request to one leader: each batch written, to be retried, or refused for its records. */
  private async produceTo(leader: number, group: readonly PartitionBatch[]): Promise<Map<PartitionBatch, BatchOutcome | { kind: 'retry'; error: unknown }>> {
    const encoded = group.map((b) => {
      const k = tpKey(b.topic, b.partition);
      const baseSequence = this.sequences.get(k) ?? 0;
      return {
        topic: b.topic,
        partition: b.partition,
        batch: encodeBatch(b.records, { producerId: this.pid!.producerId, producerEpoch: this.pid!.producerEpoch, baseSequence, transactional: this.transactional }, this.o.compression ?? COMPRESSION_NONE),
      };
    });
    const broker = await this.o.wire.broker(leader);
    const res = await this.o.wire.send(broker, produce({ transactionalId: this.o.transactionalId ?? null, acks: -1, timeoutMs: this.o.requestTimeoutMs, batches: encoded }));
    const out = new Map<PartitionBatch, BatchOutcome | { kind: 'retry'; error: unknown }>();
    group.forEach((b, i) => {
      const r = res.find((x) => x.topic === b.topic && x.partition === b.partition);
      const k = tpKey(b.topic, b.partition);
      const code = r?.errorCode ?? 13;
      if (code === 0 || code === 46) {
        // DUPLICATE_SEQUENCE_NUMBER: an earlier try of this very batch was written
        this.sequences.set(k, ((this.sequences.get(k) ?? 0) + b.records.length) % 2147483648);
        out.set(b, { kind: 'ok', ack: { topic: b.topic, partition: b.partition, baseOffset: code === 0 ? r!.baseOffset : -1, count: b.records.length } });
        return;
      }
      const action = `producing ${b.records.length} record${b.records.length > 1 ? 's' : ''} to ${b.topic}-${b.partition}`;
      const detail = [r?.errorMessage, ...(r?.recordErrors ?? []).map((e) => `record #${e.index}: ${e.message ?? 'refused'}`)].filter(Boolean).join('; ');
      this.checkFenced(code, action);
      if (RECORD_ERRORS.has(code)) {
        const size = encoded[i]!.batch.length;
        const err = new KafkaProtocolError(code, action, producerHint(code, b, size) ?? (detail || undefined));
        const indexes = code === 87 && r && r.recordErrors.length > 0 ? r.recordErrors.map((e) => e.index) : undefined;
        out.set(b, { kind: 'rejected', error: err, ...(indexes ? { indexes } : {}) });
        return;
      }
      const err = new KafkaProtocolError(code, action, producerHint(code, b, encoded[i]!.batch.length) ?? (detail || undefined));
      if (!err.retriable) throw err;
      out.set(b, { kind: 'retry', error: err });
    });
    return out;
  }

  /** Splits records into per-partition batches (order kept), choosing partitions as Kafka's default partitioner. */
  private async partitionBatches(records: readonly ProduceRecord[]): Promise<PartitionBatch[]> {
    const open = new Map<string, { batch: PartitionBatch; bytes: number }>();
    const out: PartitionBatch[] = [];
    const topics = new Set<string>();
    for (const r of records) topics.add(r.topic);
    // the metadata of the topics: a broker away for a while (a restart, an outage) is waited for until the delivery deadline
    try {
      await this.retrying(`reading the metadata of ${[...topics].map((t) => `'${t}'`).join(', ')}`, () => this.o.wire.addTopics([...topics]));
    } catch (err) {
      if (isUnknownTopic(err)) throw new KafkaProtocolError(3, `producing to ${[...topics].map((t) => `'${t}'`).join(', ')}`, 'a topic does not exist; create it before the application writes to it');
      throw err;
    }
    for (const r of records) {
      let partition = r.partition;
      if (partition === undefined) {
        const n = this.partitionCounts.get(r.topic) ?? (await this.retrying(`reading the partitions of '${r.topic}'`, () => this.partitionCount(r.topic)));
        if (n <= 0) throw new KafkaProtocolError(3, `producing to topic '${r.topic}'`, 'the topic does not exist; create it before the application writes to it');
        partition = r.key !== null ? partitionForKey(r.key, n) : this.roundRobin++ % n;
      }
      const k = tpKey(r.topic, partition);
      const rec: BatchRecord = { key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers };
      const size = recordSizeEstimate(rec);
      let cur = open.get(k);
      if (!cur || (cur.bytes + size > this.o.maxBatchBytes && cur.batch.records.length > 0)) {
        cur = { batch: { topic: r.topic, partition, records: [], sources: [] }, bytes: 0 };
        open.set(k, cur);
        out.push(cur.batch);
      }
      cur.batch.records.push(rec);
      cur.batch.sources.push(r);
      cur.bytes += size;
    }
    return out;
  }

  /** Retries `fn` while it fails with something retriable, until the delivery deadline. */
  private async retrying<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const deadline = this.o.clock.now() + this.o.deliveryTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof ProducerFencedError) this.state = 'FENCED';
        if (!isRetriable(err)) throw err;
        if (this.o.clock.now() > deadline) throw new KafkaProtocolError(err instanceof KafkaProtocolError ? err.kafkaCode : 7, action, `still failing after ${this.o.deliveryTimeoutMs} ms: ${describeError(err)}`);
        if (attempt >= 3) this.o.logger.warn(`${action} failed (${describeError(err)}); retrying`);
        await this.sleep(Math.min(1_000, 20 * 2 ** attempt));
      }
    }
  }

  /** Coordinator answers: fencing, a moved coordinator (retried after forgetting it), or a failure. */
  private checkCoordinator(code: number, action: string, detail?: string): void {
    if (code === 0) return;
    if (code === 15 || code === 16) this.o.wire.forgetCoordinator(this.o.transactionalId ?? '', COORDINATOR_TRANSACTION);
    this.checkFenced(code, action);
    check(code, action, detail ?? coordinatorHint(code, this.o.transactionalId));
  }

  private checkFenced(code: number, action: string): void {
    if (!FENCING_CODES.has(code)) return;
    this.state = 'FENCED';
    throw new ProducerFencedError(`${action}: ${errorName(code)} — another worker took over transactional id '${this.o.transactionalId}' (this task moved)`, new KafkaProtocolError(code, action));
  }

  private requireState(state: TxnState, what: string): void {
    if (this.state === 'FENCED') throw new ProducerFencedError(`cannot ${what}: producer '${this.o.transactionalId}' was fenced`, undefined);
    if (this.state !== state) throw new KafkaProtocolError(48, `cannot ${what} on producer '${this.o.transactionalId ?? 'idempotent'}'`, `it is ${this.state}, not ${state}`);
  }

  private async anyBroker() {
    await this.o.wire.connect();
    return this.o.wire.anyBroker();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.o.clock.setTimeout(resolve, ms));
  }
}

/** Metadata for a topic that does not exist (kafkajs reports it by its error type). */
function isUnknownTopic(err: unknown): boolean {
  return (err as { type?: string } | undefined)?.type === 'UNKNOWN_TOPIC_OR_PARTITION' || (err instanceof KafkaProtocolError && err.kafkaCode === 3);
}

function producerHint(code: number, b: PartitionBatch, bytes: number): string | undefined {
  switch (code) {
    case 10:
    case 18:
      return b.records.length === 1
        ? `the record is ${bytes} bytes, more than topic '${b.topic}' accepts (its max.message.bytes, or the brokers' message.max.bytes); raise that limit or write smaller records`
        : `a batch of ${b.records.length} records (${bytes} bytes) is larger than topic '${b.topic}' accepts (its max.message.bytes)`;
    case 29:
      return `the principal may not write topic '${b.topic}': add a WRITE ACL (kafka-acls --add --allow-principal User:<you> --operation Write --topic ${b.topic})`;
    case 3:
      return `topic '${b.topic}' does not exist; create it before the application writes to it`;
    default:
      return undefined;
  }
}

function coordinatorHint(code: number, txnId: string | undefined): string | undefined {
  if (code === 53) return `the principal may not use transactional id '${txnId}': add WRITE and DESCRIBE ACLs on it (kafka-acls --add --allow-principal User:<you> --operation Write --operation Describe --transactional-id ${txnId})`;
  if (code === 31) return 'the principal may not write idempotently: add an IDEMPOTENT_WRITE ACL on the cluster';
  return undefined;
}
