// Owns getting a stream thread's output records to Kafka: records are buffered while a batch is
// processed and sent in one request per flush (not one await per record); a commit waits for every
// send to be acknowledged. A record the broker refuses goes to the production exception handler with
// the record in hand (skip it, dead-letter it, or fail with its coordinates and the broker's limit).
// Tracks the last offset written to each changelog partition for checkpoints.
import { describeError, ErrorCodes, SluiceError, type Logger } from '@sluice/common';
import { deadLetterRecord, decide, Headers, type DeadLetterRecord, type HandlerDecision, type OutgoingRecord, type RecordCollector } from '@sluice/core';
import type { ProductionExceptionHandler } from './config.js';
import { RecordsRejectedError } from './kafka/produce/producer.js';
import type { ProduceAck, ProduceRecord, Producer } from './ports.js';

const FLUSH_AT = 5_000;
/** Shared by every record without headers (nothing writes to a produced record's headers). */
const NO_HEADERS: { readonly [key: string]: Buffer | Buffer[] } = Object.freeze({});
/** Sends in flight (each up to FLUSH_AT records) before processing waits for the oldest to finish. */
const MAX_IN_FLIGHT = 4;

export class ProductionError extends SluiceError {
  constructor(message: string, cause: unknown) {
    super(ErrorCodes.PRODUCTION_FAILED, message, { cause });
  }
}

export interface ProducerChannelOptions {
  readonly handler: ProductionExceptionHandler;
  readonly deadLetterQueueTopic: string | undefined;
  readonly logger: Logger;
}

/** Sends records through the stream thread's producer, for all of the thread's tasks. */
export class ProducerChannel {
  private pending: ProduceRecord[] = [];
  private needsPartition: { record: ProduceRecord; partitioner: (n: number) => number | undefined }[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private readonly failures: unknown[] = [];
  private readonly partitionCounts = new Map<string, number>();
  /** Highest offset written per "topic:partition" since the last takeWrittenOffsets(). */
  private written = new Map<string, number>();
  private producer: Producer | undefined;
  /** Records sent to deadLetterQueueTopicName through this channel (by any handler). */
  deadLetterRecords = 0;

  constructor(
    producer: Producer | undefined,
    private readonly o: ProducerChannelOptions,
  ) {
    this.producer = producer;
  }

  /** The producer sends go through (a new one after an exactly-once producer was fenced). */
  setProducer(p: Producer): void {
    this.producer = p;
  }

  private get target(): Producer {
    if (!this.producer) throw new ProductionError('the producer channel has no producer yet', undefined);
    return this.producer;
  }

  collector(): RecordCollector {
    return { send: (r) => this.add(r) };
  }

  add(r: OutgoingRecord): void {
    if (r.topic === this.o.deadLetterQueueTopic) this.deadLetterRecords++;
    const record: ProduceRecord = {
      topic: r.topic,
      partition: r.partition,
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: r.headers.size === 0 ? NO_HEADERS : r.headers.toObject(),
      source: r.source,
    };
    if (r.partitioner && r.partition === undefined) {
      const n = this.partitionCounts.get(r.topic);
      if (n === undefined) {
        this.needsPartition.push({ record, partitioner: r.partitioner });
        return;
      }
      this.pending.push(this.withPartition(record, r.partitioner, n));
    } else {
      this.pending.push(record);
    }
    if (this.pending.length >= FLUSH_AT) this.sendPending();
  }

  /** Send what is buffered; does not wait for acknowledgements. */
  sendPending(): void {
    if (this.needsPartition.length > 0) {
      const waiting = this.needsPartition;
      this.needsPartition = [];
      const p = this.resolvePartitions(waiting).then((records) => this.track(records));
      this.trackPromise(p);
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.track(batch);
  }

  /**
   * Backpressure: when the producer falls behind processing, wait until at most MAX_IN_FLIGHT sends
   * are in flight, so unsent records do not pile up in memory until the next commit.
   */
  async waitForCapacity(): Promise<void> {
    while (this.inflight.size > MAX_IN_FLIGHT) await Promise.race(this.inflight).catch(() => undefined);
  }

  /** Send everything and wait for all acknowledgements; throws (per the handler) if a send failed. */
  async flush(): Promise<void> {
    this.sendPending();
    while (this.inflight.size > 0 || this.pending.length > 0) {
      await Promise.allSettled([...this.inflight]);
      // dead letters of refused records were queued meanwhile
      this.sendPending();
    }
    if (this.failures.length > 0) {
      const first = this.failures[0];
      this.failures.length = 0;
      throw first;
    }
  }

  /** Drop what is buffered (after an abort). */
  discard(): void {
    this.pending = [];
    this.needsPartition = [];
  }

  /** Highest written offset per "topic:partition" since the last call. */
  takeWrittenOffsets(): Map<string, number> {
    const w = this.written;
    this.written = new Map();
    return w;
  }

  private track(batch: ProduceRecord[]): void {
    const p = this.target.send(batch).then(
      (acks) => this.recordAcks(acks),
      (err: unknown) => this.onFailure(batch, err),
    );
    this.trackPromise(p);
  }

  private recordAcks(acks: readonly ProduceAck[]): void {
    for (const a of acks) {
      if (a.baseOffset < 0 || a.count === undefined) continue;
      const k = `${a.topic}:${a.partition}`;
      this.written.set(k, Math.max(this.written.get(k) ?? -1, a.baseOffset + a.count - 1));
    }
  }

  private trackPromise(p: Promise<void>): void {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, (err: unknown) => {
      done();
      this.failures.push(err);
    });
  }

  /**
   * A send failed. Records the broker refused are decided one by one by the production exception
   * handler; a fenced producer, missing rights or a send that kept failing until its deadline fail
   * the commit as they are (nothing a handler could skip).
   */
  private async onFailure(batch: ProduceRecord[], err: unknown): Promise<void> {
    if (!(err instanceof RecordsRejectedError)) {
      if (err instanceof SluiceError && err.code === ErrorCodes.PRODUCER_FENCED) throw err;
      if (err instanceof SluiceError && err.code !== ErrorCodes.KAFKA_CLIENT) throw err;
      const topics = [...new Set(batch.map((r) => r.topic))].join(', ');
      throw new ProductionError(`sending ${batch.length} records to ${topics} failed: ${describeError(err)}`, err);
    }
    this.recordAcks(err.acks);
    for (const { record, error } of err.rejected) {
      const dlq = this.o.deadLetterQueueTopic;
      const decision = await decide(
        this.o.handler,
        {
          topic: record.topic,
          partition: record.partition,
          key: record.key,
          value: record.value,
          timestamp: record.timestamp,
          headers: record.headers,
          error,
          source: record.source,
          deadLetterQueueTopic: dlq,
        },
        () => (dlq === undefined ? undefined : deadLetterOf(dlq, record, error)),
      );
      this.apply(decision, record, error);
    }
  }

  private apply(d: HandlerDecision, record: ProduceRecord, error: unknown): void {
    const where = record.source ? ` (from the record at topic '${record.source.topic}' partition ${record.source.partition} offset ${record.source.offset})` : '';
    const message = `the record for topic '${record.topic}'${record.partition !== undefined ? ` partition ${record.partition}` : ''} could not be written${where}: ${describeError(error)}`;
    if (d.response === 'FAIL') {
      throw new ProductionError(`${message}. Fix the record or the topic, or set productionExceptionHandler to skip such records`, error);
    }
    const n = d.deadLetterQueueRecords?.length ?? 0;
    this.o.logger.warn(`${message}; skipping it (productionExceptionHandler said CONTINUE${n > 0 ? `; ${n} dead-letter record${n > 1 ? 's' : ''} written` : ''})`, {
      topic: record.topic,
      ...(record.source ? { sourceTopic: record.source.topic, sourcePartition: record.source.partition, sourceOffset: record.source.offset } : {}),
    });
    for (const r of d.deadLetterQueueRecords ?? []) this.add(deadLetterOutgoing(r));
  }

  private async resolvePartitions(waiting: { record: ProduceRecord; partitioner: (n: number) => number | undefined }[]): Promise<ProduceRecord[]> {
    const out: ProduceRecord[] = [];
    for (const w of waiting) {
      let n = this.partitionCounts.get(w.record.topic);
      if (n === undefined) {
        n = await this.target.partitionCount(w.record.topic);
        if (n <= 0) throw new ProductionError(`topic '${w.record.topic}' does not exist; create it before the application writes to it`, undefined);
        this.partitionCounts.set(w.record.topic, n);
      }
      out.push(this.withPartition(w.record, w.partitioner, n));
    }
    return out;
  }

  private withPartition(record: ProduceRecord, partitioner: (n: number) => number | undefined, n: number): ProduceRecord {
    const p = partitioner(n);
    if (p === undefined) return record;
    if (!Number.isInteger(p) || p < 0 || p >= n) {
      throw new ProductionError(`the stream partitioner returned partition ${p} for topic '${record.topic}', which has ${n} partitions (0..${n - 1})`, undefined);
    }
    return { ...record, partition: p };
  }
}

/** A refused record's dead letter: its source record as read (Kafka's sourceRawKey/Value), else the record itself. */
function deadLetterOf(topic: string, record: ProduceRecord, error: unknown): DeadLetterRecord {
  const source = record.source ?? { topic: record.topic, partition: record.partition ?? -1, offset: -1, timestamp: record.timestamp, key: record.key, value: record.value, headers: Headers.fromObject(record.headers) };
  return deadLetterRecord(topic, source, error);
}

function deadLetterOutgoing(r: DeadLetterRecord): OutgoingRecord {
  return { topic: r.topic, key: r.key, value: r.value, timestamp: r.timestamp ?? Date.now(), headers: Headers.fromObject(r.headers as never), partition: r.partition, partitioner: undefined };
}
