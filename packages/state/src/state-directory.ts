// Owns the state directory of an application on this machine, `<stateDir>/<applicationId>/<taskId>`,
// and the per-task lock (`<taskDir>/.lock`) that lets only one process at a time use a task's state.
// Node has no portable advisory file lock, so a lock is a file naming its owner: pid, host and a
// token unique to the StateDirectory instance. The token tells a live owner from an earlier process
// that had the same pid (containers restart as pid 1); the stream threads of one worker (worker
// threads, each with a StateDirectory of its own) share a process token, the token's first part, so
// each sees the others' locks as live. Directories are owner-only (directories.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConfigError, ErrorCodes, StateStoreError, noopLogger, type Logger } from '@sluice/common';
import { ensureDirectory, restrictToOwner } from './directories.js';

export const LOCK_FILE_NAME = '.lock';

/** `<os tmpdir>/sluice-state`, Kafka Streams' default (`/tmp/kafka-streams`) in Sluice's name. */
export function defaultStateDir(): string {
  return path.join(os.tmpdir(), 'sluice-state');
}

export interface StateDirectoryOptions {
  readonly stateDir: string;
  readonly applicationId: string;
  readonly logger?: Logger;
  /** The process token of the worker's main StateDirectory (processToken), for one in a stream thread of the same worker. */
  readonly processToken?: string;
}

export interface TaskDirectory {
  readonly taskId: string;
  readonly path: string;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly since: string;
}

/** Process tokens of the StateDirectory instances alive in this thread (and of the worker it belongs to). */
const liveTokens = new Set<string>();

/** Task directories are named after their task (`<subtopology>_<partition>`); others (process slots) are not tasks. */
const TASK_DIR = /^\d+_\d+/;

function checkPathPart(what: string, value: string): void {
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+$/.test(value) || value === '.' || value === '..') {
    throw new ConfigError(`${what} ${JSON.stringify(value)} cannot be a directory name; use letters, digits, '.', '_' and '-'`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class StateDirectory {
  /** `<stateDir>/<applicationId>` */
  readonly appDir: string;
  private readonly token: string;
  /** What a stream thread's StateDirectory of this worker is given (StateDirectoryOptions.processToken). */
  readonly processToken: string;
  private readonly held = new Set<string>();
  private readonly logger: Logger;

  private readonly what: string;

  /**
   * Creates `<stateDir>/<applicationId>` (owner-only) now, as Kafka Streams does, so that a state
   * directory that cannot be used is refused when the application is created.
   * @throws ConfigError saying why the directory cannot be used.
   */
  constructor(options: StateDirectoryOptions) {
    checkPathPart('applicationId', options.applicationId);
    this.appDir = path.join(path.resolve(options.stateDir), options.applicationId);
    this.what = `stateDir '${options.stateDir}'`;
    this.logger = options.logger ?? noopLogger;
    ensureDirectory(this.appDir, this.what);
    if (!restrictToOwner(this.appDir)) {
      this.logger.warn(`could not make ${this.appDir} owner-only (mode 0700): it belongs to another user; local state may be readable by others`);
    }
    this.processToken = options.processToken ?? randomUUID();
    this.token = `${this.processToken}.${randomUUID()}`;
    liveTokens.add(this.processToken);
  }

  /** The task's directory, created (owner-only) if missing. */
  taskDir(taskId: string): string {
    checkPathPart('task id', taskId);
    const dir = path.join(this.appDir, taskId);
    ensureDirectory(dir, this.what);
    return dir;
  }

  lockFile(taskId: string): string {
    checkPathPart('task id', taskId);
    return path.join(this.appDir, taskId, LOCK_FILE_NAME);
  }

  /**
   * Takes the task's lock for this process (idempotent). A lock left by a process that is gone is
   * taken over with a warning.
   * @throws StateStoreError STATE_STORE_LOCKED when a live process (or another StateDirectory in this
   * process) holds it.
   */
  lock(taskId: string): TaskDirectory {
    const dir = this.taskDir(taskId);
    const file = path.join(dir, LOCK_FILE_NAME);
    if (this.held.has(taskId) && this.readOwner(file)?.token === this.token) return { taskId, path: dir };
    for (let attempt = 0; attempt < 5; attempt++) {
      if (this.tryCreate(file)) {
        this.held.add(taskId);
        return { taskId, path: dir };
      }
      const owner = this.readOwner(file);
      if (owner === undefined) continue; // released (or unreadable and just replaced) meanwhile
      if (owner.token === this.token) {
        this.held.add(taskId);
        return { taskId, path: dir };
      }
      const staleReason = this.staleReason(owner);
      if (staleReason === undefined) throw this.lockedError(taskId, file, owner);
      if (this.claimStale(file, owner)) {
        this.logger.warn('took over a stale state directory lock', { task: taskId, lockFile: file, previousPid: owner.pid, reason: staleReason });
      }
    }
    throw new StateStoreError(`could not take the lock ${file} of task ${taskId}: it kept changing hands; another process is starting on the same state directory`, {
      code: ErrorCodes.STATE_STORE_LOCKED,
      context: { task: taskId, lockFile: file },
    });
  }

  /**
   * This worker's process id, kept in the state directory so a restarted worker is the same process
   * to the group and to its transactions (Kafka Streams keeps it in kafka-streams-process-metadata).
   * Workers sharing one state directory each take a slot of their own (`process-<n>`, locked like a
   * task); a slot left by a dead process is taken over with its id.
   */
  processId(create: () => string): string {
    for (let slot = 0; slot < 64; slot++) {
      const name = `process-${slot}`;
      try {
        this.lock(name);
      } catch (err) {
        if (err instanceof StateStoreError && err.code === ErrorCodes.STATE_STORE_LOCKED) continue;
        throw err;
      }
      const file = path.join(this.appDir, name, 'process-id');
      try {
        const known = fs.readFileSync(file, 'utf8').trim();
        if (/^[A-Za-z0-9-]{8,64}$/.test(known)) return known;
      } catch {
        // no id yet in this slot
      }
      const id = create();
      fs.writeFileSync(file, `${id}\n`);
      return id;
    }
    return create();
  }

  /** Releases the task's lock if this instance holds it. */
  unlock(taskId: string): void {
    if (!this.held.delete(taskId)) return;
    const file = this.lockFile(taskId);
    if (this.readOwner(file)?.token === this.token) fs.rmSync(file, { force: true });
  }

  /** Task ids whose locks this instance holds. */
  lockedTasks(): string[] {
    return [...this.held].sort();
  }

  /** The task directories that exist, sorted by task id. */
  listTaskDirs(): TaskDirectory[] {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.appDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return entries
      .filter((e) => e.isDirectory() && TASK_DIR.test(e.name))
      .map((e) => ({ taskId: e.name, path: path.join(this.appDir, e.name) }))
      .sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
  }

  /**
   * Deletes `<stateDir>/<applicationId>` (Kafka Streams' cleanUp). Only while nothing uses it: not
   * while this instance holds task locks, nor while a live process holds one.
   */
  async cleanUp(): Promise<void> {
    if (this.held.size > 0) {
      throw new StateStoreError(
        `cannot clean up ${this.appDir} while this application holds the locks of tasks ${this.lockedTasks().join(', ')}; call cleanUp() before start() or after close()`,
        { code: ErrorCodes.STATE_STORE_LOCKED, context: { directory: this.appDir, tasks: this.lockedTasks() } },
      );
    }
    for (const { taskId } of this.listTaskDirs()) {
      const file = this.lockFile(taskId);
      const owner = this.readOwner(file);
      if (owner !== undefined && owner.token !== this.token && this.staleReason(owner) === undefined) throw this.lockedError(taskId, file, owner);
    }
    await fs.promises.rm(this.appDir, { recursive: true, force: true });
  }

  /** Releases every lock this instance holds; the instance must not be used afterwards. */
  close(): void {
    for (const taskId of [...this.held]) this.unlock(taskId);
    liveTokens.delete(this.processToken);
  }

  private tryCreate(file: string): boolean {
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), token: this.token, since: new Date().toISOString() };
    try {
      fs.writeFileSync(file, JSON.stringify(owner) + '\n', { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  /** The lock's owner; an unreadable lock file counts as a dead owner. */
  private readOwner(file: string): LockOwner | undefined {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<LockOwner>;
      if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
        return { pid: parsed.pid, host: String(parsed.host ?? ''), token: parsed.token, since: String(parsed.since ?? '') };
      }
    } catch {
      // fall through: a torn or foreign file
    }
    return { pid: -1, host: os.hostname(), token: `unreadable:${text.slice(0, 40)}`, since: '' };
  }

  /** Why the owner no longer holds the lock, or undefined when it (possibly) does. */
  private staleReason(owner: LockOwner): string | undefined {
    if (owner.pid < 0) return 'the lock file is unreadable';
    // Another host's pid cannot be checked from here: assume it is alive.
    if (owner.host !== '' && owner.host !== os.hostname()) return undefined;
    if (owner.pid === process.pid) return liveTokens.has(owner.token.split('.')[0]!) ? undefined : 'written by an earlier process with the same pid';
    return isAlive(owner.pid) ? undefined : `process ${owner.pid} is not running`;
  }

  /**
   * Moves the stale lock aside, checking it is still the one judged stale: if another process
   * replaced it meanwhile, that newer lock is put back and this attempt does not count.
   */
  private claimStale(file: string, stale: LockOwner): boolean {
    const aside = `${file}.stale-${this.token}`;
    try {
      fs.renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    const moved = this.readOwner(aside);
    if (moved !== undefined && moved.token !== stale.token) {
      if (!fs.existsSync(file)) fs.renameSync(aside, file);
      return false;
    }
    fs.rmSync(aside, { force: true });
    return true;
  }

  private lockedError(taskId: string, file: string, owner: LockOwner): StateStoreError {
    const who =
      owner.pid === process.pid
        ? `another StateDirectory (another KafkaStreams instance) in this process (pid ${owner.pid})`
        : `process ${owner.pid}${owner.host && owner.host !== os.hostname() ? ` on host ${owner.host}` : ''}`;
    return new StateStoreError(
      `the state of task ${taskId} is locked by ${who} since ${owner.since || 'an unknown time'} (lock file ${file}). ` +
        `Two workers of application '${path.basename(this.appDir)}' on one machine need different state directories: give each its own stateDir, or stop the other one. ` +
        `If that process is gone, delete ${file}.`,
      { code: ErrorCodes.STATE_STORE_LOCKED, context: { task: taskId, lockFile: file, pid: owner.pid, host: owner.host } },
    );
  }
}
