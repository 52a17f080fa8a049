// What the results say about where they were measured: the machine and the runtimes.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { runCommand } from './child.js';

export async function describeMachine(): Promise<Record<string, string | number>> {
  const cpus = os.cpus();
  const java = await runCommand('java', ['-version']).catch(() => ({ code: 1, stdout: '', stderr: '' }));
  const mvn = await runCommand('mvn', ['-v']).catch(() => ({ code: 1, stdout: '', stderr: '' }));
  let distro = '';
  try {
    distro = /^PRETTY_NAME="?([^"\n]+)/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / (1 << 30)) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}${distro ? ` (${distro})` : ''}`,
    node: process.version,
    java: java.stderr.split('\n')[0]?.trim() ?? 'none',
    maven: /Apache Maven (\S+)/.exec(mvn.stdout)?.[1] ?? 'none',
  };
}
