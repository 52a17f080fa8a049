// Contract of every key-value bytes store kind: byte ordering, inclusive ranges, prefix scans,
// iterator lifecycle, snapshot reads while writing, persistence across reopen, wipe.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sluice/common';
import type { KeyValueBytesStore, KeyValueIterator } from '@sluice/state';
import { b, fakeContext, s } from './helpers/fake-context.js';
import { KINDS, openKeyValueStore } from './helpers/kinds.js';

async function keys(it: KeyValueIterator<Buffer, Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const kv of it) out.push(kv.key.toString('hex'));
  return out;
}

const hex = (...parts: string[]): string[] => parts.map((p) => b(p).toString('hex'));

describe.each(KINDS)('%s key-value bytes store', (type) => {
  const open: KeyValueBytesStore[] = [];
  afterEach(async () => {
    for (const st of open.splice(0)) if (st.isOpen()) await st.close();
  });
  async function store(): Promise<KeyValueBytesStore> {
    const { store } = await openKeyValueStore(type);
    open.push(store);
    return store;
  }
  async function fill(st: KeyValueBytesStore, ...ks: string[]): Promise<void> {
    await st.putAll(ks.map((k) => ({ key: b(k), value: b(`v-${k}`) })));
  }

  it('orders keys by unsigned bytes, not by sign or string length', async () => {
    const st = await store();
    const raw = [[0xff], [0x80], [0x7f], [0x00], [0x00, 0x00], [0x61], [0x61, 0x00], [0x62]].map((x) => Buffer.from(x));
    for (const k of raw) await st.put(k, b('x'));
    const expected = [...raw].sort(Buffer.compare).map((k) => k.toString('hex'));
    expect(await keys(st.range(undefined, undefined))).toEqual(expected);
    expect(await keys(st.reverseRange(undefined, undefined))).toEqual([...expected].reverse());
  });

  it('gets, overwrites and deletes, returning the deleted value', async () => {
    const st = await store();
    await st.put(b('a'), b('1'));
    await st.put(b('a'), b('2'));
    expect(s((await st.get(b('a')))!)).toBe('2');
    expect(s((await st.delete(b('a')))!)).toBe('2');
    expect(await st.get(b('a'))).toBeUndefined();
    expect(await st.delete(b('a'))).toBeUndefined();
    await st.put(b('c'), b('3'));
    await st.put(b('c'), null);
    expect(await st.get(b('c'))).toBeUndefined();
  });

  it('applies putAll as puts and deletes in one batch', async () => {
    const st = await store();
    await fill(st, 'a', 'b', 'c');
    await st.putAll([
      { key: b('a'), value: null },
      { key: b('d'), value: b('v-d') },
      { key: b('b'), value: b('new') },
    ]);
    expect(await keys(st.range(undefined, undefined))).toEqual(hex('b', 'c', 'd'));
    expect(s((await st.get(b('b')))!)).toBe('new');
  });

  it('treats both range bounds as inclusive and undefined as open', async () => {
    const st = await store();
    await fill(st, 'a', 'b', 'c', 'd', 'e');
    expect(await keys(st.range(b('b'), b('d')))).toEqual(hex('b', 'c', 'd'));
    expect(await keys(st.range(b('bb'), b('dd')))).toEqual(hex('c', 'd'));
    expect(await keys(st.range(undefined, b('b')))).toEqual(hex('a', 'b'));
    expect(await keys(st.range(b('d'), undefined))).toEqual(hex('d', 'e'));
    expect(await keys(st.reverseRange(b('b'), b('d')))).toEqual(hex('d', 'c', 'b'));
    expect(await keys(st.reverseRange(undefined, b('b')))).toEqual(hex('b', 'a'));
    expect(await keys(st.reverseRange(b('d'), undefined))).toEqual(hex('e', 'd'));
    expect(await keys(st.range(b('c'), b('c')))).toEqual(hex('c'));
    expect(await keys(st.range(b('d'), b('b')))).toEqual([]);
  });

  it('prefix-scans keys that start with the prefix, including the prefix itself', async () => {
    const st = await store();
    await fill(st, 'a', 'ab', 'abc', 'abd', 'ac', 'b');
    expect(await keys(st.prefixScan(b('ab')))).toEqual(hex('ab', 'abc', 'abd'));
    expect(await keys(st.prefixScan(b('x')))).toEqual([]);
    await st.put(Buffer.from([0xff, 0xff]), b('1'));
    await st.put(Buffer.from([0xff, 0xff, 0x01]), b('2'));
    expect(await keys(st.prefixScan(Buffer.from([0xff])))).toEqual(['ffff', 'ffff01']);
  });

  it('iterates large stores completely, in both directions', async () => {
    const st = await store();
    const n = 3000;
    const value = Buffer.alloc(200, 1);
    await st.putAll(Array.from({ length: n }, (_, i) => ({ key: b(`k${String(i).padStart(5, '0')}`), value })));
    let forward = 0;
    let previous: Buffer = Buffer.alloc(0);
    for await (const kv of st.range(undefined, undefined)) {
      expect(Buffer.compare(previous, kv.key)).toBeLessThan(0);
      previous = kv.key;
      forward++;
    }
    let backward = 0;
    for await (const _kv of st.reverseRange(undefined, undefined)) backward++;
    let prefixed = 0;
    for await (const _kv of st.prefixScan(b('k0'))) prefixed++;
    expect([forward, backward, prefixed]).toEqual([n, n, n]);
  });

  it('closes iterators early and tolerates closing twice', async () => {
    const st = await store();
    await fill(st, 'a', 'b', 'c');
    const it = st.range(undefined, undefined);
    const first = await it.next();
    expect(first.done).toBe(false);
    await it.close();
    await it.close();
    expect((await it.next()).done).toBe(true);
    const seen: string[] = [];
    for await (const kv of st.range(undefined, undefined)) {
      seen.push(s(kv.key));
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['a', 'b']);
  });

  it('lets writes happen while an iterator is open; the iterator reads the data as of its creation', async () => {
    const st = await store();
    await fill(st, 'a', 'b', 'c');
    const it = st.range(undefined, undefined);
    await st.put(b('aa'), b('new'));
    await st.delete(b('c'));
    await st.put(b('b'), b('changed'));
    const seen: string[] = [];
    for await (const kv of it) seen.push(`${s(kv.key)}=${s(kv.value)}`);
    expect(seen).toEqual(['a=v-a', 'b=v-b', 'c=v-c']);
    expect(await keys(st.range(undefined, undefined))).toEqual(hex('a', 'aa', 'b'));
  });

  it('counts entries approximately', async () => {
    const st = await store();
    await fill(st, ...Array.from({ length: 50 }, (_, i) => `k${i}`));
    const n = await st.approximateNumEntries();
    if (type === 'rocksdb') expect(n).toBeGreaterThan(0);
    else expect(n).toBe(50);
  });

  it('wipes everything and stays usable', async () => {
    const st = await store();
    await fill(st, 'a', 'b');
    await st.wipe();
    expect(await keys(st.range(undefined, undefined))).toEqual([]);
    await st.put(b('z'), b('1'));
    expect(s((await st.get(b('z')))!)).toBe('1');
  });

  it('refuses reads after close with STATE_STORE_CLOSED', async () => {
    const st = await store();
    await st.close();
    expect(st.isOpen()).toBe(false);
    await expect(st.get(b('a'))).rejects.toMatchObject({ code: ErrorCodes.STATE_STORE_CLOSED });
  });

  it('closes open iterators when the store closes', async () => {
    const st = await store();
    await fill(st, 'a', 'b');
    const it = st.range(undefined, undefined);
    await st.close();
    const r = await it.next();
    // A persistent store ends its iterators; an in-memory one may finish its snapshot.
    if (type !== 'in_memory') expect(r.done).toBe(true);
    await it.close();
  });
});

describe.each(KINDS.filter((k) => k !== 'in_memory'))('%s key-value bytes store on disk', (type) => {
  it('keeps its data when closed and reopened from the same task directory', async () => {
    const context = fakeContext();
    const { store: first } = await openKeyValueStore(type, context);
    await first.putAll([
      { key: b('a'), value: b('v-a') },
      { key: b('b'), value: b('v-b') },
    ]);
    await first.delete(b('a'));
    await first.close();
    const { store: second } = await openKeyValueStore(type, context);
    expect(second.persistent).toBe(true);
    expect(await keys(second.range(undefined, undefined))).toEqual(hex('b'));
    await second.close();
  });
});
