// Owns progress bars for long work (reset, redrive): drawn with cli-progress on standard error when it
// is a terminal; nothing otherwise (pipes and CI logs get the command's summary lines instead).
import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';

export interface Progress {
  /** Counts `n` more units done; `label` says what is being worked on now. */
  increment(n?: number, label?: string): void;
  /** Sets how many units are done. */
  update(done: number, label?: string): void;
  /** Raises the total when more work turns up. */
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { increment() {}, update() {}, setTotal() {}, stop() {} };

export function startProgress(io: CliIO, title: string, total: number, unit: string): Progress {
  if (!io.interactive || total <= 0) return silent;
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {value}/{total} ${unit} | {label}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    increment: (n = 1, label = '') => bar.increment(n, { label }),
    update: (done, label = '') => bar.update(done, { label }),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}
