// Contract of every window bytes store kind: exact fetches, key and time ranges in both directions,
// variable-length keys, duplicates, retention (late writes dropped and counted, expired segments
// deleted), snapshot reads while writing, persistence across reopen.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueIterator, WindowBytesStore } from '@sluice/state';
import { b, fakeContext, s } from './helpers/fake-context.js';
import { KINDS, openWindowStore } from './helpers/kinds.js';

type WinIt = KeyValueIterator<{ key: Buffer; windowStart: number }, Buffer>;

async function list(it: WinIt): Promise<string[]> {
  const out: string[] = [];
  for await (const kv of it) out.push(`${s(kv.key.key)}@${kv.key.windowStart}=${s(kv.value)}`);
  return out;
}

const MINUTE = 60_000;

describe.each(KINDS)('%s window bytes store', (type) => {
  const open: WindowBytesStore[] = [];
  afterEach(async () => {
    for (const st of open.splice(0)) if (st.isOpen()) await st.close();
  });
  async function store(options: Parameters<typeof openWindowStore>[1] = {}): Promise<WindowBytesStore> {
    const { store } = await openWindowStore(type, options);
    open.push(store);
    return store;
  }

  it('fetches, overwrites and deletes one window', async () => {
    const st = await store();
    await st.put(b('a'), b('1'), 100);
    await st.put(b('a'), b('2'), 100);
    await st.put(b('a'), b('x'), 110);
    expect(s((await st.fetch(b('a'), 100))!)).toBe('2');
    expect(await st.fetch(b('a'), 105)).toBeUndefined();
    await st.put(b('a'), null, 100);
    expect(await st.fetch(b('a'), 100)).toBeUndefined();
    expect(s((await st.fetch(b('a'), 110))!)).toBe('x');
  });

  it('fetches one key over an inclusive time range, oldest first or newest first', async () => {
    const st = await store();
    for (const t of [0, 10, 20, 30]) await st.put(b('a'), b(`v${t}`), t);
    await st.put(b('b'), b('other'), 20);
    expect(await list(st.fetchRange(b('a'), b('a'), 10, 20, false))).toEqual(['a@10=v10', 'a@20=v20']);
    expect(await list(st.fetchRange(b('a'), b('a'), 10, 20, true))).toEqual(['a@20=v20', 'a@10=v10']);
    expect(await list(st.fetchRange(b('a'), b('a'), 31, 100, false))).toEqual([]);
  });

  it('fetches a key range within a segment by key, then time', async () => {
    const st = await store();
    await st.put(b('c'), b('1'), 5);
    await st.put(b('a'), b('2'), 7);
    await st.put(b('b'), b('3'), 1);
    await st.put(b('a'), b('4'), 3);
    expect(await list(st.fetchRange(b('a'), b('b'), 0, 10, false))).toEqual(['a@3=4', 'a@7=2', 'b@1=3']);
    expect(await list(st.fetchRange(b('a'), b('b'), 0, 10, true))).toEqual(['b@1=3', 'a@7=2', 'a@3=4']);
    expect(await list(st.fetchRange(undefined, b('a'), 4, 10, false))).toEqual(['a@7=2']);
    expect(await list(st.fetchRange(b('b'), undefined, 0, 10, false))).toEqual(['b@1=3', 'c@5=1']);
    expect(await list(st.fetchRange(b('b'), b('a'), 0, 10, false))).toEqual([]);
  });

  it('orders results across segments segment first', async () => {
    const st = await store({ retentionMs: 10 * MINUTE });
    // segment interval = max(retention / 2, 1 min) = 5 min
    await st.put(b('b'), b('1'), 1_000);
    await st.put(b('a'), b('2'), 6 * MINUTE);
    await st.put(b('a'), b('3'), 2_000);
    expect(await list(st.fetchRange(undefined, undefined, 0, 10 * MINUTE, false))).toEqual(['a@2000=3', 'b@1000=1', `a@${6 * MINUTE}=2`]);
    expect(await list(st.fetchRange(undefined, undefined, 0, 10 * MINUTE, true))).toEqual([`a@${6 * MINUTE}=2`, 'b@1000=1', 'a@2000=3']);
  });

  it('finds keys that are byte prefixes of the range end (fixed-width numbers start with zero bytes)', async () => {
    const st = await store();
    const k = (...bytes: number[]) => Buffer.from(bytes);
    await st.put(k(0x00), b('short'), 1_000_000);
    await st.put(k(0x00, 0x00, 0x00), b('long'), 1_000_000);
    await st.put(k(0x00, 0x01), b('mid'), 1_000_000);
    const got: string[] = [];
    for await (const kv of st.fetchRange(k(0x00), k(0x00, 0x00, 0x00, 0x00), 0, 2_000_000, false)) got.push(s(kv.value));
    expect(got.sort()).toEqual(['long', 'short']);
    // and a single key never picks up a longer key that starts with it
    expect(await list(st.fetchRange(k(0x00), k(0x00), 0, 2_000_000, false))).toEqual([`\u0000@1000000=short`]);
  });

  it('keeps every duplicate when retaining duplicates, in insertion order, and ignores null puts', async () => {
    const st = await store({ retainDuplicates: true });
    await st.put(b('a'), b('1'), 10);
    await st.put(b('a'), b('2'), 10);
    await st.put(b('a'), null, 10);
    await st.put(b('a'), b('3'), 10);
    expect(await list(st.fetchRange(b('a'), b('a'), 10, 10, false))).toEqual(['a@10=1', 'a@10=2', 'a@10=3']);
    expect(s((await st.fetch(b('a'), 10))!)).toBe('1');
  });

  it('drops and counts writes older than the retention period and hides expired windows', async () => {
    const st = await store({ retentionMs: 2 * MINUTE, windowSizeMs: MINUTE });
    await st.put(b('a'), b('old'), 0);
    await st.put(b('a'), b('new'), 10 * MINUTE);
    expect(await st.fetch(b('a'), 0)).toBeUndefined();
    await st.put(b('a'), b('late'), 5 * MINUTE);
    expect(st.droppedRecords).toBe(1);
    await st.put(b('a'), b('in time'), 9 * MINUTE);
    expect(st.droppedRecords).toBe(1);
    expect(await list(st.fetchRange(undefined, undefined, 0, 20 * MINUTE, false))).toEqual([`a@${9 * MINUTE}=in time`, `a@${10 * MINUTE}=new`]);
  });

  it('drops expired segments whole', async () => {
    const context = fakeContext();
    const { store: st } = await openWindowStore(type, { retentionMs: 2 * MINUTE, name: 'w' }, context);
    open.push(st);
    await st.put(b('a'), b('1'), 0);
    await st.put(b('a'), b('2'), MINUTE);
    const dir = path.join(context.taskDir, 'w');
    if (st.persistent) expect(fs.readdirSync(dir).sort()).toEqual(['0', '1']);
    await st.put(b('a'), b('3'), 10 * MINUTE);
    expect((st as unknown as { segmentCount: number }).segmentCount).toBe(1);
    if (st.persistent) expect(fs.readdirSync(dir)).toEqual(['10']);
  });

  it('lets writes happen while an iterator is open', async () => {
    const st = await store();
    await st.put(b('a'), b('1'), 10);
    await st.put(b('b'), b('2'), 10);
    const it = st.fetchRange(undefined, undefined, 0, 100, false);
    await st.put(b('a'), null, 10);
    await st.put(b('c'), b('3'), 10);
    expect(await list(it)).toEqual(['a@10=1', 'b@10=2']);
    expect(await list(st.fetchRange(undefined, undefined, 0, 100, false))).toEqual(['b@10=2', 'c@10=3']);
  });

  it('rejects negative window starts', async () => {
    const st = await store();
    await expect(st.put(b('a'), b('1'), -1)).rejects.toThrow(/window start must be a non-negative/);
  });

  it('wipes all windows', async () => {
    const st = await store();
    await st.put(b('a'), b('1'), 10);
    await st.wipe();
    expect(await list(st.fetchRange(undefined, undefined, 0, 100, false))).toEqual([]);
    await st.put(b('a'), b('2'), 10);
    expect(s((await st.fetch(b('a'), 10))!)).toBe('2');
  });
});

describe.each(KINDS.filter((k) => k !== 'in_memory'))('%s window bytes store on disk', (type) => {
  it('keeps its windows when closed and reopened', async () => {
    const context = fakeContext();
    const { store: first } = await openWindowStore(type, { retentionMs: 10 * MINUTE }, context);
    await first.put(b('a'), b('1'), 1_000);
    await first.put(b('a'), b('2'), 6 * MINUTE);
    await first.close();
    const { store: second } = await openWindowStore(type, { retentionMs: 10 * MINUTE }, context);
    expect(await list(second.fetchRange(b('a'), b('a'), 0, 10 * MINUTE, false))).toEqual(['a@1000=1', `a@${6 * MINUTE}=2`]);
    await second.close();
  });
});
