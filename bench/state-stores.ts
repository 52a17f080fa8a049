// Micro-benchmark of Sluice's key-value stores (not a test): for each store kind, the rate of puts,
// random gets, a full range scan and restoration through the registered restore callback, measured
// through the whole store stack a processor uses (typed layer → [cache] → change-logging → bytes).
//   node --conditions=sluice-source --import tsx bench/state-stores.ts [--records N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ManualClock, noopLogger } from '@sluice/common';
import { Serdes } from '@sluice/serdes';
import {
  Stores,
  createCacheMemoryPool,
  defaultRocksDbSharedOptions,
  type ChangelogRecord,
  type KeyValueStore,
  type RestoreCallback,
  type StateStoreContext,
  type StoreType,
} from '@sluice/state';

interface Variant {
  readonly label: string;
  readonly type: StoreType;
  readonly cached: boolean;
}

const VARIANTS: readonly Variant[] = [
  { label: 'in_memory', type: 'in_memory', cached: false },
  { label: 'rocksdb', type: 'rocksdb', cached: false },
  { label: 'rocksdb + cache', type: 'rocksdb', cached: true },
  { label: 'level', type: 'level', cached: false },
];

const RESTORE_BATCH = 1000;
const VALUE_BYTES = 100;

function parseRecords(argv: readonly string[]): number {
  const i = argv.indexOf('--records');
  if (i < 0) return 200_000;
  const n = Number(argv[i + 1]);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--records needs a positive integer, got ${argv[i + 1]}`);
  return n;
}

function context(taskDir: string, cached: boolean, registered: Map<string, RestoreCallback>): StateStoreContext {
  return {
    applicationId: 'bench',
    taskId: '0_0',
    partition: 0,
    taskDir,
    clock: new ManualClock(0),
    logger: noopLogger,
    cache: cached ? createCacheMemoryPool(10 * 1024 * 1024) : undefined,
    rocksdb: defaultRocksDbSharedOptions(),
    register: (store, restore) => void registered.set(store.name, restore),
    logChange: () => undefined,
    streamTime: () => 0,
  };
}

function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let i = n - 1; i > 0; i--) {
    x = (x * 1_103_515_245 + 12_345) & 0x7fff_ffff;
    const j = x % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const keyOf = (i: number): string => `key-${String(i).padStart(10, '0')}`;

async function open(variant: Variant, dir: string): Promise<{ store: KeyValueStore<string, Buffer>; restore: RestoreCallback }> {
  const registered = new Map<string, RestoreCallback>();
  let builder = Stores.keyValueStoreBuilder(Stores.keyValueStoreSupplier('bench', variant.type), Serdes.String(), Serdes.ByteArray());
  if (variant.cached) builder = builder.withCachingEnabled();
  const store = builder.build();
  await store.init(context(dir, variant.cached, registered));
  return { store, restore: registered.get('bench')! };
}

async function rate(n: number, work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return n / ((performance.now() - start) / 1000);
}

async function measure(variant: Variant, n: number, value: Buffer, changelog: readonly ChangelogRecord[]): Promise<Record<string, number>> {
  const root = path.join(os.tmpdir(), `sluice-bench-${randomUUID()}`);
  try {
    const { store } = await open(variant, path.join(root, 'a'));
    const putOrder = shuffled(n, 1);
    const put = await rate(n, async () => {
      for (const i of putOrder) await store.put(keyOf(i), value);
      await store.flush();
    });
    const getOrder = shuffled(n, 2);
    const get = await rate(n, async () => {
      for (const i of getOrder) if ((await store.get(keyOf(i))) === undefined) throw new Error(`lost ${keyOf(i)}`);
    });
    let scanned = 0;
    const range = await rate(n, async () => {
      for await (const _kv of store.all()) scanned++;
    });
    if (scanned !== n) throw new Error(`range scan saw ${scanned} of ${n} records`);
    await store.close();

    const { store: fresh, restore } = await open(variant, path.join(root, 'b'));
    const restored = await rate(n, async () => {
      for (let i = 0; i < changelog.length; i += RESTORE_BATCH) await restore(changelog.slice(i, i + RESTORE_BATCH));
    });
    if ((await fresh.get(keyOf(n - 1))) === undefined) throw new Error('restore lost records');
    await fresh.close();
    return { put, get, range, restored };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const n = parseRecords(process.argv.slice(2));
  const value = Buffer.alloc(VALUE_BYTES, 7);
  const changelog: ChangelogRecord[] = Array.from({ length: n }, (_, i) => ({ key: Buffer.from(keyOf(i)), value, timestamp: 0, offset: i }));
  console.log(`Sluice key-value stores: ${n.toLocaleString('en-US')} records, ${VALUE_BYTES}-byte values, restore batches of ${RESTORE_BATCH}`);
  console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}\n`);
  const rows: string[][] = [['store', 'put/s', 'get/s (random)', 'range scan/s', 'restore/s']];
  for (const variant of VARIANTS) {
    const r = await measure(variant, n, value, changelog);
    rows.push([variant.label, ...[r.put!, r.get!, r.range!, r.restored!].map((x) => Math.round(x).toLocaleString('en-US'))]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
}

await main();
