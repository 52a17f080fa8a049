// Runs the `sluice` command in a child process, exactly as a user's shell would (the `sluice`
// package's bin, from the sources in this repository), and collects its exit code and output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers } from './env.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SLUICE_BIN = path.join(root, 'packages/sluice/bin/sluice.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `sluice ...args` with the test broker as --bootstrap-servers (through SLUICE_BOOTSTRAP_SERVERS). */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [SLUICE_BIN, ...args], {
    cwd: root,
    env: { ...process.env, SLUICE_BOOTSTRAP_SERVERS: kafkaBrokers().join(','), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The JSON a command printed with --format json (failing with its output when it is not JSON). */
export function jsonOf<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${result.code}); stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
