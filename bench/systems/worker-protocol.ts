// The Node side of the harness ↔ system protocol (bench/adapters/types.ts): a worker process reads
// its RunSpec from the BENCH_RUN_SPEC environment variable, reports events as `BENCH {json}` lines
// on stdout, and shuts down cleanly on SIGTERM / SIGINT.
import type { BenchEvent, RunSpec } from '../adapters/types.js';

export function readRunSpec(): RunSpec {
  const raw = process.env['BENCH_RUN_SPEC'];
  if (!raw) throw new Error('BENCH_RUN_SPEC is not set: bench workers are started by bench/run.ts (npm run bench), not by hand');
  return JSON.parse(raw) as RunSpec;
}

export function emit(event: BenchEvent): void {
  process.stdout.write(`BENCH ${JSON.stringify(event)}\n`);
}

/** Emits `first-input` once; call it for every batch (cheap after the first). */
export function firstInputReporter(): () => void {
  let seen = false;
  return () => {
    if (seen) return;
    seen = true;
    emit({ event: 'first-input', at: Date.now() });
  };
}

/** Run `close` on SIGTERM/SIGINT (once), then exit; a failure in it exits with status 1. */
export function onShutdown(close: () => Promise<void>): void {
  let closing = false;
  const handler = () => {
    if (closing) return;
    closing = true;
    close().then(
      () => {
        emit({ event: 'closed', at: Date.now() });
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Report a fatal error to the harness and exit. */
export function fail(err: unknown): never {
  emit({ event: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  process.exit(1);
}
