// Owns fixes to kafkajs 2.2.4 (pinned, in maintenance mode) that must be in place before kafkajs is
// first loaded, so every module importing 'kafkajs' in the adapter imports this file first.
//
// groupMessagesPerPartition copies the partition's array for every message ([...current, message]):
// quadratic in the batch size, and the top item of a word-count profile. This is the same grouping
// in linear time; it keeps message order within a partition.
import { createRequire } from 'node:module';

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
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
/** False when kafkajs' producer was loaded before this module: the quadratic grouping stays then. */
export const kafkajsPatched = require.cache[require.resolve('kafkajs/src/producer/sendMessages.js')] === undefined;
if (kafkajsPatched) {
  // load it, then replace what sendMessages.js will receive when it requires it
  require(path);
  const cached = require.cache[path];
  if (cached) cached.exports = groupMessagesPerPartition;
}
