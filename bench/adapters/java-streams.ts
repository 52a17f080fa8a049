// Java Kafka Streams, the reference every other figure is compared with: bench/java/ built once
// with Maven (rebuilt only when its sources change) and run as one JVM per run.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runCommand, spawnSystemProcess } from '../lib/child.js';
import { NotAvailable, type ProcessorAdapter, type RunSpec } from './types.js';

const DEFAULT_JVM_OPTS = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC'];

function jvmOpts(): string[] {
  const env = process.env['BENCH_JAVA_OPTS'];
  return env ? env.split(/\s+/).filter(Boolean) : DEFAULT_JVM_OPTS;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out.sort();
}

/** A hash of everything the build reads: a change in any of it triggers a rebuild. */
function sourceHash(javaDir: string): string {
  const h = createHash('sha256');
  for (const f of [join(javaDir, 'pom.xml'), ...files(join(javaDir, 'src'))]) {
    h.update(relative(javaDir, f)).update(readFileSync(f));
  }
  return h.digest('hex');
}

let javaDir = '';
let kafkaStreamsVersion = 'unknown';

export const javaStreams: ProcessorAdapter = {
  kind: 'processor',
  id: 'java',
  label: 'Java Kafka Streams',
  role: 'streams',
  supports: () => true,
  // Kafka Streams instances of one application.id: each has its own state.dir (and process id in it)
  multiProcess: true,

  async prepare(ctx) {
    javaDir = join(ctx.root, 'bench', 'java');
    const java = await runCommand('java', ['-version']);
    if (java.code !== 0) throw new NotAvailable("no 'java' on PATH: install Java 17+ (apt install openjdk-17-jdk-headless)");
    const javaVersion = /version "([^"]+)"/.exec(java.stderr)?.[1] ?? 'unknown';
    const hashFile = join(javaDir, 'target', '.bench-source-hash');
    const hash = sourceHash(javaDir);
    const jar = join(javaDir, 'target', 'streams-bench.jar');
    const fresh = existsSync(jar) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash;
    if (!fresh) {
      ctx.log('java: building bench/java with Maven (first run or sources changed) ...');
      const logFile = join(ctx.logDir, 'java-build.log');
      const mvn = await runCommand('mvn', ['-B', '-q', '-f', join(javaDir, 'pom.xml'), 'clean', 'package', '-DskipTests'], { logFile, timeoutMs: 600_000 });
      if (mvn.code !== 0) {
        throw new NotAvailable(`Maven build of bench/java failed (exit ${mvn.code}; log: ${logFile}). Is 'mvn' installed and Maven Central reachable?`);
      }
      writeFileSync(hashFile, hash);
    }
    const lib = readdirSync(join(javaDir, 'target', 'lib'));
    kafkaStreamsVersion = /^kafka-streams-(.+)\.jar$/.exec(lib.find((f) => f.startsWith('kafka-streams-')) ?? '')?.[1] ?? 'unknown';
    const rocks = /^rocksdbjni-(.+)\.jar$/.exec(lib.find((f) => f.startsWith('rocksdbjni-')) ?? '')?.[1] ?? 'unknown';
    return {
      version: `Kafka Streams ${kafkaStreamsVersion} on Java ${javaVersion}`,
      config: {
        'num.stream.threads': 1,
        'jvm options': jvmOpts().join(' '),
        'state stores': `RocksDB (rocksdbjni ${rocks}), Kafka Streams defaults`,
        'producer linger.ms': '100 (Kafka Streams default)',
        'first-input': 'main-consumer interceptor (FirstInputInterceptor)',
        close: 'CloseOptions LEAVE_GROUP (so an S5 restart gets its partitions at once)',
      },
    };
  },

  start(spec: RunSpec) {
    const args = [
      ...jvmOpts(),
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${join(javaDir, 'target', 'streams-bench.jar')}:${join(javaDir, 'target', 'lib')}/*`,
      'dev.sluice.bench.StreamsBench',
      '--scenario', spec.scenario,
      '--brokers', spec.brokers.join(','),
      '--app-id', spec.appId,
      '--input', spec.inputTopic,
      '--output', spec.outputTopic ?? '',
      '--partitions', String(spec.partitions),
      '--state-dir', spec.stateDir,
      '--commit-interval-ms', String(spec.commitIntervalMs),
      '--stream-threads', String(spec.streamThreads),
      '--cache-max-bytes', String(spec.cacheMaxBytes),
      '--guarantee', spec.guarantee,
      '--window-size-ms', String(spec.windowSizeMs),
      '--grace-ms', String(spec.graceMs),
      '--other-input', spec.otherInputTopic ?? '',
      '--join-window-ms', String(spec.joinWindowMs),
      '--start-gate', spec.startGate ?? '',
    ];
    return Promise.resolve(spawnSystemProcess({ command: 'java', args, logFile: spec.logFile }));
  },
};
