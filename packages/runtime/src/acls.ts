// Owns the ACLs a Sluice application needs on a secured cluster (what Kafka Streams' security guide
// lists): READ on its input topics, WRITE on its output topics, everything on the topics it owns
// (prefixed `<applicationId>-`: changelogs, repartition topics), READ on its consumer group, and for
// exactly-once WRITE/DESCRIBE on its transactional ids (prefixed `<applicationId>-`), plus
// IDEMPOTENT_WRITE on the cluster for brokers older than 3.0. It renders them as kafka-acls.sh lines.
import type { Topology } from '@sluice/core';
import { resolveConfig, type StreamsConfig } from './config.js';
import { principalOf } from './security-config.js';

export type AclResourceType = 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID' | 'CLUSTER';
export type AclPatternType = 'LITERAL' | 'PREFIXED';
export type AclOperation = 'READ' | 'WRITE' | 'CREATE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'ALL' | 'IDEMPOTENT_WRITE';

/** One ACL to grant: allow `operations` on the resource. */
export interface RequiredAcl {
  readonly resourceType: AclResourceType;
  readonly patternType: AclPatternType;
  /** Topic, group or transactional id (its prefix when PREFIXED); 'kafka-cluster' for the cluster. */
  readonly name: string;
  readonly operations: readonly AclOperation[];
  /** Why the application needs it. */
  readonly reason: string;
}

export interface RequiredAcls {
  readonly applicationId: string;
  readonly bootstrapServers: readonly string[];
  /** `User:<name>` from the sasl settings; undefined when they do not tell (OAUTHBEARER, mTLS). */
  readonly principal: string | undefined;
  readonly acls: readonly RequiredAcl[];
  /** What could not be listed (pattern sources, dynamic sinks): grant these by hand. */
  readonly notes: readonly string[];
}

export interface AclCommandOptions {
  /** Default: the principal of the config's sasl settings, else `User:<principal>` to fill in. */
  readonly principal?: string;
  /** Default: the application's bootstrap servers. */
  readonly bootstrapServer?: string;
  /** An admin client properties file for kafka-acls.sh (--command-config). */
  readonly commandConfig?: string;
}

export const PRINCIPAL_PLACEHOLDER = 'User:<principal>';

/** The ACLs `topology` needs when run with `config` (the same object given to KafkaStreams). */
export function requiredAcls(topology: Topology, config: StreamsConfig): RequiredAcls {
  const c = resolveConfig(config);
  const appId = c.applicationId;
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const notes: string[] = [];
  for (const def of topology.nodes.values()) {
    if (def.kind === 'source') {
      for (const t of def.topics ?? []) if (!topology.isInternalTopic(t)) inputs.add(t);
      if (def.pattern) notes.push(`source '${def.name}' reads every topic matching ${String(def.pattern)}: grant READ on each of them (a PREFIXED topic ACL when the pattern is a prefix)`);
    } else if (def.kind === 'sink') {
      if (def.topic !== undefined && !topology.isInternalTopic(def.topic)) outputs.add(def.topic);
      if (def.topicExtractor) notes.push(`sink '${def.name}' chooses its topic per record: grant WRITE on every topic it may choose`);
    }
  }
  const acls: RequiredAcl[] = [];
  for (const t of [...inputs].sort()) acls.push({ resourceType: 'TOPIC', patternType: 'LITERAL', name: t, operations: ['READ'], reason: 'input topic' });
  for (const t of [...outputs].sort()) acls.push({ resourceType: 'TOPIC', patternType: 'LITERAL', name: t, operations: ['WRITE'], reason: 'output topic' });
  acls.push({
    resourceType: 'TOPIC',
    patternType: 'PREFIXED',
    name: `${appId}-`,
    operations: ['ALL'],
    reason: 'internal topics (changelogs, repartition topics): created, described, read, written and deleted by the app',
  });
  acls.push({ resourceType: 'GROUP', patternType: 'LITERAL', name: appId, operations: ['READ'], reason: 'consumer group (= applicationId): join, fetch and commit offsets' });
  if (c.guarantee === 'exactly_once') {
    acls.push({ resourceType: 'TRANSACTIONAL_ID', patternType: 'PREFIXED', name: `${appId}-`, operations: ['WRITE', 'DESCRIBE'], reason: 'exactly-once: one transactional producer per task, id <applicationId>-<taskId>' });
  }
  acls.push({ resourceType: 'CLUSTER', patternType: 'LITERAL', name: 'kafka-cluster', operations: ['IDEMPOTENT_WRITE'], reason: 'idempotent producers (needed by brokers before Kafka 3.0; WRITE on a topic suffices after)' });
  return { applicationId: appId, bootstrapServers: c.brokers, principal: principalOf(c.sasl), acls, notes };
}

const OPERATION_FLAG: Record<AclOperation, string> = {
  READ: 'Read',
  WRITE: 'Write',
  CREATE: 'Create',
  DESCRIBE: 'Describe',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  ALL: 'All',
  IDEMPOTENT_WRITE: 'IdempotentWrite',
};

const RESOURCE_FLAG: Record<Exclude<AclResourceType, 'CLUSTER'>, string> = { TOPIC: '--topic', GROUP: '--group', TRANSACTIONAL_ID: '--transactional-id' };

function shellWord(s: string): string {
  // placeholders such as <principal> are for the reader to replace, not for the shell
  return /^[A-Za-z0-9_.:,/=@+-]+$/.test(s) || /^(User:)?<[a-z.]+>$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One kafka-acls.sh line that grants `acl` to `principal`. */
export function aclCommand(acl: Pick<RequiredAcl, 'resourceType' | 'patternType' | 'name' | 'operations'>, o: { principal: string; bootstrapServer: string; commandConfig?: string | undefined }): string {
  const words = ['kafka-acls.sh', '--bootstrap-server', o.bootstrapServer];
  if (o.commandConfig) words.push('--command-config', o.commandConfig);
  words.push('--add', '--allow-principal', o.principal);
  for (const op of acl.operations) words.push('--operation', OPERATION_FLAG[op]);
  if (acl.resourceType === 'CLUSTER') words.push('--cluster');
  else {
    if (acl.patternType === 'PREFIXED') words.push('--resource-pattern-type', 'prefixed');
    words.push(RESOURCE_FLAG[acl.resourceType], acl.name);
  }
  return words.map(shellWord).join(' ');
}

/** The kafka-acls.sh lines for `required`, each after a comment saying why. */
export function aclCommands(required: RequiredAcls, o: AclCommandOptions = {}): string[] {
  const principal = o.principal ?? required.principal ?? PRINCIPAL_PLACEHOLDER;
  const bootstrapServer = o.bootstrapServer ?? required.bootstrapServers.join(',');
  const lines: string[] = [];
  for (const acl of required.acls) {
    lines.push(`# ${acl.resourceType.toLowerCase().replace('_', ' ')} ${acl.patternType === 'PREFIXED' ? `prefix '${acl.name}'` : `'${acl.name}'`}: ${acl.reason}`);
    lines.push(aclCommand(acl, { principal, bootstrapServer, commandConfig: o.commandConfig }));
  }
  for (const n of required.notes) lines.push(`# NOTE ${n}`);
  return lines;
}
