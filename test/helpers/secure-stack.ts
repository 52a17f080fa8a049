// The secured broker for security tests: `scripts/local-stack.sh start --secure` (SASL_SSL, SCRAM,
// PLAIN and OAUTHBEARER users, ACLs enforced) on its own ports beside the plain stack. A test file
// calls useSecureStack() in beforeAll: it starts the node when it does not run (and stops it in
// afterAll), reads the client settings the script wrote, and gives admin (super user) helpers to
// create topics and grant ACLs.
import { execFileSync } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import type { RequiredAcl } from '@sluice/runtime';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const script = path.join(root, 'scripts/local-stack.sh');

export interface SecureSettings {
  bootstrapServers: string;
  caFile: string;
  admin: { username: string; password: string };
  user: { username: string; password: string };
  oauth: { signingKeyFile: string; kid: string; issuer: string; audience: string };
  adminProperties: string;
}

function stackDir(): string {
  return path.join(process.env['LOCAL_STACK_DIR'] ?? path.join(root, '.local-stack'), 'secure');
}

function running(): boolean {
  try {
    execFileSync('bash', [script, 'status', '--secure'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let startedHere = false;

/** Starts the secure node if needed and returns its client settings. */
export function startSecureStack(): SecureSettings {
  if (!running()) {
    execFileSync('bash', [script, 'start', '--secure'], { stdio: ['ignore', 'ignore', 'inherit'] });
    startedHere = true;
  }
  return JSON.parse(fs.readFileSync(path.join(stackDir(), 'client.json'), 'utf8')) as SecureSettings;
}

/** Stops the secure node if this process started it (CI leaves nothing running). */
export function stopSecureStackIfStartedHere(): void {
  if (startedHere) execFileSync('bash', [script, 'stop', '--secure'], { stdio: 'ignore' });
  startedHere = false;
}

export function caPem(s: SecureSettings): string {
  return fs.readFileSync(s.caFile, 'utf8');
}

/** A JWT for `sub` signed with the stack's OAUTHBEARER key (RS256, the broker checks iss/aud/exp). */
export function signedToken(s: SecureSettings, sub: string, overrides: { issuer?: string; expiresInS?: number } = {}): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: s.oauth.kid })}.${b64({
    sub,
    iss: overrides.issuer ?? s.oauth.issuer,
    aud: s.oauth.audience,
    iat: now,
    exp: now + (overrides.expiresInS ?? 600),
    jti: randomBytes(8).toString('hex'),
  })}`;
  const signature = createSign('RSA-SHA256').update(input).sign(fs.readFileSync(s.oauth.signingKeyFile, 'utf8')).toString('base64url');
  return `${input}.${signature}`;
}

/** A super-user admin client (PLAIN over TLS); disconnect it when done. */
export async function superAdmin(s: SecureSettings): Promise<Admin> {
  const admin = new Kafka({
    clientId: 'sluice-test-secure-admin',
    brokers: [s.bootstrapServers],
    ssl: { ca: [caPem(s)] },
    sasl: { mechanism: 'plain', username: s.admin.username, password: s.admin.password },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  return admin;
}

/** A producer as the super user, for test input. */
export function superKafka(s: SecureSettings): Kafka {
  return new Kafka({
    clientId: 'sluice-test-secure',
    brokers: [s.bootstrapServers],
    ssl: { ca: [caPem(s)] },
    sasl: { mechanism: 'plain', username: s.admin.username, password: s.admin.password },
    logLevel: logLevel.NOTHING,
  });
}

// kafkajs' CommonJS index builds these enums dynamically: reachable through the default export only
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const RESOURCE: Record<RequiredAcl['resourceType'], number> = {
  TOPIC: AclResourceTypes.TOPIC,
  GROUP: AclResourceTypes.GROUP,
  TRANSACTIONAL_ID: AclResourceTypes.TRANSACTIONAL_ID,
  CLUSTER: AclResourceTypes.CLUSTER,
};
const OPERATION: Record<RequiredAcl['operations'][number], number> = {
  READ: AclOperationTypes.READ,
  WRITE: AclOperationTypes.WRITE,
  CREATE: AclOperationTypes.CREATE,
  DESCRIBE: AclOperationTypes.DESCRIBE,
  DESCRIBE_CONFIGS: AclOperationTypes.DESCRIBE_CONFIGS,
  ALL: AclOperationTypes.ALL,
  IDEMPOTENT_WRITE: AclOperationTypes.IDEMPOTENT_WRITE,
};

function entries(acls: readonly RequiredAcl[], principal: string) {
  return acls.flatMap((a) =>
    a.operations.map((op) => ({
      resourceType: RESOURCE[a.resourceType],
      resourceName: a.name,
      resourcePatternType: a.patternType === 'PREFIXED' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal,
      host: '*',
      operation: OPERATION[op],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/** Grants `acls` to `principal`; returns a function that removes them again. */
export async function grantAcls(admin: Admin, acls: readonly RequiredAcl[], principal: string): Promise<() => Promise<void>> {
  const acl = entries(acls, principal);
  await admin.createAcls({ acl });
  return async () => {
    await admin.deleteAcls({ filters: acl });
  };
}
