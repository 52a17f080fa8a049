// The memory mirror of a persistent segment: reads come from memory, writes reach the database at
// flush (and close), a segment found on disk is mirrored again after a restart, a segment that
// outgrows the limit is read from the database with nothing lost, and a failed write stays pending.
import { describe, expect, it } from 'vitest';
import type { KeyValueBytesStore } from '@sluice/state';
import { MirroredKeyValueStore } from '../src/internal/kv/mirrored-kv-store.js';
import { PersistentKeyValueStore } from '../src/internal/kv/persistent-kv-store.js';
import { RocksDbDriver } from '../src/internal/kv/rocksdb-driver.js';
import { b, fakeContext, type FakeContext } from './helpers/fake-context.js';

function diskStore(): PersistentKeyValueStore {
  return new PersistentKeyValueStore('segment.1', (dir) => new RocksDbDriver(dir));
}

async function entries(st: KeyValueBytesStore): Promise<string[]> {
  const out: string[] = [];
  for await (const kv of st.range(undefined, undefined)) out.push(`${kv.key.toString()}=${kv.value.toString()}`);
  return out;
}

async function openMirrored(context: FakeContext, limit?: number): Promise<MirroredKeyValueStore> {
  const st = new MirroredKeyValueStore(diskStore(), limit);
  await st.init(context);
  return st;
}

/** What the database itself holds, opened on its own. */
async function onDisk(context: FakeContext): Promise<string[]> {
  const disk = diskStore();
  await disk.init(context);
  try {
    return await entries(disk);
  } finally {
    await disk.close();
  }
}

describe('a persistent segment mirrored in memory', () => {
  it('answers reads from memory and writes the database only when flushed', async () => {
    const context = fakeContext();
    const st = await openMirrored(context);
    await st.putAll([
      { key: b('a'), value: b('1') },
      { key: b('b'), value: b('2') },
    ]);
    await st.put(b('a'), b('3'));
    await st.put(b('b'), null);
    expect(await st.get(b('a'))).toEqual(b('3'));
    expect(await st.get(b('b'))).toBeUndefined();
    expect(await entries(st)).toEqual(['a=3']);
    await st.flush();
    await st.close();
    expect(await onDisk(context)).toEqual(['a=3']);
  });

  it('writes what is pending when it is closed without a flush', async () => {
    const context = fakeContext();
    const st = await openMirrored(context);
    await st.put(b('k'), b('v'));
    await st.close();
    expect(await onDisk(context)).toEqual(['k=v']);
  });

  it('copies a segment found on disk into memory when it is opened again', async () => {
    const context = fakeContext();
    const first = await openMirrored(context);
    await first.putAll([
      { key: b('x'), value: b('1') },
      { key: b('y'), value: b('2') },
    ]);
    await first.close();
    const again = await openMirrored(context);
    expect(again.isMirrored).toBe(true);
    expect(await entries(again)).toEqual(['x=1', 'y=2']);
    await again.close();
  });

  it('stops mirroring a segment that outgrows the limit and loses nothing', async () => {
    const context = fakeContext();
    const st = await openMirrored(context, 2_000);
    const written: string[] = [];
    for (let i = 0; i < 20; i++) {
      const k = `k${String(i).padStart(2, '0')}`;
      await st.put(b(k), b('v'.repeat(50)));
      written.push(`${k}=${'v'.repeat(50)}`);
    }
    expect(st.isMirrored).toBe(false);
    expect(await entries(st)).toEqual(written);
    // the database has everything already, before any flush
    await st.put(b('k00'), null);
    expect(await st.get(b('k00'))).toBeUndefined();
    await st.close();
    expect(await onDisk(context)).toEqual(written.slice(1));
    // a segment larger than the limit on disk stays unmirrored when opened again
    const again = await openMirrored(context, 2_000);
    expect(again.isMirrored).toBe(false);
    expect((await entries(again)).length).toBe(19);
    await again.close();
  });

  it('keeps a write pending when the database refuses it, so the next flush writes it', async () => {
    const context = fakeContext();
    const disk = diskStore();
    const st = new MirroredKeyValueStore(disk);
    await st.init(context);
    await st.put(b('a'), b('1'));
    const putAll = disk.putAll.bind(disk);
    disk.putAll = () => Promise.reject(new Error('disk full'));
    await expect(st.flush()).rejects.toThrow('disk full');
    await st.put(b('b'), b('2'));
    disk.putAll = putAll;
    await st.flush();
    await st.close();
    expect(await onDisk(context)).toEqual(['a=1', 'b=2']);
  });

  it('starts empty and mirrored after a wipe', async () => {
    const context = fakeContext();
    const st = await openMirrored(context, 2_000);
    for (let i = 0; i < 20; i++) await st.put(b(`k${i}`), b('v'.repeat(50)));
    expect(st.isMirrored).toBe(false);
    await st.wipe();
    expect(st.isMirrored).toBe(true);
    expect(await entries(st)).toEqual([]);
    await st.put(b('n'), b('1'));
    await st.close();
    expect(await onDisk(context)).toEqual(['n=1']);
  });
});
