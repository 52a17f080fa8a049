// Owns creating the directories that hold local state: owner-only (0700, state may be sensitive),
// one level at a time, and with an error that says why a directory cannot be used. Node's own
// recursive mkdir never returns when mkdir answers ENOENT for a path whose parent exists — anything
// under /proc or /sys, or below a dangling symlink — and spins at 100 % CPU (the synchronous form
// blocks the event loop; the promise form never settles). So Sluice never uses it on a user's path.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@sluice/common';

/** Owner read/write/search only. */
export const STATE_DIRECTORY_MODE = 0o700;

function why(code: string | undefined, dir: string, parent: string): string {
  switch (code) {
    case 'ENOTDIR':
      return `'${firstFile(dir) ?? parent}' is a file, not a directory`;
    case 'EACCES':
    case 'EPERM':
      return `no permission to create '${dir}' in '${parent}' (this process runs as uid ${process.getuid?.() ?? '?'})`;
    case 'EROFS':
      return `'${parent}' is on a read-only file system`;
    case 'ENOSPC':
      return `the disk holding '${parent}' is full`;
    case 'ENOENT':
      // mkdir's parent exists (we made or found it), yet mkdir says it does not
      return `'${parent}' does not allow creating directories (a special file system such as /proc or /sys, or a dangling symlink)`;
    default:
      return `mkdir '${dir}' failed with ${code ?? 'an unknown error'}`;
  }
}

/** The first path component of `dir` that exists and is not a directory. */
function firstFile(dir: string): string | undefined {
  let p = path.resolve(dir);
  const chain: string[] = [];
  while (path.dirname(p) !== p) {
    chain.unshift(p);
    p = path.dirname(p);
  }
  for (const c of chain) {
    try {
      if (!fs.statSync(c).isDirectory()) return c;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Creates `dir` and its missing parents with mode 0700 (an existing directory is left as it is) and
 * checks the process can write in it. `what` names the setting for the message, e.g. "stateDir '/x'".
 * @throws ConfigError saying why the directory cannot be used and what to do.
 */
export function ensureDirectory(dir: string, what: string): void {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let p = target;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw unusable(what, target, why(code, p, path.dirname(p)), err);
    }
    if (stat) {
      if (!stat.isDirectory()) throw unusable(what, target, why('ENOTDIR', target, p), undefined);
      break;
    }
    missing.unshift(p);
    const up = path.dirname(p);
    if (up === p) break;
    p = up;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode: STATE_DIRECTORY_MODE });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(d).isDirectory()) continue; // made by someone else meanwhile
      throw unusable(what, target, why(code, d, path.dirname(d)), err);
    }
  }
  try {
    fs.accessSync(target, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw unusable(what, target, `no permission to write in '${target}' (this process runs as uid ${process.getuid?.() ?? '?'})`, err);
  }
}

/** Makes an existing directory owner-only, if this process owns it. */
export function restrictToOwner(dir: string): boolean {
  try {
    const stat = fs.statSync(dir);
    if ((stat.mode & 0o777) === STATE_DIRECTORY_MODE) return true;
    if (process.getuid && stat.uid !== process.getuid()) return false;
    fs.chmodSync(dir, STATE_DIRECTORY_MODE);
    return true;
  } catch {
    return false;
  }
}

function unusable(what: string, dir: string, reason: string, cause: unknown): ConfigError {
  return new ConfigError(`${what} cannot be used: ${reason}. Set stateDir to a directory this process can create and write`, {
    ...(cause === undefined ? {} : { cause }),
    context: { directory: dir },
  });
}
