// Owns this worker's membership of its consumer group (Kafka's classic group protocol, as the Java
// consumer's AbstractCoordinator): joining and syncing (the leader runs the assignor), heartbeats on
// a timer of their own — so processing never starves them — committing and fetching offsets with the
// current generation, and leaving. The member id is kept across everything it can recover from
// (timeouts, a lost coordinator, a rebalance): only the coordinator saying UNKNOWN_MEMBER_ID resets
// it, so a worker that rides out a broker hiccup is not a new member that starts yet another
// rebalance. Group requests wait as long as a rebalance may take (rebalance timeout + 5 s).
//
//   UNJOINED ──join()──▶ STABLE ──(heartbeat: rebalance / our own request)──▶ REJOIN_NEEDED ──join()──▶ STABLE
import { describeError, type Clock, type Logger } from '@sluice/common';
import { KafkaProtocolError, check, errorName } from '../wire/errors.js';
import { heartbeat, joinGroup, leaveGroup, offsetCommit, offsetFetch, syncGroup, type CommittedOffset, type JoinGroupMember } from '../wire/requests/group.js';
import type { GroupMetadata } from '../wire/requests/transaction.js';
import { COORDINATOR_GROUP, isRetriable, type KafkaWire } from '../wire/wire.js';

export interface MembershipOptions {
  readonly wire: KafkaWire;
  readonly groupId: string;
  /** Static membership (group.instance.id, KIP-345): a restarted worker takes its old place at once. */
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The subscription this member sends (protocol name → metadata), computed before each join. */
  protocols(): Promise<{ name: string; metadata: Buffer }[]>;
  /** Runs on the leader: each member's assignment. */
  assign(members: readonly JoinGroupMember[], protocol: string): Promise<Map<string, Buffer>>;
  /** A heartbeat learned that the membership is over for good (e.g. fenced instance id). */
  onFatal(error: Error): void;
}

export type MembershipState = 'UNJOINED' | 'STABLE' | 'REJOIN_NEEDED' | 'LEFT';

/** Answers about this member's place in the group (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS). */
const GROUP_STATE_CODES = new Set([22, 25, 27]);

export class GroupMembership {
  memberId = '';
  generationId = -1;
  private stateValue: MembershipState = 'UNJOINED';
  private rejoinReason = 'first join';
  private lostFlag = false;
  private heartbeatTimer: { cancel(): void } | undefined;
  private heartbeatInFlight = false;
  private lastHeartbeatOk = 0;

  constructor(private readonly o: MembershipOptions) {}

  get state(): MembershipState {
    return this.stateValue;
  }

  /** True when the group must be (re)joined before the next fetch. */
  needsRejoin(): boolean {
    return this.stateValue === 'UNJOINED' || this.stateValue === 'REJOIN_NEEDED';
  }

  /**
   * True when the coordinator no longer knows this member's generation: its partitions may be
   * another member's already, so nothing may be committed for them (Kafka's onPartitionsLost).
   */
  get lost(): boolean {
    return this.lostFlag;
  }

  requestRejoin(reason: string): void {
    if (this.stateValue === 'STABLE') {
      this.stateValue = 'REJOIN_NEEDED';
      this.rejoinReason = reason;
      this.o.logger.info(`rejoining the group: ${reason}`);
    }
  }

  /** What TxnOffsetCommit carries so the coordinator fences a zombie's offsets (KIP-447). */
  groupMetadata(): GroupMetadata {
    return { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.o.groupInstanceId };
  }

  /**
   * Join and sync until this member has an assignment of a stable generation. Retries what can be
   * retried (with backoff, keeping the member id); `shouldStop` ends the wait (closing).
   */
  async join(shouldStop: () => boolean): Promise<Buffer> {
    this.stopHeartbeats();
    const joinTimeout = this.o.rebalanceTimeoutMs + 5_000;
    let attempt = 0;
    for (;;) {
      if (shouldStop()) throw new KafkaProtocolError(-1, `joining group '${this.o.groupId}'`, 'the worker is closing');
      try {
        const coordinator = await this.o.wire.coordinator(this.o.groupId, COORDINATOR_GROUP);
        const joined = await this.o.wire.send(
          coordinator,
          joinGroup({
            groupId: this.o.groupId,
            sessionTimeoutMs: this.o.sessionTimeoutMs,
            rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
            memberId: this.memberId,
            groupInstanceId: this.o.groupInstanceId,
            protocolType: 'consumer',
            protocols: await this.o.protocols(),
          }),
          joinTimeout,
        );
        if (joined.errorCode === 79) {
          // MEMBER_ID_REQUIRED (KIP-394): the coordinator gave us our id; join again with it at once
          this.memberId = joined.memberId;
          continue;
        }
        if (joined.errorCode !== 0) {
          this.onGroupError(joined.errorCode, 'JoinGroup');
          await this.backoff(attempt++);
          continue;
        }
        this.memberId = joined.memberId;
        this.generationId = joined.generationId;
        let assignments: { memberId: string; assignment: Buffer }[] = [];
        if (joined.leader === joined.memberId) {
          const byMember = await this.o.assign(joined.members, joined.protocolName ?? '');
          assignments = [...byMember].map(([memberId, assignment]) => ({ memberId, assignment }));
        }
        const synced = await this.o.wire.send(
          coordinator,
          syncGroup({ groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.o.groupInstanceId, assignments }),
          joinTimeout,
        );
        if (synced.errorCode !== 0) {
          this.onGroupError(synced.errorCode, 'SyncGroup');
          if (synced.errorCode !== 27) await this.backoff(attempt++);
          continue;
        }
        this.stateValue = 'STABLE';
        this.lostFlag = false;
        this.lastHeartbeatOk = this.o.clock.now();
        this.o.logger.info(`joined group '${this.o.groupId}' generation ${this.generationId} as ${this.memberId}${joined.leader === joined.memberId ? ' (leader)' : ''} (${this.rejoinReason})`);
        this.startHeartbeats();
        return synced.assignment;
      } catch (err) {
        if (!isRetriable(err)) throw err;
        this.o.wire.forgetCoordinator(this.o.groupId, COORDINATOR_GROUP);
        this.o.logger.warn(`joining group '${this.o.groupId}' failed, retrying (member id kept): ${describeError(err)}`);
        await this.backoff(attempt++);
      }
    }
  }

  /** Commit offsets with this generation. Throws KafkaProtocolError (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, …) per Kafka. */
  async commitOffsets(offsets: { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (offsets.length === 0) return;
    const action = `committing offsets of group '${this.o.groupId}'`;
    for (let attempt = 0; ; attempt++) {
      try {
        const coordinator = await this.o.wire.coordinator(this.o.groupId, COORDINATOR_GROUP);
        const errors = await this.o.wire.send(
          coordinator,
          offsetCommit({ groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.o.groupInstanceId, offsets }),
        );
        const failed = errors.find((e) => e.errorCode !== 0);
        if (!failed) return;
        if (GROUP_STATE_CODES.has(failed.errorCode)) this.onGroupError(failed.errorCode, 'OffsetCommit');
        check(failed.errorCode, action, `${failed.topic}-${failed.partition}`);
      } catch (err) {
        if (!isRetriable(err) || attempt >= 5) throw err;
        this.o.wire.forgetCoordinator(this.o.groupId, COORDINATOR_GROUP);
        await this.backoff(attempt);
      }
    }
  }

  /**
   * Committed offsets (-1 where none). `requireStable` (exactly-once): waits while a transaction
   * with offsets for these partitions is still completing, instead of returning the offset before it.
   */
  async fetchOffsets(partitions: { topic: string; partition: number }[], requireStable: boolean, deadline: number): Promise<CommittedOffset[]> {
    if (partitions.length === 0) return [];
    const action = `reading the committed offsets of group '${this.o.groupId}'`;
    let warnAt = this.o.clock.now() + 10_000;
    for (let attempt = 0; ; attempt++) {
      try {
        const coordinator = await this.o.wire.coordinator(this.o.groupId, COORDINATOR_GROUP);
        const res = await this.o.wire.send(coordinator, offsetFetch({ groupId: this.o.groupId, partitions, requireStable }));
        check(res.errorCode, action);
        const failed = res.offsets.find((o) => o.errorCode !== 0);
        if (failed) check(failed.errorCode, action, `${failed.topic}-${failed.partition}`);
        return res.offsets;
      } catch (err) {
        if (!isRetriable(err) || this.o.clock.now() > deadline) throw err;
        const unstable = err instanceof KafkaProtocolError && err.kafkaCode === 88;
        if (!unstable) this.o.wire.forgetCoordinator(this.o.groupId, COORDINATOR_GROUP);
        if (this.o.clock.now() > warnAt) {
          warnAt = this.o.clock.now() + 10_000;
          this.o.logger.warn(
            unstable
              ? `${action}: a transaction that commits offsets of these partitions is still open (${describeError(err)}); waiting for it to end (its producer commits or aborts it, or the coordinator aborts it after its transaction timeout) until ${new Date(deadline).toISOString()}`
              : `${action} keeps failing (${describeError(err)}); retrying until ${new Date(deadline).toISOString()}`,
          );
        }
        await this.backoff(attempt);
      }
    }
  }

  /** Leave the group so its partitions move at once (a static member stays: it is coming back). */
  async leave(): Promise<void> {
    this.stopHeartbeats();
    const wasMember = this.memberId !== '' && this.stateValue !== 'LEFT';
    this.stateValue = 'LEFT';
    if (!wasMember || this.o.groupInstanceId !== null) return;
    try {
      const coordinator = await this.o.wire.coordinator(this.o.groupId, COORDINATOR_GROUP);
      await this.o.wire.send(coordinator, leaveGroup({ groupId: this.o.groupId, memberId: this.memberId, groupInstanceId: null }), 5_000);
    } catch (err) {
      this.o.logger.warn(`leaving group '${this.o.groupId}' failed (its partitions move once the session times out): ${describeError(err)}`);
    }
  }

  stopHeartbeats(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = undefined;
  }

  private startHeartbeats(): void {
    this.stopHeartbeats();
    const tick = () => {
      this.heartbeatTimer = undefined;
      if (this.stateValue !== 'STABLE' && this.stateValue !== 'REJOIN_NEEDED') return;
      void this.beat().finally(() => {
        if ((this.stateValue === 'STABLE' || this.stateValue === 'REJOIN_NEEDED') && !this.heartbeatTimer) this.heartbeatTimer = this.o.clock.setTimeout(tick, this.o.heartbeatIntervalMs);
      });
    };
    this.heartbeatTimer = this.o.clock.setTimeout(tick, this.o.heartbeatIntervalMs);
  }

  private async beat(): Promise<void> {
    if (this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    try {
      const coordinator = await this.o.wire.coordinator(this.o.groupId, COORDINATOR_GROUP);
      const { errorCode } = await this.o.wire.send(
        coordinator,
        heartbeat({ groupId: this.o.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.o.groupInstanceId }),
        Math.min(this.o.requestTimeoutMs, this.o.sessionTimeoutMs),
      );
      if (errorCode === 0) {
        this.lastHeartbeatOk = this.o.clock.now();
        return;
      }
      if (errorCode === 27) return this.requestRejoin('the group is rebalancing');
      this.onGroupError(errorCode, 'Heartbeat');
    } catch (err) {
      this.o.wire.forgetCoordinator(this.o.groupId, COORDINATOR_GROUP);
      const silentFor = this.o.clock.now() - this.lastHeartbeatOk;
      const log = silentFor > this.o.sessionTimeoutMs ? 'warn' : 'debug';
      this.o.logger[log](`heartbeat of group '${this.o.groupId}' failed (${describeError(err)}); no heartbeat for ${silentFor} ms, keeping member id ${this.memberId}`);
    } finally {
      this.heartbeatInFlight = false;
    }
  }

  /** What a group error code means for this member. Fatal codes are reported and thrown. */
  private onGroupError(code: number, request: string): void {
    switch (code) {
      case 25: // UNKNOWN_MEMBER_ID: the coordinator forgot us (session expired): a new member id
        this.memberId = '';
        this.markLost(code);
        this.requestRejoinAny(`${request}: ${errorName(code)}`);
        return;
      case 22: // ILLEGAL_GENERATION: a newer generation exists without us
        this.markLost(code);
        this.requestRejoinAny(`${request}: ${errorName(code)}`);
        return;
      case 27: // REBALANCE_IN_PROGRESS
        this.requestRejoinAny(`${request}: ${errorName(code)}`);
        return;
      case 14: // COORDINATOR_LOAD_IN_PROGRESS
      case 15: // COORDINATOR_NOT_AVAILABLE
      case 16: // NOT_COORDINATOR
        this.o.wire.forgetCoordinator(this.o.groupId, COORDINATOR_GROUP);
        return;
      default: {
        const err = new KafkaProtocolError(code, `${request} of group '${this.o.groupId}'`, fatalHint(code, this.o.groupId));
        this.stateValue = 'LEFT';
        this.stopHeartbeats();
        this.o.onFatal(err);
        throw err;
      }
    }
  }

  private requestRejoinAny(reason: string): void {
    if (this.stateValue === 'STABLE') this.requestRejoin(reason);
    else this.rejoinReason = reason;
  }

  private markLost(code: number): void {
    if (!this.lostFlag) this.o.logger.warn(`group '${this.o.groupId}' answered ${errorName(code)}: this worker's tasks may have moved; they are closed without committing`);
    this.lostFlag = true;
  }

  private backoff(attempt: number): Promise<void> {
    const ms = Math.min(1_000, 50 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
    return new Promise((resolve) => this.o.clock.setTimeout(resolve, ms));
  }
}

function fatalHint(code: number, groupId: string): string {
  switch (code) {
    case 30:
      return `the principal may not use group '${groupId}': add a READ ACL on the group (kafka-acls --add --allow-principal User:<you> --operation Read --group ${groupId})`;
    case 82:
      return 'another worker runs with the same groupInstanceId; give every worker its own';
    case 26:
      return "sessionTimeoutMs is outside the brokers' group.min.session.timeout.ms..group.max.session.timeout.ms";
    case 23:
      return 'another application with a different protocol uses the same applicationId; application ids must be unique';
    case 81:
      return "the group has reached the brokers' group.max.size";
    default:
      return 'this cannot be retried';
  }
}
