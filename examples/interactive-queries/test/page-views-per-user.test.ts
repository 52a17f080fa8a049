// The page-views topology in TopologyTestDriver: the total per user (store and topic) and the
// per-minute windows of event time that the query server reads, late views within grace included.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver, type TimestampedKeyValueStore, type TimestampedWindowStore } from 'sluice';
import { pageViewsTopology, STORES, type PageView } from '../src/topology.js';

let driver: TopologyTestDriver | undefined;
afterEach(async () => driver?.close());

const T0 = Date.UTC(2026, 10, 25, 16, 0, 0);

describe('page views per user', () => {
  it('counts views per user and per minute of event time', async () => {
    driver = new TopologyTestDriver(pageViewsTopology({ views: 'views', totals: 'totals' }), { cacheMaxBytes: 0 });
    const views = driver.createInputTopic('views', Serdes.String(), Serdes.Json<PageView>());
    await views.pipeInput('ann', { page: '/', at: T0 + 1_000 });
    await views.pipeInput('bob', { page: '/a', at: T0 + 2_000 });
    await views.pipeInput('ann', { page: '/b', at: T0 + 61_000 });
    await views.pipeInput('ann', { page: '/c', at: T0 + 59_000 }); // out of order, within the 10 s grace
    await views.pipeInput('ann', { page: '/d', at: T0 + 125_000 });

    expect(driver.createOutputTopic('totals', Serdes.String(), Serdes.Long()).readKeyValuesToMap()).toEqual(new Map([['ann', 4], ['bob', 1]]));
    const totals = driver.getStateStore<TimestampedKeyValueStore<string, number>>(STORES.totals)!;
    expect(await totals.get('ann')).toEqual({ value: 4, timestamp: T0 + 125_000 });

    const perMinute = driver.getStateStore<TimestampedWindowStore<string, number>>(STORES.perMinute)!;
    const windows: [number, number][] = [];
    for await (const kv of perMinute.fetch('ann', T0, T0 + 10 * 60_000)) windows.push([kv.key - T0, kv.value.value]);
    expect(windows).toEqual([
      [0, 2],
      [60_000, 1],
      [120_000, 1],
    ]);
  });

  it('names the stores the query server offers in the topology', () => {
    const described = pageViewsTopology({ views: 'views', totals: 'totals' }).describe().toString();
    expect(described).toContain(`stores: [${STORES.totals}]`);
    expect(described).toContain(`stores: [${STORES.perMinute}]`);
  });
});
