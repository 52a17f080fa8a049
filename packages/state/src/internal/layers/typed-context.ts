// Owns the context the typed (outermost) layer hands to the layers below it: the same context, except
// that registration is ignored, because the outermost store registers itself for restoration (with
// a callback that writes into the bytes store) and a user-supplied bytes store might try as well.
import type { StateStoreContext } from '../../store.js';

export function contextWithoutRegistration(context: StateStoreContext): StateStoreContext {
  return {
    get applicationId() {
      return context.applicationId;
    },
    get taskId() {
      return context.taskId;
    },
    get partition() {
      return context.partition;
    },
    get taskDir() {
      return context.taskDir;
    },
    get clock() {
      return context.clock;
    },
    get logger() {
      return context.logger;
    },
    get cache() {
      return context.cache;
    },
    get rocksdb() {
      return context.rocksdb;
    },
    register: () => undefined,
    logChange: (storeName, key, value, timestamp) => context.logChange(storeName, key, value, timestamp),
    streamTime: () => context.streamTime(),
    ...(context.recordTimestamp === undefined ? {} : { recordTimestamp: () => context.recordTimestamp!() }),
  };
}

/** `<applicationId>-<storeName>-changelog`, the topic name serdes see and changes are logged to. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
