// The README's one-minute word count, as written there, run through TopologyTestDriver: the code a
// new user copies first must compile and do what the README says.
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, TopologyTestDriver } from 'sluice';

let driver: TopologyTestDriver | undefined;
afterEach(async () => driver?.close());

describe('README word count', () => {
  it('counts words', async () => {
    const builder = new StreamsBuilder();
    builder
      .stream('lines', Consumed.with(Serdes.String(), Serdes.String()))
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
      .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
      .count(Materialized.as('word-counts'))
      .toStream()
      .to('word-counts', Produced.with(Serdes.String(), Serdes.Long()));

    driver = new TopologyTestDriver(builder.build());
    await driver.createInputTopic('lines', Serdes.String(), Serdes.String()).pipeInput(null, 'hello hello');
    expect(driver.createOutputTopic('word-counts', Serdes.String(), Serdes.Long()).readKeyValuesToMap()).toEqual(new Map([['hello', 2]]));
  });
});
