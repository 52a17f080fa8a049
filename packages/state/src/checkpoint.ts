// Owns the offset checkpoint file of a task (`<taskDir>/.checkpoint`): the changelog offsets up to
// which its stores are known to hold the data. Format as Kafka Streams' OffsetCheckpoint:
//   0                       version
//   <n>                     number of entries
//   <topic> <partition> <offset>   n lines
// Written atomically (temp file, fsync, rename), so a reader sees the old or the new file, whole.
import fs from 'node:fs/promises';
import path from 'node:path';
import { StateStoreError, type SluiceErrorOptions } from '@sluice/common';

const VERSION = 0;
export const CHECKPOINT_FILE_NAME = '.checkpoint';

/**
 * The checkpoint file exists but cannot be read as a checkpoint. Treat it as missing: the offsets
 * are unknown, so the task's stores must be wiped and restored from the start of their changelogs.
 */
export class CheckpointCorruptError extends StateStoreError {
  constructor(
    readonly file: string,
    problem: string,
    options: SluiceErrorOptions = {},
  ) {
    super(`checkpoint file ${file} is corrupt (${problem}); treat the checkpoint as missing: wipe the task's stores and restore them from the changelog`, {
      ...options,
      context: { file, ...options.context },
    });
  }
}

/** The map key of a changelog partition in a checkpoint: `<topic>:<partition>` (':' never occurs in topic names). */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function parseTopicPartitionKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf(':');
  const partition = Number(key.slice(at + 1));
  if (at <= 0 || !Number.isInteger(partition) || partition < 0) throw new RangeError(`'${key}' is not a <topic>:<partition> key`);
  return { topic: key.slice(0, at), partition };
}

export class OffsetCheckpoint {
  constructor(readonly file: string) {}

  /** The checkpoint of the task whose directory is `taskDir`. */
  static forTaskDir(taskDir: string): OffsetCheckpoint {
    return new OffsetCheckpoint(path.join(taskDir, CHECKPOINT_FILE_NAME));
  }

  /**
   * Offsets by `topicPartitionKey(topic, partition)`; an empty map when there is no file.
   * @throws CheckpointCorruptError when the file cannot be parsed.
   */
  async read(): Promise<Map<string, number>> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new StateStoreError(`could not read checkpoint file ${this.file}: ${(err as Error).message}`, { cause: err, context: { file: this.file } });
    }
    return this.parse(text);
  }

  /** Replaces the checkpoint with `offsets` (keys from topicPartitionKey). */
  async write(offsets: ReadonlyMap<string, number>): Promise<void> {
    const lines = [String(VERSION), String(offsets.size)];
    for (const [key, offset] of offsets) {
      const { topic, partition } = parseTopicPartitionKey(key);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`checkpoint offset of ${key} must be a non-negative integer, got ${offset}`);
      lines.push(`${topic} ${partition} ${offset}`);
    }
    const tmp = `${this.file}.tmp`;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(lines.join('\n') + '\n', 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.file);
    await syncDirectory(path.dirname(this.file));
  }

  async delete(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }

  private parse(text: string): Map<string, number> {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length < 2) throw new CheckpointCorruptError(this.file, lines.length === 0 ? 'the file is empty' : 'the entry count is missing');
    if (lines[0]!.trim() !== String(VERSION)) throw new CheckpointCorruptError(this.file, `unknown version '${lines[0]}', expected ${VERSION}`);
    const expected = Number(lines[1]);
    if (!/^\d+$/.test(lines[1]!.trim())) throw new CheckpointCorruptError(this.file, `entry count '${lines[1]}' is not a number`);
    const offsets = new Map<string, number>();
    let skipped = 0;
    for (const line of lines.slice(2)) {
      const parts = line.trim().split(/\s+/);
      const [topic, partition, offset] = parts;
      if (parts.length !== 3 || !/^\d+$/.test(partition!) || !/^-?\d+$/.test(offset!)) throw new CheckpointCorruptError(this.file, `malformed line '${line}'`);
      const value = Number(offset);
      if (!Number.isSafeInteger(value)) throw new CheckpointCorruptError(this.file, `offset ${offset} is out of range`);
      // Kafka writes negative sentinels for unknown offsets; like Kafka, they are not offsets.
      if (value < 0) skipped++;
      else offsets.set(topicPartitionKey(topic!, Number(partition)), value);
    }
    if (offsets.size + skipped !== expected) throw new CheckpointCorruptError(this.file, `expected ${expected} entries but found ${offsets.size + skipped}`);
    return offsets;
  }
}

/** Makes a rename durable; not every platform can open a directory, which is then fine to skip. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}
