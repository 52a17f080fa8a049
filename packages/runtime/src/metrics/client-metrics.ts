// Owns the client-level metrics of a KafkaStreams app (Kafka's ClientMetrics, group stream-metrics,
// tag client-id, info level): alive-stream-threads, failed-stream-threads, and the state. Kafka
// reports the state as a string; here it is one gauge per state, tagged `state`, 1 for the current
// one (Prometheus' way to expose an enum: alert on kafka_stream_state{state="ERROR"} == 1).
import type { MetricsRegistry } from '@sluice/common';
import type { StreamsState } from '../state-machine.js';

export const CLIENT_GROUP = 'stream-metrics';

const STATES: readonly StreamsState[] = ['CREATED', 'REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'PENDING_ERROR', 'ERROR'];

export interface ClientMetricsSource {
  readonly clientId: string;
  state(): StreamsState;
  aliveThreads(): number;
  failedThreads(): number;
}

export function registerClientMetrics(registry: MetricsRegistry, s: ClientMetricsSource): void {
  const tags = { 'client-id': s.clientId };
  registry.gauge('client', CLIENT_GROUP, 'alive-stream-threads', tags, 'The current number of alive stream threads that are running or participating in rebalance', () => s.aliveThreads());
  registry.gauge('client', CLIENT_GROUP, 'failed-stream-threads', tags, 'The number of failed stream threads since the start of the Kafka Streams client', () => s.failedThreads());
  for (const state of STATES) {
    registry.gauge('client', CLIENT_GROUP, 'state', { ...tags, state }, 'The state of the Kafka Streams client (1 for the current state)', () => (s.state() === state ? 1 : 0));
  }
}
