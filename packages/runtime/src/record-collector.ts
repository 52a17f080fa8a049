// Owns getting a task's output records to Kafka: records are buffered while a batch is processed
// and sent in one request per flush (not one await per record); a commit waits for every send to be
// acknowledged. Tracks the last offset written to each changelog partition for checkpoints.
import { describeError, ErrorCodes, errorFields, SluiceError, type Logger } from '@sluice/common';
import type { OutgoingRecord, RecordCollector } from '@sluice/core';
import type { ProductionExceptionHandler } from './config.js';
import type { ProduceRecord, Producer } from './ports.js';

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

  constructor(
    producer: Producer | undefined,
    private readonly handler: ProductionExceptionHandler,
    private readonly logger: Logger,
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
    const record: ProduceRecord = { topic: r.topic, partition: r.partition, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers.size === 0 ? NO_HEADERS : r.headers.toObject() };
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
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
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
    const counts = new Map<string, number>();
    for (const r of batch) if (r.partition !== undefined) counts.set(`${r.topic}:${r.partition}`, (counts.get(`${r.topic}:${r.partition}`) ?? 0) + 1);
    const p = this.target.send(batch).then(
      (acks) => {
        for (const a of acks) {
          const k = `${a.topic}:${a.partition}`;
          const n = counts.get(k);
          if (n !== undefined && a.baseOffset >= 0) this.written.set(k, Math.max(this.written.get(k) ?? -1, a.baseOffset + n - 1));
        }
      },
      (err: unknown) => this.onFailure(batch, err),
    );
    this.trackPromise(p);
  }

  private trackPromise(p: Promise<void>): void {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, (err: unknown) => {
      done();
      this.failures.push(err);
    });
  }

  private onFailure(batch: ProduceRecord[], err: unknown): void {
    const topics = [...new Set(batch.map((r) => r.topic))].join(', ');
    const decision = this.handler === 'logAndFail' ? 'FAIL' : this.handler === 'logAndContinue' ? 'CONTINUE' : this.handler({ topic: topics, error: err, records: batch.length });
    const message = `sending ${batch.length} records to ${topics} failed: ${describeError(err)}`;
    if (decision === 'CONTINUE') {
      this.logger.warn(`${message}; dropping them (productionExceptionHandler said CONTINUE)`, { topic: topics, records: batch.length, ...errorFields(err) });
      return;
    }
    this.failures.push(err instanceof SluiceError && err.code === ErrorCodes.PRODUCER_FENCED ? err : new ProductionError(`${message}. Check that the topics exist and the producer may write them, or set productionExceptionHandler`, err));
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
