// The word-count topology in TopologyTestDriver: counts per word, case-insensitive, across lines.
import { afterEach, describe, expect, it } from 'vitest';
import { Serdes, TopologyTestDriver } from 'sluice';
import { wordCountTopology } from '../src/topology.js';

let driver: TopologyTestDriver | undefined;
afterEach(async () => driver?.close());

describe('word count', () => {
  it('counts words across lines', async () => {
    driver = new TopologyTestDriver(wordCountTopology({ input: 'lines', output: 'counts' }));
    const lines = driver.createInputTopic('lines', Serdes.String(), Serdes.String());
    await lines.pipeValueList(['The quick brown fox', 'the lazy dog', "fox's den"]);
    const counts = driver.createOutputTopic('counts', Serdes.String(), Serdes.Long()).readKeyValuesToMap();
    expect(counts).toEqual(new Map([['the', 2], ['quick', 1], ['brown', 1], ['fox', 1], ['lazy', 1], ['dog', 1], ["fox's", 1], ['den', 1]]));
  });
});
