// The faster record decoder must return what kafkajs' own decoder returns for the same bytes.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, kafkajsOriginals } from '../src/kafka/kafkajs-patches.js';

interface Decoder {
  buffer: Buffer;
  offset: number;
  readVarIntBytes(): Buffer;
}
const KafkajsDecoder = createRequire(import.meta.url)('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => Decoder;

// a record in a batch is length-prefixed; kafkajs hands the record decoder a Decoder over the record
const decoderOf = (bytes: Buffer) => new KafkajsDecoder(new KafkajsDecoder(bytes).readVarIntBytes());

describe('record decoding patch', () => {
  const records = [
    { offsetDelta: 0, timestampDelta: 0, key: null, value: null },
    { offsetDelta: 7, timestampDelta: 1234, key: Buffer.from('k'), value: Buffer.from('value ü') },
    { offsetDelta: 300, timestampDelta: -77, key: Buffer.alloc(0), value: Buffer.alloc(20_000, 1) },
    { offsetDelta: 70_000, timestampDelta: 2 ** 45, key: Buffer.from([1, 2, 3]), value: null, headers: { trace: Buffer.from('abc'), multi: [Buffer.from('1'), Buffer.from('two'), Buffer.from('3')], empty: Buffer.alloc(0) } },
    { offsetDelta: 1, timestampDelta: 2 ** 60, key: null, value: Buffer.from('far future') },
  ];
  const contexts = [
    { firstOffset: '0', firstTimestamp: '1795650000000', maxTimestamp: '1795650009999', timestampType: 0, magicByte: 2, isControlBatch: false },
    { firstOffset: '123456789012', firstTimestamp: '-1', maxTimestamp: '-1', timestampType: 0, magicByte: 2, isControlBatch: true },
    { firstOffset: '9007199254740990', firstTimestamp: '9007199254740000', maxTimestamp: '1', timestampType: 0, magicByte: 2 },
    { firstOffset: '42', firstTimestamp: '1000', maxTimestamp: '5000', timestampType: 1, magicByte: 2 },
  ];
  it.each(contexts.map((c, i) => [i, c] as const))('batch context %i: same records as kafkajs', (_i, context) => {
    for (const r of records) {
      const bytes = encodeRecord(r).buffer;
      const ours = decodeRecord(decoderOf(bytes), context);
      const theirs = kafkajsOriginals.recordDecoder!(decoderOf(bytes), context);
      expect(ours).toEqual(theirs);
    }
  });
});
