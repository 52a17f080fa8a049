// Owns the list of store kinds the contract suites run against, and small helpers to open stores.
import { Stores, type KeyValueBytesStore, type SessionBytesStore, type StoreType, type WindowBytesStore } from '@sluice/state';
import { fakeContext, type FakeContext } from './fake-context.js';

export const KINDS: readonly StoreType[] = ['rocksdb', 'level', 'in_memory'];

export async function openKeyValueStore(type: StoreType, context: FakeContext = fakeContext(), name = 'kv'): Promise<{ store: KeyValueBytesStore; context: FakeContext }> {
  const store = Stores.keyValueStoreSupplier(name, type).get();
  await store.init(context);
  return { store, context };
}

export async function openWindowStore(
  type: StoreType,
  options: { retentionMs?: number; windowSizeMs?: number; retainDuplicates?: boolean; name?: string } = {},
  context: FakeContext = fakeContext(),
): Promise<{ store: WindowBytesStore; context: FakeContext }> {
  const store = Stores.windowStoreSupplier(options.name ?? 'win', type, options.retentionMs ?? 3_600_000, options.windowSizeMs ?? 10, options.retainDuplicates ?? false).get();
  await store.init(context);
  return { store, context };
}

export async function openSessionStore(
  type: StoreType,
  options: { retentionMs?: number; name?: string } = {},
  context: FakeContext = fakeContext(),
): Promise<{ store: SessionBytesStore; context: FakeContext }> {
  const store = Stores.sessionStoreSupplier(options.name ?? 'sessions', type, options.retentionMs ?? 3_600_000).get();
  await store.init(context);
  return { store, context };
}
