// Owns building Sluice as a user runs it: `tsc -b` writes each workspace package's dist/, and the
// Sluice workers import those (no `sluice-source` condition), so the bench measures the compiled
// JavaScript users install, not sources transformed by tsx at load time (its keepNames wrapping of
// every function cost S3 about a fifth of its throughput).
import { join } from 'node:path';
import { runCommand } from '../lib/child.js';
import { NotAvailable, type PrepareContext } from './types.js';

const built = new Map<string, Promise<void>>();

/** Runs `tsc -b` in `root` once per bench run (incremental: a few seconds when nothing changed). */
export function buildSluice(ctx: PrepareContext, root = ctx.root): Promise<void> {
  let pending = built.get(root);
  if (pending === undefined) {
    pending = (async () => {
      ctx.log(`sluice: building the packages (tsc -b in ${root}) ...`);
      const logFile = join(ctx.logDir, `sluice-build-${built.size}.log`);
      const tsc = await runCommand(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root, logFile, timeoutMs: 600_000 });
      if (tsc.code !== 0) throw new NotAvailable(`building Sluice with 'tsc -b' failed (exit ${tsc.code}; log: ${logFile}); run 'npm run build' to see the errors`);
    })();
    built.set(root, pending);
  }
  return pending;
}
