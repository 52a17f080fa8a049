// The offset checkpoint file: Kafka's text format, atomic replacement, missing = empty, and a
// corrupt file reported as CheckpointCorruptError (which the runtime treats as missing).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointCorruptError, OffsetCheckpoint, topicPartitionKey, parseTopicPartitionKey } from '@sluice/state';
import { tempDir } from './helpers/fake-context.js';

describe('OffsetCheckpoint', () => {
  it('writes Kafka’s format and reads it back', async () => {
    const dir = tempDir();
    const checkpoint = OffsetCheckpoint.forTaskDir(dir);
    expect(checkpoint.file).toBe(path.join(dir, '.checkpoint'));
    const offsets = new Map([
      [topicPartitionKey('app-counts-changelog', 3), 1234],
      [topicPartitionKey('app-other.store-changelog', 0), 0],
    ]);
    await checkpoint.write(offsets);
    expect(fs.readFileSync(checkpoint.file, 'utf8')).toBe('0\n2\napp-counts-changelog 3 1234\napp-other.store-changelog 0 0\n');
    expect(await checkpoint.read()).toEqual(offsets);
    expect(fs.readdirSync(dir)).toEqual(['.checkpoint']);
  });

  it('replaces the previous checkpoint', async () => {
    const checkpoint = OffsetCheckpoint.forTaskDir(tempDir());
    await checkpoint.write(new Map([['t:0', 1]]));
    await checkpoint.write(new Map([['t:1', 2]]));
    expect(await checkpoint.read()).toEqual(new Map([['t:1', 2]]));
  });

  it('reads a missing file as no offsets, and deletes idempotently', async () => {
    const checkpoint = OffsetCheckpoint.forTaskDir(tempDir());
    expect(await checkpoint.read()).toEqual(new Map());
    await checkpoint.write(new Map([['t:0', 1]]));
    await checkpoint.delete();
    await checkpoint.delete();
    expect(await checkpoint.read()).toEqual(new Map());
  });

  it('skips negative sentinel offsets as Kafka does', async () => {
    const checkpoint = OffsetCheckpoint.forTaskDir(tempDir());
    fs.writeFileSync(checkpoint.file, '0\n2\nt 0 -4\nt 1 7\n');
    expect(await checkpoint.read()).toEqual(new Map([['t:1', 7]]));
  });

  it.each([
    ['an empty file', ''],
    ['an unknown version', '1\n1\nt 0 5\n'],
    ['a malformed line', '0\n1\nt 0\n'],
    ['a non-numeric offset', '0\n1\nt 0 five\n'],
    ['a wrong entry count', '0\n3\nt 0 5\n'],
    ['a torn write', '0\n2\nt 0 5\nt 1'],
  ])('reports %s as CheckpointCorruptError naming the file', async (_case, content) => {
    const checkpoint = OffsetCheckpoint.forTaskDir(tempDir());
    fs.writeFileSync(checkpoint.file, content);
    const err = await checkpoint.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointCorruptError);
    expect((err as Error).message).toContain(checkpoint.file);
    expect((err as Error).message).toMatch(/treat the checkpoint as missing/);
  });

  it('refuses to write invalid offsets', async () => {
    const checkpoint = OffsetCheckpoint.forTaskDir(tempDir());
    await expect(checkpoint.write(new Map([['t:0', -1]]))).rejects.toThrow(/non-negative/);
    expect(() => parseTopicPartitionKey('no-partition')).toThrow(/topic.*partition/);
    expect(parseTopicPartitionKey('a.b-c:12')).toEqual({ topic: 'a.b-c', partition: 12 });
  });
});
