// Page views in event time: per page, views in hopping 60 s windows that advance by 30 s (one final
// count per window, emitted once it closes); per user, sessions that end after 5 minutes without a
// view (the pages of each session, merged when a late view bridges two sessions).
import {
  BufferConfig,
  Consumed,
  Grouped,
  KeyValue,
  Materialized,
  Produced,
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology,
} from 'sluice';

export interface PageView {
  page: string;
  /** Event time, epoch milliseconds. */
  at: number;
}

export interface Session {
  pages: string[];
}

export interface PageViewTopics {
  views: string;
  pageCounts: string;
  sessions: string;
}

export const WINDOW = { sizeMs: 60_000, advanceMs: 30_000, graceMs: 10_000 };
export const SESSION = { gapMs: 5 * 60_000, graceMs: 60_000 };

export function pageViewTopology(topics: PageViewTopics): Topology {
  const S = Serdes.String();
  const viewSerde = Serdes.Json<PageView>();
  const builder = new StreamsBuilder();
  const views = builder.stream(topics.views, Consumed.with(S, viewSerde).withTimestampExtractor((r) => (r.value as PageView).at));

  views
    .groupBy((_user, view) => view.page, Grouped.with(S, viewSerde))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW.sizeMs, WINDOW.graceMs).advanceBy(WINDOW.advanceMs))
    .count(Materialized.as('page-views-per-window'))
    .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
    .toStream()
    .map((windowed, count) => KeyValue.pair(`${windowed.key}@${new Date(windowed.window.start).toISOString()}`, count))
    .to(topics.pageCounts, Produced.with(S, Serdes.Long()));

  views
    .groupByKey(Grouped.with(S, viewSerde))
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(SESSION.gapMs, SESSION.graceMs))
    .aggregate<Session>(
      () => ({ pages: [] }),
      (_user, view, session) => ({ pages: [...session.pages, view.page] }),
      (_user, a, b) => ({ pages: [...a.pages, ...b.pages] }),
      Materialized.as<string, Session>('user-sessions').withValueSerde(Serdes.Json<Session>()),
    )
    .toStream()
    .map((windowed, session) => KeyValue.pair(`${windowed.key}@${windowed.window.start}-${windowed.window.end}`, session === null ? null : JSON.stringify(session)))
    .to(topics.sessions, Produced.with(S, S));

  return builder.build();
}
