// Prints the kafka-acls.sh lines a Sluice application needs on a secured cluster (requiredAcls):
//   npm run acls -- <module> [--principal User:alice] [--bootstrap-server host:port] [--command-config admin.properties]
// <module> exports `topology` (a Topology, or a function returning one) and `config` (the
// StreamsConfig given to KafkaStreams), as named exports or as a default export { topology, config }.
// Nothing connects to Kafka. Exits 2 on a usage error, 1 when the module or its config is wrong.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { aclCommands, requiredAcls, Topology, type StreamsConfig } from 'sluice';

const usage = 'usage: npm run acls -- <module exporting topology and config> [--principal User:<name>] [--bootstrap-server host:port] [--command-config <admin.properties>]';

function fail(message: string, code: number): never {
  process.stderr.write(`acls: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const flags = new Map<string, string>();
const positional: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--help' || a === '-h') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  if (a.startsWith('--')) {
    const name = a.slice(2);
    if (!['principal', 'bootstrap-server', 'command-config'].includes(name)) fail(`unknown option ${a}\n${usage}`, 2);
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) fail(`${a} needs a value\n${usage}`, 2);
    flags.set(name, value);
  } else positional.push(a);
}
if (positional.length !== 1) fail(`give exactly one module\n${usage}`, 2);
const principal = flags.get('principal');
if (principal !== undefined && !/^[A-Za-z]+:.+$/.test(principal)) fail(`--principal must look like User:<name>, got '${principal}'`, 2);

const file = path.resolve(positional[0]!);
let mod: Record<string, unknown>;
try {
  mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
} catch (err) {
  fail(`cannot load ${file}: ${(err as Error).message}`, 1);
}
const source = (mod['topology'] === undefined && typeof mod['default'] === 'object' && mod['default'] !== null ? mod['default'] : mod) as Record<string, unknown>;
let topology = source['topology'];
if (typeof topology === 'function') topology = (topology as () => unknown)();
const config = source['config'];
if (!(topology instanceof Topology)) {
  fail(`${file} must export 'topology' (a Topology or a function returning one); it exports: ${Object.keys(mod).join(', ') || 'nothing'}`, 1);
}
if (config === null || typeof config !== 'object') {
  fail(`${file} must export 'config' (the StreamsConfig given to KafkaStreams); it exports: ${Object.keys(mod).join(', ') || 'nothing'}`, 1);
}

try {
  const required = requiredAcls(topology, config as StreamsConfig);
  const lines = aclCommands(required, {
    ...(principal ? { principal } : {}),
    ...(flags.has('bootstrap-server') ? { bootstrapServer: flags.get('bootstrap-server')! } : {}),
    ...(flags.has('command-config') ? { commandConfig: flags.get('command-config')! } : {}),
  });
  process.stdout.write(`# ACLs of application '${required.applicationId}' for ${principal ?? required.principal ?? 'User:<principal> (fill in: the credentials do not name it)'}\n`);
  process.stdout.write(lines.join('\n') + '\n');
} catch (err) {
  fail((err as Error).message, 1);
}
