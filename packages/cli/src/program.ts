// Owns the `sluice` command line: the commands, the global options, and turning whatever a command
// throws into one clear message and a documented exit code (io.ts).
import { Command, CommanderError } from 'commander';
import { SluiceError } from '@sluice/common';
import { addDescribeCommand } from './commands/describe.js';
import { addDiffCommand } from './commands/diff.js';
import { addDlqCommand } from './commands/dlq.js';
import { addLagCommand } from './commands/lag.js';
import { addQueryCommand } from './commands/query.js';
import { addResetCommand } from './commands/reset.js';
import { CliError, ExitCode, describeFailure, processIO, type CliIO, type CommandContext } from './io.js';

export const VERSION = '0.1.0';

const EXIT_CODES = `
Exit codes:
  0  success
  1  the command failed (Kafka unreachable, group still active, HTTP error answer, module that fails to load, …)
  2  usage error (unknown command or option, missing or invalid argument)
  3  sluice diff: the new topology is incompatible with the old one's state
`;

export function createProgram(ctx: CommandContext): Command {
  const program = new Command('sluice')
    .description('Operate Sluice (Kafka Streams for TypeScript) applications: describe and diff topologies, reset an application, show its lag, query its stores, browse and redrive its dead letter queue.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--verbose', "print stack traces and the Kafka client's warnings")
    .configureOutput({ writeOut: (s) => ctx.io.out(s), writeErr: (s) => ctx.io.err(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES + '\nMore: docs/cli.md, or sluice <command> --help\n');
  addDescribeCommand(program, ctx);
  addDiffCommand(program, ctx);
  addResetCommand(program, ctx);
  addLagCommand(program, ctx);
  addQueryCommand(program, ctx);
  addDlqCommand(program, ctx);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<ExitCode> {
  const ctx: CommandContext = { io, exitCode: ExitCode.OK };
  const program = createProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander printed the message (or the help) already
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true || argv.includes('--verbose');
    // Sluice's own errors say everything in their message; anything else may be a bug: show where
    const expected = err instanceof CliError || err instanceof SluiceError;
    io.err(describeFailure(err, verbose || !expected));
    return err instanceof CliError ? err.exitCode : ExitCode.FAILURE;
  }
}
