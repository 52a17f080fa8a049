// Owns the Serde contract. A Serde turns a typed value into bytes and back for one topic. Nulls never
// reach a Serde: Sluice maps a null key/value to a null payload (a tombstone) itself.

export interface Serializer<T> {
  serialize(topic: string, data: T): Buffer;
}

export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer): T;
}

export interface Serde<T> extends Serializer<T>, Deserializer<T> {
  /** Shown in error messages ("could not deserialize ... with serde Json"). */
  readonly name: string;
  /**
   * Optional asynchronous set-up, run once by the runtime before processing starts (for example
   * registering or looking up a schema in a schema registry).
   */
  configure?(): Promise<void>;
  /**
   * Optional asynchronous preparation for one payload, called by the runtime before the synchronous
   * `deserialize` of a fetched batch (for example fetching an unknown writer schema by id). Returns
   * undefined when nothing needs doing, so the common case costs no promise.
   */
  prepare?(topic: string, data: Buffer): Promise<void> | undefined;
  /** Optional asynchronous set-up for one topic, run by the runtime at start-up for every source and sink topic using this serde (for example looking up the topic's schema id). */
  prepareTopic?(topic: string): Promise<void>;
}

/** Build a Serde from two functions. */
export function serdeFrom<T>(
  name: string,
  serialize: (data: T, topic: string) => Buffer,
  deserialize: (data: Buffer, topic: string) => T,
): Serde<T> {
  return {
    name,
    serialize: (topic, data) => serialize(data, topic),
    deserialize: (topic, data) => deserialize(data, topic),
  };
}
