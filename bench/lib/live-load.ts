// The latency phase's load: records produced at a fixed rate (open loop: the schedule does not
// wait for the system), each stamped with its send time as CreateTime and in the `bench-ts`
// header, which the systems carry to their outputs. Latency = output append time − that stamp.
import type { Message, Producer } from 'kafkajs';
import type { InputRecord } from './data.js';
import { LATENCY_HEADER } from './kafka.js';

export interface LiveLoadOptions {
  topic: string;
  /** S6/S7: where records marked `other` go */
  otherTopic?: string | null;
  ratePerSecond: number;
  seconds: number;
  make: (i: number) => Omit<InputRecord, 'timestamp'>;
  /** ticks per second: records go out in small batches this often */
  ticksPerSecond?: number;
  /** every record as sent, with its timestamp (the harness adds it to the expected output) */
  onSent?: (r: InputRecord) => void;
}

/** Produce the load; resolves with the number of records sent once all are acknowledged. */
export async function runLiveLoad(producer: Producer, o: LiveLoadOptions): Promise<number> {
  const ticks = o.ticksPerSecond ?? 100;
  const total = Math.round(o.ratePerSecond * o.seconds);
  const start = Date.now();
  const pending: Promise<unknown>[] = [];
  let sent = 0;
  while (sent < total) {
    // how many should be out by now: catches up after a slow tick instead of drifting
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * o.ratePerSecond) + 1);
    if (due > sent) {
      const now = Date.now();
      const messages: Message[] = [];
      const otherMessages: Message[] = [];
      for (; sent < due; sent++) {
        const r = o.make(sent);
        o.onSent?.({ ...r, timestamp: now });
        (r.other ? otherMessages : messages).push({ key: r.key, value: r.value, partition: r.partition, timestamp: String(now), headers: { [LATENCY_HEADER]: String(now) } });
      }
      if (otherMessages.length > 0 && !o.otherTopic) throw new Error('the latency phase made records for a second input topic, but none was given (otherTopic)');
      const topicMessages = [{ topic: o.topic, messages }, ...(otherMessages.length > 0 ? [{ topic: o.otherTopic!, messages: otherMessages }] : [])];
      pending.push(producer.sendBatch({ acks: 1, topicMessages }));
    }
    await new Promise((r) => setTimeout(r, 1000 / ticks));
  }
  await Promise.all(pending);
  return sent;
}
