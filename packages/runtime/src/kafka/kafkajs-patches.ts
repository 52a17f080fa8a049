// Owns fixes to kafkajs 2.2.4 (pinned, in maintenance mode) that must be in place before kafkajs is
// first loaded, so every module importing 'kafkajs' in the adapter imports this file first. Each was
// the top item of a word-count profile (`BENCH_NODE_ARGS=--cpu-prof npm run bench`, bench/README.md);
// each is tested against kafkajs' own code (packages/runtime/test/kafkajs-*.test.ts).
//
// 1. groupMessagesPerPartition copies the partition's array for every message ([...current, message]):
//    quadratic in the batch size. This is the same grouping in linear time, keeping message order
//    within a partition; a message that names its partition skips the partitioner (which filters the
//    partition list for every message before it looks at the message's partition).
// 2. The v0 Record encoder: patches/record-encoder.ts.
// 3. The default partitioner's murmur2 on Long objects: murmur2 of @sluice/common.
// 4. The Produce v3 request's batch encoding: patches/produce-request.ts.
// 5. The v0 Record decoder's BigInt arithmetic per fetched record: patches/record-decoder.ts.
import { murmur2 } from '@sluice/common';
import { createRequire } from 'node:module';
import { produceRequestV3, type ProduceRequestArgs } from './patches/produce-request.js';
import { decodeRecord, type RecordBatchContext } from './patches/record-decoder.js';
import { encodeRecord, type RecordArgs } from './patches/record-encoder.js';

export { decodeRecord, encodeRecord, murmur2, produceRequestV3 };

const require = createRequire(import.meta.url);

interface GroupArgs {
  topic: string;
  partitionMetadata: unknown[];
  messages: unknown[];
  partitioner: (args: { topic: string; partitionMetadata: unknown[]; message: unknown }) => number;
}

function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupArgs): { [partition: number]: unknown[] } {
  const result: { [partition: number]: unknown[] } = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const named = (message as { partition?: number | null }).partition;
    const partition = named !== undefined && named !== null ? named : partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

const ORIGINALS = Symbol.for('sluice.kafkajs.originals');
interface Originals {
  record?: (args: RecordArgs) => { buffer: Buffer };
  murmur2?: (key: Buffer | string) => number;
  produceV3?: (args: ProduceRequestArgs) => { encode(): Promise<{ buffer: Buffer }> };
  recordDecoder?: (decoder: { buffer: Buffer; offset: number }, context: RecordBatchContext) => unknown;
}
// this module may be evaluated more than once in a process (test isolation): keep the first originals
const originals = ((globalThis as { [ORIGINALS]?: Originals })[ORIGINALS] ??= {});

/** Loads a kafkajs module, keeps its original exports (for tests) and makes `replacement` what later requires get. */
function replace(modulePath: string, slot: keyof Originals, replacement: unknown): void {
  const resolved = require.resolve(modulePath);
  (originals as Record<string, unknown>)[slot] ??= require(resolved) as unknown;
  const cached = require.cache[resolved];
  if (cached) cached.exports = replacement;
}

/** kafkajs' own implementations, kept for the byte-for-byte tests. */
export const kafkajsOriginals: Readonly<Originals> = originals;

// kafkajs requires the record encoder and the produce request lazily (on first produce), and the
// record decoder with the fetch response (on first fetch): these apply even when kafkajs was loaded
// first
// (the request first: its kept original then encodes with kafkajs' record encoder too)
replace('kafkajs/src/protocol/requests/produce/v3/request.js', 'produceV3', produceRequestV3);
replace('kafkajs/src/protocol/recordBatch/record/v0/index.js', 'record', encodeRecord);
replace('kafkajs/src/protocol/recordBatch/record/v0/decoder.js', 'recordDecoder', decodeRecord);

/** False when kafkajs' producer was loaded before this module: the grouping and hash stay kafkajs' then. */
export const kafkajsPatched = require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')] === undefined;
if (kafkajsPatched) {
  const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
  require(path);
  const cached = require.cache[path];
  if (cached) cached.exports = groupMessagesPerPartition;
  replace('kafkajs/src/producer/partitioners/default/murmur2.js', 'murmur2', murmur2);
}
