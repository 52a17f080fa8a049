// A second local stack on other ports (scripts/local-stack.sh with its own LOCAL_STACK_DIR): the
// registry's management port follows SCHEMA_REGISTRY_PORT (+10) unless set, and a port in use stops
// start-up before anything is downloaded or started, naming the variable that moves it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/local-stack.sh');
const servers: net.Server[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function listen(port = 0): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  servers.push(server);
  return (server.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** An occupied port whose port - 10 is free. */
async function busyPortAboveFreeOne(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (p <= 1034) continue;
    try {
      await listen(p);
    } catch {
      continue;
    }
    const below = net.createServer();
    const free = await new Promise<boolean>((resolve) => below.once('error', () => resolve(false)).listen(p - 10, '127.0.0.1', () => below.close(() => resolve(true))));
    if (free) return p;
  }
}

function start(env: Record<string, string>, ...args: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'second-stack-'));
  dirs.push(dir);
  const r = spawnSync('bash', [script, 'start', ...args], { encoding: 'utf8', env: { ...process.env, LOCAL_STACK_DIR: dir, ...env }, timeout: 30_000 });
  return { code: r.status, err: r.stderr, out: r.stdout };
}

describe('a second local stack', () => {
  it('moves the registry management port with SCHEMA_REGISTRY_PORT, and says so when that port is taken', async () => {
    const mgmt = await busyPortAboveFreeOne();
    const r = start({ KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()), SCHEMA_REGISTRY_PORT: String(mgmt - 10) });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`port ${mgmt} (schema registry management, SCHEMA_REGISTRY_PORT + 10 by default) is already taken by another process`);
    expect(r.err).toContain('move ours with SCHEMA_REGISTRY_MANAGEMENT_PORT=<free port>');
    expect(r.out).not.toMatch(/downloading/);
  });

  it('names the variable of whichever port is taken, for the secure node too', async () => {
    const busy = await listen();
    const plain = start({ KAFKA_PORT: String(busy) });
    expect(plain.code).toBe(1);
    expect(plain.err).toContain(`port ${busy} (Kafka listener) is already taken by another process`);
    expect(plain.err).toContain('move ours with KAFKA_PORT=<free port>');
    const secure = start({ KAFKA_SECURE_CONTROLLER_PORT: String(busy), KAFKA_SECURE_PORT: String(await freePort()) }, '--secure');
    expect(secure.code).toBe(1);
    expect(secure.err).toContain(`port ${busy} (Kafka controller) is already taken by another process`);
    expect(secure.err).toContain('move ours with KAFKA_SECURE_CONTROLLER_PORT=<free port>');
  });

  it('refuses an unknown option', () => {
    const r = start({}, '--secur');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--secur'; usage:");
  });
});
