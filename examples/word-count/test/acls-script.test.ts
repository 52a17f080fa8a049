// `npm run acls -- <module>` on the word-count example: the kafka-acls.sh lines for its topology and
// config (here exactly-once with SCRAM credentials from the environment), and what a wrong module says.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
function acls(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--conditions=sluice-source', '--import', 'tsx', 'scripts/acls.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run acls', () => {
  it('prints the ACLs of the word-count app for its SASL user', () => {
    const r = acls(['examples/word-count/src/definition.ts'], {
      APPLICATION_ID: 'wc-prod',
      KAFKA_BROKERS: 'kafka:9094',
      PROCESSING_GUARANTEE: 'exactly_once',
      SASL_MECHANISM: 'scram-sha-512',
      SASL_USERNAME: 'wc-svc',
      SASL_PASSWORD: 'secret',
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const commands = r.out.split('\n').filter((l) => l.startsWith('kafka-acls.sh'));
    expect(commands).toEqual([
      'kafka-acls.sh --bootstrap-server kafka:9094 --add --allow-principal User:wc-svc --operation Read --topic wordcount-input',
      'kafka-acls.sh --bootstrap-server kafka:9094 --add --allow-principal User:wc-svc --operation Write --topic wordcount-output',
      'kafka-acls.sh --bootstrap-server kafka:9094 --add --allow-principal User:wc-svc --operation All --resource-pattern-type prefixed --topic wc-prod-',
      'kafka-acls.sh --bootstrap-server kafka:9094 --add --allow-principal User:wc-svc --operation Read --group wc-prod',
      'kafka-acls.sh --bootstrap-server kafka:9094 --add --allow-principal User:wc-svc --operation Write --operation Describe --resource-pattern-type prefixed --transactional-id wc-prod-',
      'kafka-acls.sh --bootstrap-server kafka:9094 --add --allow-principal User:wc-svc --operation IdempotentWrite --cluster',
    ]);
    expect(r.out).not.toContain('secret');
  });

  it('names what a module must export, and refuses a bad principal', () => {
    const wrong = acls(['examples/word-count/src/topology.ts']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/must export 'topology' \(a Topology or a function returning one\); it exports: wordCountTopology/);
    const principal = acls(['examples/word-count/src/definition.ts', '--principal', 'alice']);
    expect(principal.code).toBe(2);
    expect(principal.err).toMatch(/--principal must look like User:<name>, got 'alice'/);
  });
});
