// Runs Sluice worker processes for integration tests: a fixture script started with Node + tsx
// against the package sources, its output collected, waited on by pattern, stopped by signal.
// Every worker started in a test is killed when the test finishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { kafkaBrokers } from './env.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// inside Vitest, every worker a test starts is killed when the test ends; scripts stop their own
const onTestFinished = process.env['VITEST'] ? (await import('vitest')).onTestFinished : undefined;

export interface Worker {
  readonly name: string;
  readonly process: ChildProcess;
  /** Everything the worker printed so far (stdout and stderr). */
  output(): string;
  /** Resolves when the output matches `pattern` (checked against all output so far). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for exit (graceful close), or SIGKILL. Resolves with the exit code. */
  stop(signal?: 'SIGTERM' | 'SIGKILL', timeoutMs?: number): Promise<number | null>;
  exited(): boolean;
}

export function startWorker(fixture: string, env: Record<string, string>, name = path.basename(fixture)): Worker {
  // a bare file name is a fixture; a path is relative to the repository root (e.g. an example's app)
  const script = fixture.includes('/') ? path.join(root, fixture) : path.join(root, 'test/integration/fixtures', fixture);
  const child = spawn(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: kafkaBrokers().join(','), SLUICE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let exitCode: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
  const worker: Worker = {
    name,
    process: child,
    output: () => out,
    exited: () => exitCode !== undefined,
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(out)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`worker ${name} did not print ${pattern} within ${timeoutMs} ms; its output:\n${out.slice(-4000)}`));
        }, timeoutMs);
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exit.then((code) => {
          clearTimeout(timer);
          if (!pattern.test(out)) reject(new Error(`worker ${name} exited (code ${code}) before printing ${pattern}; its output:\n${out.slice(-4000)}`));
        });
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 60_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
  onTestFinished?.(async () => {
    if (exitCode === undefined) await worker.stop('SIGKILL', 5_000);
  });
  return worker;
}
