// Stores built withEncryption(key): values are AES-256-GCM ciphertext everywhere below the typed
// layer — in the changelog and in the store on disk — for every store kind; they read back as written
// and restore from the changelog; a wrong key, a value from another store, or data written before
// encryption give a clear error (at restore, or on read), never garbage; keys can be rotated.
import { randomBytes, createSecretKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, StateStoreError } from '@sluice/common';
import { Serdes, SessionWindow, Windowed } from '@sluice/serdes';
import { Stores, type ChangelogRecord, type StateStore } from '@sluice/state';
import { fakeContext, type FakeContext } from './helpers/fake-context.js';

const key = randomBytes(32);
const otherKey = randomBytes(32);
const SECRET = 'card-4111111111111111';

const open: StateStore[] = [];
afterEach(async () => {
  for (const st of open.splice(0)) if (st.isOpen()) await st.close();
});

async function init<T extends StateStore>(store: T, context: FakeContext = fakeContext()): Promise<{ store: T; context: FakeContext }> {
  await store.init(context);
  open.push(store);
  return { store, context };
}

function changelog(context: FakeContext): ChangelogRecord[] {
  return context.logged.map((l, offset) => ({ key: l.key, value: l.value, timestamp: l.timestamp, offset }));
}

/** Every file under `dir`, concatenated: what an attacker with the disk would read. */
function diskBytes(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) parts.push(fs.readFileSync(path.join(e.parentPath, e.name)));
  }
  return Buffer.concat(parts);
}

const kv = (name = 'kv', k: Uint8Array = key) => Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.String()).withEncryption(k);

describe('encrypted key-value stores', () => {
  it('read back what was written; the changelog and the RocksDB files hold no plaintext', async () => {
    const { store, context } = await init(kv().build());
    await store.put('alice', SECRET);
    expect(await store.get('alice')).toBe(SECRET);
    await store.flush();
    await store.close();
    const logged = context.logged[0]!;
    expect(logged.key.toString()).toBe('alice'); // keys stay in clear
    expect(logged.value!.includes(Buffer.from(SECRET))).toBe(false);
    expect(logged.value!.length).toBe(SECRET.length + 33);
    expect(diskBytes(context.taskDir).includes(Buffer.from(SECRET))).toBe(false);
    expect(diskBytes(context.taskDir).includes(Buffer.from('alice'))).toBe(true);
  });

  it('the same value encrypts differently each time (random IV)', async () => {
    const { store, context } = await init(kv().build());
    await store.put('a', SECRET);
    await store.put('b', SECRET);
    expect(context.logged[0]!.value!.equals(context.logged[1]!.value!)).toBe(false);
  });

  it('restores from its changelog with the same key', async () => {
    const src = await init(kv().build());
    await src.store.put('alice', SECRET);
    await src.store.put('bob', 'x');
    await src.store.delete('bob');
    const dst = await init(kv().build());
    await dst.context.restoreCallback('kv')(changelog(src.context));
    expect(await dst.store.get('alice')).toBe(SECRET);
    expect(await dst.store.get('bob')).toBeUndefined();
  });

  it('a wrong key stops restoration with a clear error instead of filling the store with what it cannot read', async () => {
    const src = await init(kv().build());
    await src.store.put('alice', SECRET);
    const dst = await init(kv('kv', otherKey).build());
    const restoring = dst.context.restoreCallback('kv')(changelog(src.context));
    await expect(restoring).rejects.toThrow(StateStoreError);
    await expect(dst.context.restoreCallback('kv')(changelog(src.context))).rejects.toThrow(
      /^store 'kv': a stored value cannot be decrypted: it was written with another key \(key id [0-9a-f]{8}; this store has [0-9a-f]{8}\)\. Give the key it was written with — when rotating, withEncryption\(newKey, \{ previousKeys: \[oldKey\] \}\)$/,
    );
    expect(await dst.store.get('alice')).toBeUndefined();
  });

  it('a wrong key on local data fails the read with the same error', async () => {
    const context = fakeContext();
    const first = await init(kv().build(), context);
    await first.store.put('alice', SECRET);
    await first.store.close();
    const again = await init(kv('kv', otherKey).build(), context);
    await expect(again.store.get('alice')).rejects.toThrow(/it was written with another key/);
  });

  it('rotates: the new key reads values of the previous one and writes with the new one', async () => {
    const context = fakeContext();
    const first = await init(kv().build(), context);
    await first.store.put('old', SECRET);
    await first.store.close();
    const rotated = await init(kv('kv', otherKey).withEncryption(otherKey, { previousKeys: [key] }).build(), context);
    expect(await rotated.store.get('old')).toBe(SECRET);
    await rotated.store.put('new', 'v2');
    await rotated.store.close();
    const newOnly = await init(kv('kv', otherKey).build(), context);
    expect(await newOnly.store.get('new')).toBe('v2');
    await expect(newOnly.store.get('old')).rejects.toThrow(/written with another key/);
  });

  it('a value moved from another store fails authentication', async () => {
    const a = await init(kv('a').build());
    await a.store.put('k', SECRET);
    const b = await init(kv('b').build());
    const moved = changelog(a.context);
    await expect(b.context.restoreCallback('b')(moved)).rejects.toThrow(/store 'b': a stored value cannot be decrypted: authentication failed with key [0-9a-f]{8}: the value was altered, or it belongs to another store or application/);
  });

  it('values written before encryption was enabled are named as such', async () => {
    const context = fakeContext();
    const plain = await init(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), Serdes.String(), Serdes.String()).build(), context);
    await plain.store.put('alice', SECRET);
    await plain.store.close();
    const enc = await init(kv().build(), context);
    await expect(enc.store.get('alice')).rejects.toThrow(/it is not an encrypted value \(21 bytes, first byte 0x63\)\. It was written before the store was encrypted: delete the local state \(app\.cleanUp\(\)\) and the changelog topic/);
  });

  it('timestamped stores keep the record timestamp readable in the changelog, the value encrypted, and a cache in front', async () => {
    const build = () => Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('tkv'), Serdes.String(), Serdes.String()).withCachingEnabled().withEncryption(createSecretKey(key)).build();
    const src = await init(build());
    await src.store.put('alice', { value: SECRET, timestamp: 1234 });
    expect(await src.store.get('alice')).toEqual({ value: SECRET, timestamp: 1234 });
    await src.store.flush();
    expect(src.context.logged.map((l) => [l.key.toString(), l.timestamp])).toEqual([['alice', 1234]]);
    expect(src.context.logged[0]!.value!.includes(Buffer.from(SECRET))).toBe(false);
    const dst = await init(build());
    await dst.context.restoreCallback('tkv')(changelog(src.context));
    expect(await dst.store.get('alice')).toEqual({ value: SECRET, timestamp: 1234 });
  });
});

describe('encrypted window and session stores', () => {
  it('window stores: values encrypted in the changelog, read and restored', async () => {
    const build = () => Stores.timestampedWindowStoreBuilder(Stores.persistentWindowStore('w', 60_000, 1_000, false), Serdes.String(), Serdes.String()).withEncryption(key).build();
    const src = await init(build());
    await src.store.put('alice', { value: SECRET, timestamp: 5 }, 0);
    expect(await src.store.fetch('alice', 0)).toEqual({ value: SECRET, timestamp: 5 });
    expect(src.context.logged[0]!.value!.includes(Buffer.from(SECRET))).toBe(false);
    const dst = await init(build());
    await dst.context.restoreCallback('w')(changelog(src.context));
    expect(await dst.store.fetch('alice', 0)).toEqual({ value: SECRET, timestamp: 5 });
  });

  it('session stores: the same, and a wrong key is refused at restore', async () => {
    const build = (k: Uint8Array) => Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 60_000), Serdes.String(), Serdes.String()).withEncryption(k).build();
    const src = await init(build(key));
    const session = new Windowed('alice', new SessionWindow(0, 10));
    await src.store.put(session, SECRET);
    expect(await src.store.fetchSession('alice', 0, 10)).toBe(SECRET);
    expect(src.context.logged[0]!.value!.includes(Buffer.from(SECRET))).toBe(false);
    const dst = await init(build(key));
    await dst.context.restoreCallback('s')(changelog(src.context));
    expect(await dst.store.fetchSession('alice', 0, 10)).toBe(SECRET);
    const wrong = await init(build(otherKey));
    await expect(wrong.context.restoreCallback('s')(changelog(src.context))).rejects.toThrow(/store 's': a stored value cannot be decrypted: it was written with another key/);
  });
});

describe('keys are checked when the store is configured', () => {
  it('refuses keys that are not 32 bytes, strings, and public keys', () => {
    const builder = () => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), Serdes.String(), Serdes.String());
    expect(() => builder().withEncryption(randomBytes(16))).toThrow(new ConfigError("the encryption key of store 'kv' must be 32 bytes for AES-256-GCM (e.g. crypto.randomBytes(32)), got 16"));
    expect(() => builder().withEncryption('0123' as never)).toThrow(/must be 32 bytes, not a string: decode it first, e\.g\. Buffer\.from\(process\.env\.STORE_KEY, 'base64'\)/);
    expect(() => builder().withEncryption(key, { previousKeys: [randomBytes(8)] })).toThrow(/the encryption key previousKeys\[0\] of store 'kv' must be 32 bytes/);
  });
});
