// A single-node Kafka broker of a test's own (the local stack's jars, a temp data dir, free ports)
// that the test can stop and start again — broker outages without touching the shared broker every
// other test uses. Only where the local stack's jars exist (`scripts/local-stack.sh fetch|start`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = process.env['KAFKA_VERSION'] ?? '4.4.0';
const libs = path.join(process.env['LOCAL_STACK_DIR'] ?? path.join(root, '.local-stack'), `kafka-${version}`, 'libs');

/** Whether the broker jars are here (they are once the local stack has been started or fetched). */
export function restartableBrokerAvailable(): boolean {
  return existsSync(libs);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export class RestartableBroker {
  private child: ChildProcess | undefined;
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(): Promise<RestartableBroker> {
    if (!restartableBrokerAvailable()) throw new Error(`no Kafka jars at ${libs}: run scripts/local-stack.sh start (or fetch) once`);
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-broker-'));
    const port = await freePort();
    const controller = await freePort();
    const template = readFileSync(path.join(root, 'tools/local-stack/server.properties.tmpl'), 'utf8');
    writeFileSync(path.join(dir, 'server.properties'), template.replaceAll('${STATE}', dir).replaceAll('${KAFKA_PORT}', String(port)).replaceAll('${CONTROLLER_PORT}', String(controller)));
    const b = new RestartableBroker(dir, port);
    await b.java(['kafka.tools.StorageTool', 'format', '--cluster-id', 'sluiceRestartable0001A', '--config', path.join(dir, 'server.properties'), '--ignore-formatted']);
    await b.start();
    return b;
  }

  /** Starts the broker (same data as before) and waits until it answers a metadata request. */
  async start(): Promise<void> {
    if (this.child) return;
    const log = path.join(this.dir, 'kafka.log');
    this.child = spawn('java', [...this.jvmOptions(), '-cp', `${libs}/*`, 'kafka.Kafka', path.join(this.dir, 'server.properties')], { stdio: ['ignore', 'ignore', 'ignore'] });
    this.child.on('exit', () => (this.child = undefined));
    const deadline = Date.now() + 60_000;
    const kafka = new Kafka({ clientId: 'restartable-broker-probe', brokers: [this.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 500 });
    for (;;) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.fetchTopicMetadata({ topics: [] });
        await admin.describeCluster();
        await admin.disconnect();
        return;
      } catch {
        await admin.disconnect().catch(() => undefined);
        if (Date.now() > deadline) throw new Error(`the test broker on ${this.bootstrap} did not start within 60 s (log: ${log})`);
        if (!this.child) throw new Error(`the test broker on ${this.bootstrap} exited at start`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Stops the broker: 'SIGTERM' shuts down cleanly, 'SIGKILL' crashes it. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private jvmOptions(): string[] {
    return ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${path.join(root, 'tools/local-stack/log4j2.properties')}`, `-Dkafka.logs.dir=${this.dir}`];
  }

  private java(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn('java', [...this.jvmOptions(), '-cp', `${libs}/*`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args[0]} failed (${code}): ${err.slice(-2000)}`))));
    });
  }
}
