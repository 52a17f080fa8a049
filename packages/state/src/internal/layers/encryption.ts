// Owns encryption of stored values at rest (a store built withEncryption(key)): AES-256-GCM, so a
// value is both secret and authenticated. It is a serde layer the builders put inside the typed
// layer, under the value serde, so every store kind gets it with one implementation and everything
// below holds ciphertext: the record cache, the change-logging layer (so the changelog topic), the
// bytes store and restoration. Timestamped stores keep their 8-byte timestamp prefix in clear (the
// changelog carries it as the record timestamp). Keys are not encrypted: stores are ordered by them.
//
// A value: <version 0x01><key id, 4 bytes><IV, 12 bytes><ciphertext><tag, 16 bytes>. The key id (the
// first bytes of SHA-256 of the key) picks the key among the current and previous ones, so keys can
// be rotated; the additional data binds a value to its store (the changelog topic's name), so values
// cannot be moved between stores unnoticed.
import { createCipheriv, createDecipheriv, createHash, KeyObject, randomBytes } from 'node:crypto';
import { ConfigError, ErrorCodes, StateStoreError } from '@sluice/common';
import type { Serde } from '@sluice/serdes';
import type { ChangelogRecord, RestoreCallback } from '../../store.js';

/** A 32-byte AES-256 key: bytes (e.g. crypto.randomBytes(32) kept in a secret manager) or a secret KeyObject. */
export type EncryptionKey = Uint8Array | KeyObject;

export interface EncryptionOptions {
  /**
   * Keys values may have been written with before `key` (key rotation): read, never written. New
   * writes, and so in time the whole store and its compacted changelog, use `key`.
   */
  readonly previousKeys?: readonly EncryptionKey[];
}

/** The keys of one store, checked. */
export interface StoreEncryption {
  readonly keys: readonly EncryptionKey[];
}

const VERSION = 0x01;
const ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const OVERHEAD = 1 + ID_BYTES + IV_BYTES + TAG_BYTES;

function keyBytes(key: unknown, what: string): Buffer {
  if (key instanceof KeyObject) {
    if (key.type !== 'secret') throw new ConfigError(`${what} must be a secret (symmetric) key, got a ${key.type} KeyObject`);
    return key.export();
  }
  if (key instanceof Uint8Array) return Buffer.from(key);
  if (typeof key === 'string') {
    throw new ConfigError(`${what} must be 32 bytes, not a string: decode it first, e.g. Buffer.from(process.env.STORE_KEY, 'base64')`);
  }
  throw new ConfigError(`${what} must be 32 bytes (a Buffer/Uint8Array or a secret KeyObject), got ${key === null ? 'null' : typeof key}`);
}

/** Checks the keys when the store is configured; `owner` names it in messages ("store 'counts'"). */
export function storeEncryption(owner: string, key: EncryptionKey, options: EncryptionOptions = {}): StoreEncryption {
  if (options === null || typeof options !== 'object') throw new ConfigError(`the encryption options of ${owner} must be an object { previousKeys?: [...] }`);
  if (options.previousKeys !== undefined && !Array.isArray(options.previousKeys)) throw new ConfigError(`previousKeys of ${owner} must be an array of keys`);
  const all = [key, ...(options.previousKeys ?? [])];
  all.forEach((k, i) => {
    const what = `the encryption key${i > 0 ? ` previousKeys[${i - 1}]` : ''} of ${owner}`;
    const bytes = keyBytes(k, what);
    if (bytes.length !== 32) throw new ConfigError(`${what} must be 32 bytes for AES-256-GCM (e.g. crypto.randomBytes(32)), got ${bytes.length}`);
  });
  return { keys: all };
}

interface ReadyKey {
  readonly id: Buffer;
  readonly bytes: Buffer;
}

function ready(keys: readonly EncryptionKey[]): ReadyKey[] {
  return keys.map((k) => {
    const bytes = keyBytes(k, 'key');
    return { id: createHash('sha256').update(bytes).digest().subarray(0, ID_BYTES), bytes };
  });
}

function hex(b: Buffer): string {
  return b.toString('hex');
}

/** The value serde of an encrypted store: `inner` under AES-256-GCM with the store's keys. */
export function encryptedSerde<V>(inner: Serde<V>, store: string, encryption: StoreEncryption): Serde<V> {
  const keys = ready(encryption.keys);
  const current = keys[0]!;
  const aad = (topic: string, id: Buffer) => Buffer.concat([Buffer.from([VERSION]), id, Buffer.from(topic, 'utf8')]);
  const failure = (topic: string, reason: string) =>
    new StateStoreError(`store '${store}': a stored value cannot be decrypted: ${reason}`, {
      code: ErrorCodes.STATE_STORE_FAILED,
      context: { store, topic, encryption: 'AES-256-GCM' },
    });
  return {
    name: `Encrypted<${inner.name}>`,
    serialize(topic, data) {
      const plain = inner.serialize(topic, data);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv);
      cipher.setAAD(aad(topic, current.id));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), current.id, iv, body, cipher.getAuthTag()]);
    },
    deserialize(topic, data) {
      if (data.length < OVERHEAD || data[0] !== VERSION) {
        throw failure(topic, `it is not an encrypted value (${data.length} bytes${data.length > 0 ? `, first byte 0x${hex(data.subarray(0, 1))}` : ''}). It was written before the store was encrypted: delete the local state (app.cleanUp()) and the changelog topic, or reset the application`);
      }
      const id = data.subarray(1, 1 + ID_BYTES);
      const key = keys.find((k) => k.id.equals(id));
      if (!key) {
        throw failure(
          topic,
          `it was written with another key (key id ${hex(id)}; this store has ${keys.map((k) => hex(k.id)).join(', ')}). Give the key it was written with — when rotating, withEncryption(newKey, { previousKeys: [oldKey] })`,
        );
      }
      const iv = data.subarray(1 + ID_BYTES, 1 + ID_BYTES + IV_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, iv);
      decipher.setAAD(aad(topic, id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(1 + ID_BYTES + IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw failure(topic, `authentication failed with key ${hex(id)}: the value was altered, or it belongs to another store or application`);
      }
      return inner.deserialize(topic, plain);
    },
  };
}

/**
 * Restoration copies changelog values into the store as they are; this checks that the first value
 * of each batch decrypts with the store's keys (`check` throws if not), so a wrong key stops the
 * restore, at start-up, instead of leaving a store that fails on every read.
 */
export function checkedRestore(restore: RestoreCallback, check: (value: Buffer) => void): RestoreCallback {
  return async (batch: readonly ChangelogRecord[]) => {
    const first = batch.find((r) => r.value !== null && r.value.length > 0);
    if (first) check(first.value!);
    await restore(batch);
  };
}
