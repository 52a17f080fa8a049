// The state directory: task directories, one process per task lock (a live owner blocks with a
// clear error, a dead owner's lock is taken over with a warning), and cleanUp.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, createConsoleLogger } from '@sluice/common';
import { StateDirectory, defaultStateDir } from '@sluice/state';
import { tempDir } from './helpers/fake-context.js';

const dirs: StateDirectory[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function stateDirectory(stateDir: string, lines: string[] = []): StateDirectory {
  const d = new StateDirectory({ stateDir, applicationId: 'app', logger: createConsoleLogger({ level: 'debug', write: (l) => lines.push(l) }) });
  dirs.push(d);
  return d;
}

/** A child process that stays alive until killed. */
async function liveChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return child.pid!;
}

function writeLock(file: string, pid: number, token = 'someone-else'): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid, host: os.hostname(), token, since: '2026-01-01T00:00:00.000Z' }));
}

describe('StateDirectory', () => {
  it('defaults to <tmpdir>/sluice-state', () => {
    expect(defaultStateDir()).toBe(path.join(os.tmpdir(), 'sluice-state'));
  });

  it('creates task directories under <stateDir>/<applicationId> and lists them', () => {
    const root = tempDir();
    const d = stateDirectory(root);
    expect(d.listTaskDirs()).toEqual([]);
    expect(d.taskDir('1_0')).toBe(path.join(root, 'app', '1_0'));
    d.taskDir('0_2');
    expect(fs.statSync(path.join(root, 'app', '0_2')).isDirectory()).toBe(true);
    expect(d.listTaskDirs().map((t) => t.taskId)).toEqual(['0_2', '1_0']);
    expect(() => d.taskDir('../escape')).toThrow(/cannot be a directory name/);
  });

  it('locks a task for this process and unlocks it', () => {
    const d = stateDirectory(tempDir());
    const { path: dir } = d.lock('0_0');
    const lock = JSON.parse(fs.readFileSync(path.join(dir, '.lock'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    expect(d.lock('0_0').path).toBe(dir);
    expect(d.lockedTasks()).toEqual(['0_0']);
    d.unlock('0_0');
    expect(fs.existsSync(path.join(dir, '.lock'))).toBe(false);
    expect(d.lockedTasks()).toEqual([]);
  });

  it('refuses a lock held by another live process, naming the pid and the lock file', async () => {
    const root = tempDir();
    const child = await liveChild();
    const d = stateDirectory(root);
    const file = d.lockFile('0_1');
    writeLock(file, child.pid!);
    const err = (() => {
      try {
        d.lock('0_1');
      } catch (e) {
        return e as Error & { code: string };
      }
      return undefined;
    })();
    expect(err?.code).toBe(ErrorCodes.STATE_STORE_LOCKED);
    expect(err?.message).toContain(`process ${child.pid}`);
    expect(err?.message).toContain(file);
    expect(err?.message).toMatch(/own stateDir/);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: child.pid });
  });

  it('refuses a lock held by another StateDirectory of this process', () => {
    const root = tempDir();
    stateDirectory(root).lock('0_0');
    expect(() => stateDirectory(root).lock('0_0')).toThrow(/another StateDirectory/);
  });

  it('takes over a lock whose process is gone, with a warning', async () => {
    const root = tempDir();
    const lines: string[] = [];
    const d = stateDirectory(root, lines);
    const pid = await deadPid();
    writeLock(d.lockFile('0_0'), pid);
    d.lock('0_0');
    expect(JSON.parse(fs.readFileSync(d.lockFile('0_0'), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(lines.some((l) => l.includes('WARN') && l.includes('stale') && l.includes(String(pid)))).toBe(true);
  });

  it('takes over a lock written by an earlier process that had our pid', () => {
    const d = stateDirectory(tempDir());
    writeLock(d.lockFile('0_0'), process.pid, 'token-of-a-previous-run');
    expect(() => d.lock('0_0')).not.toThrow();
    expect(d.lockedTasks()).toEqual(['0_0']);
  });

  it('stream threads of one worker (one process token) see each other\'s locks as held, and take them once released', () => {
    const root = tempDir();
    const main = stateDirectory(root);
    // a worker thread's StateDirectory: its own instance, the worker's process token
    const thread = new StateDirectory({ stateDir: root, applicationId: 'app', processToken: main.processToken });
    main.lock('0_0');
    expect(() => thread.lock('0_0')).toThrow(expect.objectContaining({ code: ErrorCodes.STATE_STORE_LOCKED }));
    main.unlock('0_0');
    expect(() => thread.lock('0_0')).not.toThrow();
    expect(thread.lockedTasks()).toEqual(['0_0']);
    thread.close();
  });

  it('cleans up only when no task is locked', async () => {
    const root = tempDir();
    const d = stateDirectory(root);
    d.lock('0_0');
    await expect(d.cleanUp()).rejects.toMatchObject({ code: ErrorCodes.STATE_STORE_LOCKED, message: expect.stringMatching(/holds the locks of tasks 0_0/) });
    d.unlock('0_0');
    await d.cleanUp();
    expect(fs.existsSync(path.join(root, 'app'))).toBe(false);
  });

  it('refuses to clean up while another live process holds a task lock', async () => {
    const root = tempDir();
    const child = await liveChild();
    const d = stateDirectory(root);
    writeLock(d.lockFile('0_3'), child.pid!);
    await expect(d.cleanUp()).rejects.toMatchObject({ code: ErrorCodes.STATE_STORE_LOCKED });
    expect(fs.existsSync(path.join(root, 'app', '0_3'))).toBe(true);
  });
});
