// Owns the lifecycle of a KafkaStreams instance as an explicit state machine (Kafka Streams' States):
//
//   CREATED ──start──▶ REBALANCING ◀──▶ RUNNING
//      │                  │               │
//      │                  └──close──┬─────┘
//      └─────────close──────────────▶ PENDING_SHUTDOWN ──▶ NOT_RUNNING
//   REBALANCING | RUNNING ──fatal error──▶ PENDING_ERROR ──▶ ERROR ──close──▶ PENDING_SHUTDOWN
import { IllegalStateError, describeError, type Logger } from '@sluice/common';

export type StreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR';

const legal: { [S in StreamsState]: readonly StreamsState[] } = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  REBALANCING: ['RUNNING', 'REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'PENDING_ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  PENDING_ERROR: ['ERROR'],
  ERROR: ['PENDING_SHUTDOWN'],
};

export type StateListener = (next: StreamsState, previous: StreamsState) => void;

export class StreamsStateMachine {
  private current: StreamsState = 'CREATED';
  private readonly listeners = new Set<StateListener>();

  constructor(private readonly logger: Logger) {}

  get state(): StreamsState {
    return this.current;
  }

  is(...states: StreamsState[]): boolean {
    return states.includes(this.current);
  }

  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Move to `next` (a no-op when already there); throws on an illegal move. */
  to(next: StreamsState): void {
    const prev = this.current;
    if (prev === next) return;
    if (!legal[prev].includes(next)) throw new IllegalStateError(`KafkaStreams cannot go from ${prev} to ${next}`);
    this.current = next;
    for (const l of this.listeners) {
      try {
        l(next, prev);
      } catch (err) {
        // a listener's failure must not break the lifecycle, but it is reported
        this.logger.error(`a state listener threw on ${prev} -> ${next}: ${describeError(err)}`);
      }
    }
  }

  /** Like to(), but only if the move is legal. */
  tryTo(next: StreamsState): boolean {
    if (this.current === next) return false;
    if (!legal[this.current].includes(next)) return false;
    this.to(next);
    return true;
  }
}
