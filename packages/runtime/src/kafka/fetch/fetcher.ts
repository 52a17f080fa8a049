// Owns fetching the assigned partitions (Kafka's Fetcher): one Fetch request per leader broker, kept
// in flight while the caller processes what the last one returned (pipelining), positions that
// advance past control batches and aborted transactions (so a caught-up partition's position is its
// end offset), pause/resume/seek, and per-partition errors — a partition that moved to another
// leader is fetched again after a metadata refresh; an offset out of range is reset by the
// partition's reset policy. Stale responses (after a seek or a new assignment) are dropped.
import { describeError, type Clock, type Logger } from '@sluice/common';
import type { FetchedBatch, TopicPartition } from '../../ports.js';
import { KafkaProtocolError } from '../wire/errors.js';
import { decodeBatches } from '../wire/record-batch.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, READ_COMMITTED, READ_UNCOMMITTED, fetch } from '../wire/requests/data.js';
import { isRetriable, type KafkaWire } from '../wire/wire.js';
import { listOffsets } from './offsets.js';

export type ResetPolicy = 'earliest' | 'latest' | 'none';

export interface FetcherOptions {
  readonly wire: KafkaWire;
  readonly readCommitted: boolean;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
  readonly partitionMaxBytes: number;
  readonly requestTimeoutMs: number;
  readonly resetPolicy: (topic: string) => ResetPolicy;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Every partition of a fetch response: the position after it and the partition's end (Kafka's records-lag). */
  readonly onFetched?: (topic: string, partition: number, position: number, end: number) => void;
}

interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  position: number;
  paused: boolean;
  fetching: boolean;
  /** The end (high watermark, or last stable offset under read_committed) the last fetch saw; -1 before the first. */
  end: number;
  /** The offset after the last batch handed to the caller (Kafka's consumer position): the lag counts from here. */
  delivered: number;
}

const key = (topic: string, partition: number) => `${topic}:${partition}`;

export class Fetcher {
  private parts = new Map<string, PartitionState>();
  private readonly inflight = new Map<number, Promise<void>>();
  private ready: FetchedBatch[] = [];
  /** Where each batch in `ready` was fetched from (one per partition at most): a pause fetches it again. */
  private readonly readyFrom = new Map<string, number>();
  private waiter: (() => void) | undefined;
  private generation = 0;
  private metadataStale = false;
  private retryAt = 0;
  private failure: unknown;
  private failures = 0;

  constructor(private readonly o: FetcherOptions) {}

  /** Fetch exactly these partitions from these positions (a new assignment). */
  assign(positions: readonly (TopicPartition & { offset: number })[]): void {
    this.generation++;
    this.parts = new Map(positions.map((p) => [key(p.topic, p.partition), { topic: p.topic, partition: p.partition, position: p.offset, paused: false, fetching: false, end: -1, delivered: p.offset }]));
    this.ready = [];
    this.readyFrom.clear();
  }

  /** Stop fetching everything (before a rejoin); responses in flight are dropped. */
  clear(): void {
    this.assign([]);
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const p = this.parts.get(key(tp.topic, tp.partition));
      if (p) p.paused = true;
    }
    // batches fetched but not handed out yet are dropped, and fetched again from where they began on resume
    this.ready = this.ready.filter((b) => {
      const k = key(b.topic, b.partition);
      const p = this.parts.get(k);
      if (!p?.paused) return true;
      const from = this.readyFrom.get(k);
      if (from !== undefined) p.position = from;
      this.readyFrom.delete(k);
      return false;
    });
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      const p = this.parts.get(key(tp.topic, tp.partition));
      if (p) p.paused = false;
    }
  }

  /** Fetch from `offset` next; anything fetched from the old position is dropped. */
  seek(tp: TopicPartition, offset: number): void {
    const p = this.parts.get(key(tp.topic, tp.partition));
    if (!p) return;
    p.position = offset;
    p.delivered = offset;
    this.ready = this.ready.filter((b) => b.topic !== tp.topic || b.partition !== tp.partition);
    this.readyFrom.delete(key(tp.topic, tp.partition));
  }

  position(tp: TopicPartition): number | undefined {
    return this.parts.get(key(tp.topic, tp.partition))?.position;
  }

  /**
   * Records of `tp` the broker holds beyond the last batch handed out (fetched but not handed out yet
   * counts, as Kafka's consumer lag does); undefined while no fetch has told the partition's end yet.
   * A partition that is not assigned has none to wait for: 0.
   */
  lag(tp: TopicPartition): number | undefined {
    const p = this.parts.get(key(tp.topic, tp.partition));
    if (p === undefined) return 0;
    if (p.end < 0) return undefined;
    return Math.max(0, p.end - p.delivered);
  }

  /** The caller takes `batch` now: the partition's lag counts from its end. */
  delivered(batch: FetchedBatch): void {
    const p = this.parts.get(key(batch.topic, batch.partition));
    if (p !== undefined) p.delivered = batch.nextOffset;
  }

  /** Wakes a poll() that is waiting (e.g. a rebalance must be handled). */
  wakeup(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /**
   * Batches fetched since the last call; waits up to about maxWaitMs for one when there are none.
   * The next fetches are already in flight when this returns. Throws what cannot be retried.
   */
  async poll(): Promise<FetchedBatch[]> {
    if (this.failure !== undefined) {
      const f = this.failure;
      this.failure = undefined;
      throw f;
    }
    if (this.ready.length === 0) {
      this.launch();
      await new Promise<void>((resolve) => {
        const timer = this.o.clock.setTimeout(() => this.wakeup(), this.o.maxWaitMs + 50);
        this.waiter = () => {
          timer.cancel();
          resolve();
        };
      });
    }
    const out = this.ready;
    this.ready = [];
    this.readyFrom.clear();
    this.launch();
    return out;
  }

  private launch(): void {
    const now = this.o.clock.now();
    if (now < this.retryAt) return;
    if (this.metadataStale) {
      this.metadataStale = false;
      this.retryAt = now + 100;
      void this.o.wire.refreshMetadata().catch(() => undefined);
      return;
    }
    const byLeader = new Map<number, PartitionState[]>();
    const buffered = new Set(this.ready.map((b) => key(b.topic, b.partition)));
    for (const p of this.parts.values()) {
      if (p.paused || p.fetching || buffered.has(key(p.topic, p.partition))) continue;
      const leader = this.o.wire.leaderIdOf(p.topic, p.partition);
      if (leader === undefined) {
        this.metadataStale = true;
        continue;
      }
      if (this.inflight.has(leader)) continue;
      let l = byLeader.get(leader);
      if (!l) byLeader.set(leader, (l = []));
      l.push(p);
    }
    for (const [leader, parts] of byLeader) {
      const done = this.fetchFrom(leader, parts, this.generation).finally(() => {
        this.inflight.delete(leader);
        this.wakeup();
      });
      this.inflight.set(leader, done);
    }
  }

  private async fetchFrom(leader: number, parts: PartitionState[], generation: number): Promise<void> {
    const asked = new Map(parts.map((p) => [key(p.topic, p.partition), p.position]));
    for (const p of parts) p.fetching = true;
    try {
      const broker = await this.o.wire.broker(leader);
      const res = await this.o.wire.send(
        broker,
        fetch({
          maxWaitMs: this.o.maxWaitMs,
          minBytes: 1,
          maxBytes: this.o.maxBytes,
          isolationLevel: this.o.readCommitted ? READ_COMMITTED : READ_UNCOMMITTED,
          partitions: parts.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.position, maxBytes: this.o.partitionMaxBytes })),
        }),
        this.o.maxWaitMs + this.o.requestTimeoutMs,
      );
      if (res.errorCode !== 0) throw new KafkaProtocolError(res.errorCode, `fetching from broker ${leader}`);
      this.failures = 0;
      if (generation !== this.generation) return;
      for (const r of res.partitions) {
        const k = key(r.topic, r.partition);
        const p = this.parts.get(k);
        const from = asked.get(k);
        if (!p || from === undefined || p.position !== from) continue; // moved by a seek meanwhile
        if (r.errorCode !== 0) {
          await this.onPartitionError(p, r.errorCode);
          continue;
        }
        p.end = this.o.readCommitted ? r.lastStableOffset : r.highWatermark;
        const decoded = decodeBatches(r.topic, r.partition, r.records, from, this.o.readCommitted ? r.abortedTransactions : null);
        this.o.onFetched?.(r.topic, r.partition, p.paused ? from : Math.max(from, decoded.nextOffset), this.o.readCommitted ? r.lastStableOffset : r.highWatermark);
        if (p.paused || decoded.nextOffset <= from) continue;
        p.position = decoded.nextOffset;
        // a batch of only markers or aborted records still moves the task's committable offset
        {
          this.readyFrom.set(k, from);
          this.ready.push({
            topic: r.topic,
            partition: r.partition,
            records: decoded.records,
            nextOffset: decoded.nextOffset,
            highWatermark: this.o.readCommitted ? r.lastStableOffset : r.highWatermark,
          });
        }
      }
    } catch (err) {
      if (!isRetriable(err)) {
        this.failure ??= err;
        return;
      }
      this.failures++;
      this.metadataStale = true;
      this.retryAt = this.o.clock.now() + Math.min(2_000, 100 * 2 ** Math.min(this.failures, 5));
      const log = this.failures >= 5 ? 'warn' : 'debug';
      this.o.logger[log](`fetching from broker ${leader} failed (${this.failures} in a row), retrying: ${describeError(err)}`);
    } finally {
      for (const p of parts) p.fetching = false;
    }
  }

  private async onPartitionError(p: PartitionState, code: number): Promise<void> {
    if (code === 1) {
      // OFFSET_OUT_OF_RANGE: records were deleted (retention) or the position is past the end
      const policy = this.o.resetPolicy(p.topic);
      if (policy === 'none') {
        this.failure ??= new KafkaProtocolError(code, `fetching ${p.topic}-${p.partition} at offset ${p.position}`, "the offset is no longer in the log and the source's offset reset policy is 'none'");
        return;
      }
      try {
        const [o] = await listOffsets(this.o.wire, [{ topic: p.topic, partition: p.partition, timestamp: policy === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP }], this.o.readCommitted);
        if (o) {
          this.o.logger.warn(`offset ${p.position} of ${p.topic}-${p.partition} is out of range; resetting to the ${policy} offset ${o.offset}`);
          p.position = o.offset;
        }
      } catch (err) {
        this.o.logger.warn(`resetting ${p.topic}-${p.partition} failed, retrying: ${describeError(err)}`);
      }
      return;
    }
    const err = new KafkaProtocolError(code, `fetching ${p.topic}-${p.partition}`);
    if (err.retriable) {
      this.metadataStale = true;
      return;
    }
    this.failure ??= err;
  }
}
