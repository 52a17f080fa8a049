// Owns the consumer-group requests of the classic group protocol as Sluice sends them: JoinGroup
// v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3 (all with group.instance.id, KIP-345), OffsetCommit
// v7 and OffsetFetch v7 (flexible, with require_stable: KIP-447). Field order as in Kafka's
// clients/src/main/resources/common/message/*.json.
import type { Reader, Writer } from '../codec.js';
import type { WireRequest } from '../wire.js';

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}
export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolName: string | null;
  leader: string;
  memberId: string;
  members: JoinGroupMember[];
}

export function joinGroup(a: {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Buffer }[];
}): WireRequest<JoinGroupResponse> {
  return {
    apiKey: 11,
    apiVersion: 5,
    name: 'JoinGroup',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.groupId).int32(a.sessionTimeoutMs).int32(a.rebalanceTimeoutMs).string(a.memberId).string(a.groupInstanceId).string(a.protocolType);
      w.array(a.protocols, (w, p) => w.string(p.name).bytes(p.metadata));
    },
    decode: (r: Reader) => {
      r.int32(); // throttle
      const errorCode = r.int16();
      const generationId = r.int32();
      const protocolName = r.string();
      const leader = r.string() ?? '';
      const memberId = r.string() ?? '';
      const members = r.array((r) => ({ memberId: r.string() ?? '', groupInstanceId: r.string(), metadata: r.bytes() ?? Buffer.alloc(0) }));
      return { errorCode, generationId, protocolName, leader, memberId, members };
    },
  };
}

export function syncGroup(a: {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}): WireRequest<{ errorCode: number; assignment: Buffer }> {
  return {
    apiKey: 14,
    apiVersion: 3,
    name: 'SyncGroup',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.groupId).int32(a.generationId).string(a.memberId).string(a.groupInstanceId);
      w.array(a.assignments, (w, x) => w.string(x.memberId).bytes(x.assignment));
    },
    decode: (r: Reader) => {
      r.int32();
      const errorCode = r.int16();
      return { errorCode, assignment: r.bytes() ?? Buffer.alloc(0) };
    },
  };
}

export function heartbeat(a: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }): WireRequest<{ errorCode: number }> {
  return {
    apiKey: 12,
    apiVersion: 3,
    name: 'Heartbeat',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.groupId).int32(a.generationId).string(a.memberId).string(a.groupInstanceId);
    },
    decode: (r: Reader) => {
      r.int32();
      return { errorCode: r.int16() };
    },
  };
}

export function leaveGroup(a: { groupId: string; memberId: string; groupInstanceId: string | null }): WireRequest<{ errorCode: number; memberErrors: number[] }> {
  return {
    apiKey: 13,
    apiVersion: 3,
    name: 'LeaveGroup',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.groupId);
      w.array([a], (w, m) => w.string(m.memberId).string(m.groupInstanceId));
    },
    decode: (r: Reader) => {
      r.int32();
      const errorCode = r.int16();
      const memberErrors = r.array((r) => {
        r.string();
        r.string();
        return r.int16();
      });
      return { errorCode, memberErrors };
    },
  };
}

export interface PartitionError {
  topic: string;
  partition: number;
  errorCode: number;
}

export function offsetCommit(a: {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: { topic: string; partition: number; offset: number }[];
}): WireRequest<PartitionError[]> {
  return {
    apiKey: 8,
    apiVersion: 7,
    name: 'OffsetCommit',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.groupId).int32(a.generationId).string(a.memberId).string(a.groupInstanceId);
      w.array(byTopic(a.offsets), (w, [topic, parts]) => {
        w.string(topic);
        w.array(parts, (w, p) => w.int32(p.partition).int64(p.offset).int32(-1).string(null));
      });
    },
    decode: (r: Reader) => {
      r.int32();
      return r.array((r) => {
        const topic = r.string() ?? '';
        return r.array((r) => ({ topic, partition: r.int32(), errorCode: r.int16() }));
      }).flat();
    },
  };
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when the group has no committed offset for the partition. */
  offset: number;
  errorCode: number;
}

export function offsetFetch(a: { groupId: string; partitions: { topic: string; partition: number }[]; requireStable: boolean }): WireRequest<{ errorCode: number; offsets: CommittedOffset[] }> {
  return {
    apiKey: 9,
    apiVersion: 7,
    name: 'OffsetFetch',
    flexible: true,
    encode: (w: Writer) => {
      w.compactString(a.groupId);
      w.compactArray(byTopic(a.partitions), (w, [topic, parts]) => {
        w.compactString(topic);
        w.compactArray(parts, (w, p) => w.int32(p.partition));
        w.tags();
      });
      w.bool(a.requireStable).tags();
    },
    decode: (r: Reader) => {
      r.int32();
      const offsets = r
        .compactArray((r) => {
          const topic = r.compactString() ?? '';
          const parts = r.compactArray((r) => {
            const partition = r.int32();
            const offset = r.int64();
            r.int32(); // leader epoch
            r.compactString(); // metadata
            const errorCode = r.int16();
            r.tags();
            return { topic, partition, offset, errorCode };
          });
          r.tags();
          return parts;
        })
        .flat();
      const errorCode = r.int16();
      r.tags();
      return { errorCode, offsets };
    },
  };
}

/** Groups partitions by topic, keeping first-seen topic order. */
export function byTopic<P extends { topic: string }>(parts: readonly P[]): [string, P[]][] {
  const m = new Map<string, P[]>();
  for (const p of parts) {
    let l = m.get(p.topic);
    if (!l) m.set(p.topic, (l = []));
    l.push(p);
  }
  return [...m];
}

/** FindCoordinator v2: the broker coordinating a group (keyType 0) or a transactional id (1). */
export function findCoordinator(a: { key: string; keyType: number }): WireRequest<{ errorCode: number; errorMessage: string | null; nodeId: number }> {
  return {
    apiKey: 10,
    apiVersion: 2,
    name: 'FindCoordinator',
    flexible: false,
    encode: (w: Writer) => {
      w.string(a.key).int8(a.keyType);
    },
    decode: (r: Reader) => {
      r.int32();
      const errorCode = r.int16();
      const errorMessage = r.string();
      const nodeId = r.int32();
      r.string(); // host
      r.int32(); // port
      return { errorCode, errorMessage, nodeId };
    },
  };
}
