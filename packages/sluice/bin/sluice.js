#!/usr/bin/env node
// The `sluice` command (the @sluice/cli package). Installed from npm it runs the built JavaScript; in
// a checkout of the Sluice repository (next to this package's tsconfig.json, which is not published)
// it runs the TypeScript sources through tsx, with the `sluice-source` export condition.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

if (existsSync(new URL('../tsconfig.json', import.meta.url))) {
  register('./source-conditions.js', import.meta.url);
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
}
const { main } = await import('@sluice/cli');
const code = await main(process.argv.slice(2));
process.exitCode = code;
// a user module (describe, diff) may leave timers or sockets open: do not wait for them
setTimeout(() => process.exit(code), 1_000).unref();
