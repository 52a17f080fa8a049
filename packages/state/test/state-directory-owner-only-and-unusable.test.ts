// Local state on disk is owner-only (0700), and a state directory that cannot be used is refused
// when the StateDirectory (the KafkaStreams app) is created, with the reason: a file in the path, no
// permission, or a special file system such as /proc — where Node's own recursive mkdir would spin at
// 100 % CPU forever, so that case runs in a child process with a deadline.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '@sluice/common';
import { StateDirectory } from '@sluice/state';
import { tempDir } from './helpers/fake-context.js';

const opened: StateDirectory[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});
const open = (stateDir: string) => {
  const d = new StateDirectory({ stateDir, applicationId: 'app' });
  opened.push(d);
  return d;
};
const mode = (p: string) => fs.statSync(p).mode & 0o777;

describe('state directories are owner-only', () => {
  it('creates the base, application and task directories with mode 0700', () => {
    const base = path.join(tempDir(), 'new', 'state');
    const d = open(base);
    expect(mode(base)).toBe(0o700);
    expect(mode(d.appDir)).toBe(0o700);
    expect(mode(d.taskDir('0_1'))).toBe(0o700);
  });

  it('tightens an application directory an earlier version left readable by others', () => {
    const base = tempDir();
    fs.mkdirSync(path.join(base, 'app'), { mode: 0o755 });
    fs.chmodSync(path.join(base, 'app'), 0o755);
    expect(mode(open(base).appDir)).toBe(0o700);
  });
});

describe('a state directory that cannot be used', () => {
  it('a file in the path: named, instead of a raw ENOTDIR', () => {
    const file = path.join(tempDir(), 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const stateDir = path.join(file, 'state');
    expect(() => open(stateDir)).toThrow(ConfigError);
    expect(() => open(stateDir)).toThrow(`stateDir '${stateDir}' cannot be used: '${file}' is a file, not a directory. Set stateDir to a directory this process can create and write`);
  });

  it.skipIf(process.getuid?.() === 0)('no permission to create it', () => {
    const locked = path.join(tempDir(), 'locked');
    fs.mkdirSync(locked, { mode: 0o500 });
    expect(() => open(path.join(locked, 'state'))).toThrow(/cannot be used: no permission to create '.*\/locked\/state' in '.*\/locked'/);
  });

  it.skipIf(!fs.existsSync('/proc/self'))('under /proc: a clear error at once, no 100 % CPU spin', () => {
    const script = `
      import('@sluice/state').then(({ StateDirectory }) => {
        try { new StateDirectory({ stateDir: '/proc/sluice-state', applicationId: 'app' }); console.log('CREATED'); }
        catch (e) { console.log(e.message); }
      });`;
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.error, `the child did not finish within 20 s (signal ${child.signal}): the mkdir spin is back`).toBeUndefined();
    expect(child.stdout.trim()).toBe(
      "stateDir '/proc/sluice-state' cannot be used: '/proc' does not allow creating directories (a special file system such as /proc or /sys, or a dangling symlink). Set stateDir to a directory this process can create and write",
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
