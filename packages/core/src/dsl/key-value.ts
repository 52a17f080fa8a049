// Owns the key-value pair type that DSL mappers return: either { key, value } or a [key, value] tuple.

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

export type KeyValueLike<K, V> = KeyValue<K, V> | readonly [K, V];

export const KeyValue = {
  pair<K, V>(key: K, value: V): KeyValue<K, V> {
    return { key, value };
  },
};

export function toKeyValue<K, V>(kv: KeyValueLike<K, V>, where: string): KeyValue<K, V> {
  if (Array.isArray(kv)) return { key: kv[0] as K, value: kv[1] as V };
  if (kv !== null && typeof kv === 'object' && 'key' in kv && 'value' in kv) return kv as KeyValue<K, V>;
  throw new TypeError(`${where} must return a key-value pair: { key, value } or [key, value], got ${kv === null ? 'null' : typeof kv}`);
}
