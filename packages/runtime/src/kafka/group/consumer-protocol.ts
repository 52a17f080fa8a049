// Owns the bytes of the "consumer" protocol type inside JoinGroup/SyncGroup (Kafka's
// ConsumerProtocolSubscription / ConsumerProtocolAssignment, version 0): the subscribed topics and
// the assigned partitions, each with opaque user data — where Sluice's assignor puts what it needs
// (process id, endpoint, previous tasks; the task map it computed).
import { Reader, Writer } from '../wire/codec.js';
import { byTopic } from '../wire/requests/group.js';

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
}

export interface Assignment {
  partitions: { topic: string; partition: number }[];
  userData: Buffer | null;
}

export function encodeSubscription(s: Subscription): Buffer {
  const w = new Writer(256);
  w.int16(0).array(s.topics, (w, t) => w.string(t)).bytes(s.userData);
  return Buffer.from(w.finish());
}

export function decodeSubscription(b: Buffer): Subscription {
  const r = new Reader(b);
  r.int16();
  const topics = r.array((r) => r.string() ?? '');
  const userData = r.remaining() >= 4 ? r.bytes() : null;
  return { topics, userData };
}

export function encodeAssignment(a: Assignment): Buffer {
  const w = new Writer(256);
  w.int16(0);
  w.array(byTopic(a.partitions), (w, [topic, parts]) => {
    w.string(topic);
    w.array(parts, (w, p) => w.int32(p.partition));
  });
  w.bytes(a.userData);
  return Buffer.from(w.finish());
}

export function decodeAssignment(b: Buffer): Assignment {
  if (b.length === 0) return { partitions: [], userData: null };
  const r = new Reader(b);
  r.int16();
  const partitions = r
    .array((r) => {
      const topic = r.string() ?? '';
      return r.array((r) => ({ topic, partition: r.int32() }));
    })
    .flat();
  const userData = r.remaining() >= 4 ? r.bytes() : null;
  return { partitions, userData };
}
