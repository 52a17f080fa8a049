// The word-count topology: split lines into words, re-key by word (a repartition topic), count per
// word in a queryable store, and write every updated count to the output topic.
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from 'sluice';

export interface WordCountTopics {
  input: string;
  output: string;
}

export function wordCountTopology(topics: WordCountTopics): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream(topics.input, Consumed.with(Serdes.String(), Serdes.String()))
    .flatMapValues((line) => line.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 0))
    .groupBy((_key, word) => word, Grouped.with(Serdes.String(), Serdes.String()))
    .count(Materialized.as<string, number>('word-counts'))
    .toStream()
    .to(topics.output, Produced.with(Serdes.String(), Serdes.Long()));
  return builder.build();
}
