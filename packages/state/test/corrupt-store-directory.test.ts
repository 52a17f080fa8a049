// A persistent store whose directory is corrupt fails to open with TaskCorruptedError naming the
// directory, so the runtime wipes the task's state and restores it from the changelog.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, TaskCorruptedError } from '@sluice/common';
import { Stores } from '@sluice/state';
import { b, fakeContext, s } from './helpers/fake-context.js';
import { openKeyValueStore } from './helpers/kinds.js';

describe.each(['rocksdb', 'level'] as const)('%s store on a corrupt directory', (type) => {
  it.each([
    ['CURRENT holds garbage', (dir: string) => fs.writeFileSync(path.join(dir, 'CURRENT'), '\u0000\u0001garbage')],
    ['the MANIFEST is overwritten', (dir: string) => {
      const manifest = fs.readdirSync(dir).find((f) => f.startsWith('MANIFEST-'))!;
      fs.writeFileSync(path.join(dir, manifest), Buffer.alloc(300, 7));
    }],
  ])('throws TaskCorruptedError naming the directory when %s', async (_case, corrupt) => {
    const context = fakeContext();
    const { store } = await openKeyValueStore(type, context, 'orders');
    await store.put(b('k'), b('v'));
    await store.close();
    const dir = path.join(context.taskDir, 'orders');
    corrupt(dir);

    const reopened = Stores.keyValueStoreSupplier('orders', type).get();
    const err = await reopened.init(context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TaskCorruptedError);
    expect(err).toMatchObject({ code: ErrorCodes.TASK_CORRUPTED, context: { store: 'orders', directory: dir } });
    expect((err as Error).message).toContain(dir);
    expect(reopened.isOpen()).toBe(false);

    // What the runtime does next: wipe the directory and open again, empty.
    fs.rmSync(dir, { recursive: true, force: true });
    const fresh = Stores.keyValueStoreSupplier('orders', type).get();
    await fresh.init(context);
    expect(await fresh.get(b('k'))).toBeUndefined();
    await fresh.close();
  });
});

describe.each(['rocksdb', 'level'] as const)('%s window store with a corrupt segment', (type) => {
  it('throws TaskCorruptedError naming the segment, and opens again once the directory is wiped', async () => {
    const context = fakeContext();
    const supplier = Stores.windowStoreSupplier('win', type, 600_000, 1_000, false);
    const store = supplier.get();
    await store.init(context);
    await store.put(b('k'), b('1'), 0);
    await store.put(b('k'), b('2'), 400_000);
    await store.close();
    const segment = path.join(context.taskDir, 'win', '1');
    fs.writeFileSync(path.join(segment, 'CURRENT'), 'garbage');

    const err = await supplier
      .get()
      .init(context)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(TaskCorruptedError);
    expect((err as Error).message).toContain(segment);

    fs.rmSync(path.join(context.taskDir, 'win'), { recursive: true, force: true });
    const fresh = supplier.get();
    await fresh.init(context);
    expect(await fresh.fetch(b('k'), 0)).toBeUndefined();
    // Segment 0 opened fine before segment 1 failed; it must have been closed, or this reopen of
    // <store>/0 fails on the database lock still held in this process.
    await fresh.put(b('k'), b('3'), 0);
    expect(s((await fresh.fetch(b('k'), 0))!)).toBe('3');
    await fresh.close();
  });
});
