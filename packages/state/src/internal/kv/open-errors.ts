// Owns the translation of a database's open failure into Sluice errors: a corrupt directory becomes
// TaskCorruptedError (the runtime wipes the task's state and restores it from the changelog), a held
// lock becomes STATE_STORE_LOCKED, anything else a plain StateStoreError.
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCodes, StateStoreError, TaskCorruptedError, describeError, type SluiceError } from '@sluice/common';

function detail(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? ` (${describeError(err.cause)})` : '';
  return describeError(err) + cause;
}

/** Whether `dir` held a database before we tried to open it (CURRENT names the live MANIFEST). */
export function hasDatabaseFiles(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'CURRENT')) || fs.existsSync(path.join(dir, 'MANIFEST-000001'));
}

export function openFailure(engine: 'RocksDB' | 'LevelDB', storeName: string, dir: string, err: unknown, existed: boolean): SluiceError {
  const text = detail(err);
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code ?? (err as { code?: unknown } | null)?.code;
  const context = { store: storeName, directory: dir };
  if (/lock/i.test(text) || code === 'LEVEL_LOCKED') {
    return new StateStoreError(
      `${engine} store '${storeName}' at ${dir} is locked by another open database: ${text}. Another Sluice worker (or another instance in this process) uses the same state directory — give each worker its own stateDir or stop the other one`,
      { code: ErrorCodes.STATE_STORE_LOCKED, cause: err, context },
    );
  }
  // A directory that held a database and now fails to open for any reason other than a lock or
  // permissions cannot be trusted: RocksDB reports "Corruption: ...", LevelDB sometimes an IO error
  // for a CURRENT that names a missing MANIFEST.
  const permission = /permission denied|EACCES|EPERM|read-only/i.test(text);
  if (/corrupt/i.test(text) || code === 'LEVEL_CORRUPTION' || (existed && !permission)) {
    return new TaskCorruptedError(
      `${engine} store '${storeName}' cannot be opened because its directory ${dir} is corrupt: ${text}. The task's local state will be wiped and restored from the changelog topic`,
      { cause: err, context },
    );
  }
  return new StateStoreError(`${engine} store '${storeName}' could not be opened at ${dir}: ${text}`, { cause: err, context });
}
