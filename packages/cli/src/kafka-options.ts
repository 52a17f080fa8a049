// Owns the options every command that talks to Kafka shares (brokers, TLS, SASL, client id) and
// turning them into the runtime's AdminTools. Option names follow Kafka's tools where they have one.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Option, type Command } from 'commander';
import { createConsoleLogger } from '@sluice/common';
import type { AdminTools } from '@sluice/runtime';
import { usageError, type CliIO } from './io.js';

export interface KafkaCliOptions {
  bootstrapServers: string;
  bootstrapServer?: string;
  clientId: string;
  ssl?: boolean;
  sslCa?: string;
  sslCert?: string;
  sslKey?: string;
  saslMechanism?: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  saslUsername?: string;
  saslPassword?: string;
  verbose?: boolean;
}

/** Adds the connection options to a command. */
export function withKafkaOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--bootstrap-servers <list>', 'Kafka brokers to connect to, host:port[,host:port...]').env('SLUICE_BOOTSTRAP_SERVERS').default('localhost:9092'),
    )
    .addOption(new Option('--bootstrap-server <list>', "same as --bootstrap-servers (Kafka tools' spelling)").hideHelp())
    .addOption(new Option('--client-id <id>', 'client id the brokers see').default('sluice-cli'))
    .addOption(new Option('--ssl', 'connect with TLS (trusting the system CAs unless --ssl-ca is given)'))
    .addOption(new Option('--ssl-ca <file>', 'PEM file of the CA(s) to trust (implies --ssl)'))
    .addOption(new Option('--ssl-cert <file>', 'PEM client certificate for mutual TLS (implies --ssl)'))
    .addOption(new Option('--ssl-key <file>', 'PEM private key of --ssl-cert'))
    .addOption(new Option('--sasl-mechanism <mechanism>', 'SASL mechanism').choices(['plain', 'scram-sha-256', 'scram-sha-512']))
    .addOption(new Option('--sasl-username <name>', 'SASL user name').env('SLUICE_SASL_USERNAME'))
    .addOption(new Option('--sasl-password <password>', 'SASL password (prefer the environment variable: it stays out of the process list)').env('SLUICE_SASL_PASSWORD'));
}

function readPem(option: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw usageError(`cannot read the ${option} file '${file}': ${(err as Error).message}`);
  }
}

/** Validated AdminTools options from the parsed command line. */
export function adminToolsOptions(o: KafkaCliOptions) {
  const servers = o.bootstrapServer ?? o.bootstrapServers;
  let ssl: boolean | ConnectionOptions | undefined;
  if (o.sslCa !== undefined || o.sslCert !== undefined || o.sslKey !== undefined) {
    if ((o.sslCert === undefined) !== (o.sslKey === undefined)) throw usageError('--ssl-cert and --ssl-key go together: give both for mutual TLS, or neither');
    const ca = readPem('--ssl-ca', o.sslCa);
    const cert = readPem('--ssl-cert', o.sslCert);
    const key = readPem('--ssl-key', o.sslKey);
    ssl = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  } else if (o.ssl) {
    ssl = true;
  }
  let sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
  if (o.saslMechanism !== undefined || o.saslUsername !== undefined || o.saslPassword !== undefined) {
    if (o.saslMechanism === undefined || o.saslUsername === undefined || o.saslPassword === undefined) {
      throw usageError('SASL needs --sasl-mechanism, --sasl-username and a password (SLUICE_SASL_PASSWORD or --sasl-password)');
    }
    sasl = { mechanism: o.saslMechanism, username: o.saslUsername, password: o.saslPassword };
  }
  return {
    bootstrapServers: servers,
    clientId: o.clientId,
    ...(ssl !== undefined ? { ssl } : {}),
    ...(sasl !== undefined ? { sasl } : {}),
  };
}

/** Connects lazily; the caller closes. kafkajs' own log lines show only with --verbose. */
export async function openAdminTools(o: KafkaCliOptions, io: CliIO): Promise<AdminTools> {
  const options = adminToolsOptions(o);
  const { createAdminTools } = await import('@sluice/runtime');
  try {
    return createAdminTools({
      ...options,
      ...(o.verbose ? { logger: createConsoleLogger({ level: 'debug', name: 'kafka', write: (line) => io.err(line + '\n') }), kafkaLogLevel: 'warn' } : {}),
    });
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

/** Runs `work` with AdminTools and always closes them. */
export async function withAdminTools<T>(o: KafkaCliOptions, io: CliIO, work: (tools: AdminTools) => Promise<T>): Promise<T> {
  const tools = await openAdminTools(o, io);
  try {
    return await work(tools);
  } finally {
    await tools.close();
  }
}
