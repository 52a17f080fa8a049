// Page views per user, kept queryable: the total per user (a KTable in the 'views-per-user' store)
// and the count per user and minute of event time (the 'views-per-user-per-minute' window store,
// kept for a day). The totals also go to a topic, for consumers that want every change.
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows, type Topology } from 'sluice';

export interface PageView {
  page: string;
  /** Event time, epoch milliseconds. */
  at: number;
}

export interface PageViewTopics {
  views: string;
  totals: string;
}

export const STORES = { totals: 'views-per-user', perMinute: 'views-per-user-per-minute' } as const;
export const MINUTE_MS = 60_000;
export const RETENTION_MS = 24 * 60 * 60_000;

export function pageViewsTopology(topics: PageViewTopics): Topology {
  const S = Serdes.String();
  const builder = new StreamsBuilder();
  const byUser = builder
    .stream(topics.views, Consumed.with(S, Serdes.Json<PageView>()).withTimestampExtractor((r) => (r.value as PageView).at))
    .groupByKey(Grouped.with(S, Serdes.Json<PageView>()));

  byUser
    .count(Materialized.as<string, number>(STORES.totals).withKeySerde(S).withValueSerde(Serdes.Long()))
    .toStream()
    .to(topics.totals, Produced.with(S, Serdes.Long()));

  // queried, not written anywhere: the store is the result
  byUser.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE_MS, 10_000)).count(Materialized.as<string, number>(STORES.perMinute).withKeySerde(S).withValueSerde(Serdes.Long()).withRetention(RETENTION_MS));

  return builder.build();
}
