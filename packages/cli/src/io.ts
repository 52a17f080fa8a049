// Owns how the CLI talks to its caller: where output goes, the exit codes it documents, and the error
// it throws for a clear, expected failure (printed as one message, never as a stack trace).
import { SluiceError } from '@sluice/common';

/** Exit codes of every `sluice` command (docs/cli.md lists them). */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** It could not: Kafka unreachable, group still active, HTTP error answer, module that fails to load… */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, missing or invalid argument. */
  USAGE: 2,
  /** `sluice diff`: the new topology cannot be deployed over the old one's state. */
  INCOMPATIBLE: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliIO {
  /** Writes to standard output (the command's result). */
  out(text: string): void;
  /** Writes to standard error (progress, warnings, errors). */
  err(text: string): void;
  /** Whether standard error is a terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
}

/** What a command gets: where to write, and an exit code to set when it finishes without failing. */
export interface CommandContext {
  readonly io: CliIO;
  exitCode: ExitCode;
}

export function processIO(): CliIO {
  // `sluice dlq list | head`: the reader went away; stop quietly, as Unix tools do
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) {
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(ExitCode.OK);
        throw err;
      });
    }
  }
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
  };
}

/** A failure the user can act on: its message says what was wrong and what to do. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.FAILURE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** A usage mistake found after parsing (conflicting options, an invalid value). */
export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}

/** The lines to print for a failure: its message; with `verbose`, its causes and stack trace too. */
export function describeFailure(err: unknown, verbose: boolean): string {
  const lines = [`error: ${messageOf(err)}`];
  if (verbose) {
    let current: unknown = err instanceof Error ? err.cause : undefined;
    for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
      lines.push(`  caused by: ${messageOf(current)}`);
      current = current instanceof Error ? current.cause : undefined;
    }
    if (err instanceof Error && err.stack) lines.push(err.stack);
  }
  return lines.join('\n') + '\n';
}

function messageOf(err: unknown): string {
  if (err instanceof CliError || err instanceof SluiceError) return err.message;
  if (err instanceof Error) return err.message ? `${err.name}: ${err.message}` : err.name;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
