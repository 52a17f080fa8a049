// The page-view topology in TopologyTestDriver: one final count per hopping window once it closes,
// late views dropped; sessions that merge when a view bridges them.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver } from 'sluice';
import { pageViewTopology, type PageView } from '../src/topology.js';

let driver: TopologyTestDriver | undefined;
afterEach(async () => driver?.close());
const topics = { views: 'views', pageCounts: 'counts', sessions: 'sessions' };
const iso = (ms: number) => new Date(ms).toISOString();

describe('page view windows', () => {
  it('emits one final count per hopping window after it closes', async () => {
    driver = new TopologyTestDriver(pageViewTopology(topics));
    const views = driver.createInputTopic('views', Serdes.String(), Serdes.Json<PageView>());
    await views.pipeInput('u1', { page: 'home', at: 10_000 }); // window [0,60s) (no window starts before 0)
    await views.pipeInput('u2', { page: 'home', at: 40_000 }); // [0,60s) [30s,90s)
    await views.pipeInput('u1', { page: 'home', at: 35_000 }); // out of order, within grace
    const counts = driver.createOutputTopic('counts', Serdes.String(), Serdes.Long());
    expect(counts.isEmpty()).toBe(true); // nothing closed yet
    await views.pipeInput('u3', { page: 'other', at: 100_000 }); // stream time 100s: windows ending <= 90s close
    expect(counts.readKeyValuesToList()).toEqual([
      { key: `home@${iso(0)}`, value: 3 },
      { key: `home@${iso(30_000)}`, value: 2 },
    ]);
    await views.pipeInput('u1', { page: 'home', at: 20_000 }); // too late for every window it belongs to
    await views.pipeInput('u3', { page: 'other', at: 200_000 });
    expect(counts.readKeyValuesToList().map((kv) => kv.key)).toEqual([`other@${iso(60_000)}`, `other@${iso(90_000)}`]);
  });

  it('merges sessions when a late view bridges them', async () => {
    driver = new TopologyTestDriver(pageViewTopology(topics), { cacheMaxBytes: 0 });
    const views = driver.createInputTopic('views', Serdes.String(), Serdes.Json<PageView>());
    await views.pipeInput('ann', { page: 'a', at: 0 });
    await views.pipeInput('ann', { page: 'c', at: 330_000 }); // 5.5 min later: a second session
    await views.pipeInput('ann', { page: 'b', at: 180_000 }); // within 5 min of both: one session
    const sessions = driver.createOutputTopic('sessions', Serdes.String(), Serdes.String()).readKeyValuesToList();
    // as Kafka Streams: the sessions are merged first (a, c), then the bridging view is added (b)
    expect(sessions.at(-1)).toEqual({ key: 'ann@0-330000', value: JSON.stringify({ pages: ['a', 'c', 'b'] }) });
    // the two sessions it replaced were retracted (null) before the merged one
    expect(sessions.filter((s) => s.value === null).map((s) => s.key).sort()).toEqual(['ann@0-0', 'ann@330000-330000']);
  });
});
