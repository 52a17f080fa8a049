// Owns the context the typed (outermost) layer hands to the layers below it: the same context, except
// that registration is ignored, because the outermost store registers itself for restoration (with
// a callback that writes into the bytes store) and a user-supplied bytes store might try as well.
import type { StateStoreContext } from '../../store.js';

export function contextWithoutRegistration(context: StateStoreContext): StateStoreContext {
  // everything else is read through to the real context, including members added to it later
  return Object.create(context, { register: { value: () => undefined, enumerable: true } }) as StateStoreContext;
}

/** `<applicationId>-<storeName>-changelog`, the topic name serdes see and changes are logged to. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
