// Owns `sluice diff <old-module> <new-module>`: whether the new topology can be deployed over the
// state the old one left (exit code 3 when it cannot), with what changed.
import { Option, type Command } from 'commander';
import { ExitCode, type CommandContext } from '../io.js';
import { loadTopology } from '../module-loader.js';
import { compareTopologies, type FindingLevel } from '../topology-compatibility.js';

interface DiffOptions {
  export?: string;
  args?: string;
  oldExport?: string;
  newExport?: string;
  oldArgs?: string;
  newArgs?: string;
  applicationId?: string;
  format: 'text' | 'json';
}

const LABEL: Record<FindingLevel, string> = { incompatible: 'INCOMPATIBLE', warning: 'warning', note: 'note' };

export function addDiffCommand(program: Command, ctx: CommandContext): void {
  program
    .command('diff')
    .summary('check whether a new topology can take over an old one\'s state')
    .description(
      "Compare two topologies: does the new one keep the old one's store names (and so its changelog topics and local state), its repartition topic names, " +
        'and the sub-topology structure that decides task ids? Prints what changed; exits with 3 when the new topology cannot be deployed over the old one\'s state.',
    )
    .argument('<old-module>', 'module of the running version (same conventions as describe)')
    .argument('<new-module>', 'module of the version to deploy')
    .option('--export <name>', 'the export to use in both modules')
    .option('--args <json>', 'JSON value passed to exported functions of both modules')
    .option('--old-export <name>', 'the export to use in the old module')
    .option('--new-export <name>', 'the export to use in the new module')
    .option('--old-args <json>', 'JSON value for the old module\'s function')
    .option('--new-args <json>', 'JSON value for the new module\'s function')
    .option('--application-id <id>', 'application id, to print the real changelog and repartition topic names')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExit codes: 0 compatible (notes and warnings may be printed), 3 incompatible, 1 a module failed to load, 2 usage error.\n\nExample (in CI):\n  git show main:src/topology.ts > /tmp/old-topology.ts && sluice diff /tmp/old-topology.ts src/topology.ts\n')
    .action(async (oldModule: string, newModule: string, opts: DiffOptions) => {
      const pick = (side: 'old' | 'new') => {
        const exportName = side === 'old' ? (opts.oldExport ?? opts.export) : (opts.newExport ?? opts.export);
        const args = side === 'old' ? (opts.oldArgs ?? opts.args) : (opts.newArgs ?? opts.args);
        return { ...(exportName !== undefined ? { export: exportName } : {}), ...(args !== undefined ? { args } : {}) };
      };
      const before = await loadTopology(oldModule, pick('old'));
      const after = await loadTopology(newModule, pick('new'));
      const report = compareTopologies(before, after, opts.applicationId !== undefined ? { applicationId: opts.applicationId } : {});
      if (opts.format === 'json') {
        ctx.io.out(JSON.stringify({ old: oldModule, new: newModule, ...report }, null, 2) + '\n');
      } else {
        const lines = [`old: ${oldModule}`, `new: ${newModule}`, ''];
        if (report.findings.length === 0) lines.push('No changes to stores, changelogs, repartition topics or sub-topologies.');
        for (const f of report.findings) lines.push(`${LABEL[f.level].padEnd(12)} ${f.message}`);
        const problems = report.findings.filter((f) => f.level === 'incompatible').length;
        lines.push(
          '',
          report.compatible
            ? 'Compatible: the new topology can be deployed over the old one\'s state.'
            : `Incompatible (${problems} problem${problems === 1 ? '' : 's'}): deploying it loses or orphans state. Fix the names above, or reset the application (sluice reset) and reprocess.`,
        );
        ctx.io.out(lines.join('\n') + '\n');
      }
      if (!report.compatible) ctx.exitCode = ExitCode.INCOMPATIBLE;
    });
}
