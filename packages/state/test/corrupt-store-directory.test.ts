// A persistent store whose directory is corrupt fails to open with TaskCorruptedError naming the
// directory, so the runtime wipes the task's state and restores it from the changelog.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, TaskCorruptedError } from '@sluice/common';
import { Stores } from '@sluice/state';
import { b, fakeContext } from './helpers/fake-context.js';
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
