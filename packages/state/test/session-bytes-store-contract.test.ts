// Contract of every session bytes store kind: exact session fetches, findSessions boundaries
// (end >= earliest end, start <= latest start) in both directions, key isolation and ranges,
// retention by session end, persistence across reopen.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyValueIterator, SessionBytesStore } from '@sluice/state';
import { b, fakeContext, s } from './helpers/fake-context.js';
import { KINDS, openSessionStore } from './helpers/kinds.js';

type SessIt = KeyValueIterator<{ key: Buffer; start: number; end: number }, Buffer>;

async function list(it: SessIt): Promise<string[]> {
  const out: string[] = [];
  for await (const kv of it) out.push(`${s(kv.key.key)}[${kv.key.start},${kv.key.end}]=${s(kv.value)}`);
  return out;
}

const MINUTE = 60_000;

describe.each(KINDS)('%s session bytes store', (type) => {
  const open: SessionBytesStore[] = [];
  afterEach(async () => {
    for (const st of open.splice(0)) if (st.isOpen()) await st.close();
  });
  async function store(retentionMs?: number): Promise<SessionBytesStore> {
    const { store } = await openSessionStore(type, retentionMs === undefined ? {} : { retentionMs });
    open.push(store);
    return store;
  }
  async function threeSessions(st: SessionBytesStore): Promise<void> {
    await st.put(b('a'), 0, 10, b('s1'));
    await st.put(b('a'), 20, 30, b('s2'));
    await st.put(b('a'), 40, 50, b('s3'));
    await st.put(b('aa'), 20, 30, b('other key'));
    await st.put(b('b'), 20, 30, b('b key'));
  }

  it('fetches and removes exact sessions', async () => {
    const st = await store();
    await st.put(b('a'), 5, 15, b('x'));
    expect(s((await st.fetchSession(b('a'), 5, 15))!)).toBe('x');
    expect(await st.fetchSession(b('a'), 5, 16)).toBeUndefined();
    await st.put(b('a'), 5, 15, null);
    expect(await st.fetchSession(b('a'), 5, 15)).toBeUndefined();
  });

  it('finds sessions ending at or after the earliest end and starting at or before the latest start', async () => {
    const st = await store();
    await threeSessions(st);
    const a = b('a');
    expect(await list(st.findSessions(a, a, 10, 40, false))).toEqual(['a[0,10]=s1', 'a[20,30]=s2', 'a[40,50]=s3']);
    expect(await list(st.findSessions(a, a, 11, 39, false))).toEqual(['a[20,30]=s2']);
    expect(await list(st.findSessions(a, a, 30, 20, false))).toEqual(['a[20,30]=s2']);
    expect(await list(st.findSessions(a, a, 31, 19, false))).toEqual([]);
    expect(await list(st.findSessions(a, a, 0, Number.MAX_SAFE_INTEGER, true))).toEqual(['a[40,50]=s3', 'a[20,30]=s2', 'a[0,10]=s1']);
  });

  it('finds sessions of a key range and keeps single-key queries to that key', async () => {
    const st = await store();
    await threeSessions(st);
    expect(await list(st.findSessions(b('aa'), b('b'), 0, 100, false))).toEqual(['aa[20,30]=other key', 'b[20,30]=b key']);
    expect(await list(st.findSessions(undefined, undefined, 25, 25, false))).toEqual(['a[20,30]=s2', 'aa[20,30]=other key', 'b[20,30]=b key']);
    expect(await list(st.findSessions(b('b'), b('b'), 0, 100, false))).toEqual(['b[20,30]=b key']);
    expect(await list(st.findSessions(b('b'), b('a'), 0, 100, false))).toEqual([]);
  });

  it('finds long-running sessions that started before the segment of their end', async () => {
    const st = await store(10 * MINUTE);
    await st.put(b('k'), 0, 9 * MINUTE, b('long'));
    expect(await list(st.findSessions(b('k'), b('k'), 8 * MINUTE, 1_000, false))).toEqual([`k[0,${9 * MINUTE}]=long`]);
  });

  it('drops and counts sessions that ended before the retention period', async () => {
    const st = await store(2 * MINUTE);
    await st.put(b('a'), 0, 1_000, b('old'));
    await st.put(b('a'), 10 * MINUTE, 10 * MINUTE, b('new'));
    expect(await st.fetchSession(b('a'), 0, 1_000)).toBeUndefined();
    await st.put(b('a'), 0, 5 * MINUTE, b('late'));
    expect(st.droppedRecords).toBe(1);
    expect(await list(st.findSessions(b('a'), b('a'), 0, Number.MAX_SAFE_INTEGER, false))).toEqual([`a[${10 * MINUTE},${10 * MINUTE}]=new`]);
  });

  it('rejects sessions that end before they start', async () => {
    const st = await store();
    await expect(st.put(b('a'), 10, 5, b('x'))).rejects.toThrow(/must not be before its start/);
  });

  it('lets writes happen while an iterator is open', async () => {
    const st = await store();
    await threeSessions(st);
    const it = st.findSessions(b('a'), b('a'), 0, 100, false);
    await st.put(b('a'), 20, 30, null);
    await st.put(b('a'), 60, 70, b('s4'));
    expect(await list(it)).toEqual(['a[0,10]=s1', 'a[20,30]=s2', 'a[40,50]=s3']);
  });
});

describe.each(KINDS.filter((k) => k !== 'in_memory'))('%s session bytes store on disk', (type) => {
  it('keeps its sessions when closed and reopened', async () => {
    const context = fakeContext();
    const { store: first } = await openSessionStore(type, {}, context);
    await first.put(b('a'), 0, 10, b('s1'));
    await first.close();
    const { store: second } = await openSessionStore(type, {}, context);
    expect(await list(second.findSessions(b('a'), b('a'), 0, 100, false))).toEqual(['a[0,10]=s1']);
    await second.close();
  });
});
