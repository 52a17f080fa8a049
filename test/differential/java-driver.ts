// Owns the Java side of the differential tests: whether Java and Maven are installed, building the
// program in java/ once (again only when its sources change), and running scenario files through
// it. Results are cached under java/target/results/ by a hash of the program and the scenario files,
// so a rerun without changes on the Kafka side costs no JVM start. Builds and runs are asynchronous:
// a test worker blocked for the minute a cold Maven build takes would miss its runner's calls.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKey, type ResultLine } from './scenario.js';

const JAVA_DIR = fileURLToPath(new URL('./java/', import.meta.url));
const TARGET = path.join(JAVA_DIR, 'target');
const JAR = path.join(TARGET, 'streams-differential.jar');
const BUILT_HASH = path.join(TARGET, 'built-from.sha256');

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

/** Why the Java side cannot run here, or undefined when it can. */
export function javaUnavailable(): string | undefined {
  if (!works('java', ['-version'])) return 'no `java` on the PATH (Java 17+ is needed for the Kafka Streams side)';
  if (!existsSync(JAR) && !works('mvn', ['-v'])) return 'no `mvn` on the PATH (Maven builds the Kafka Streams side once)';
  return undefined;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function hashOf(files: readonly string[], extra = ''): string {
  const h = createHash('sha256').update(extra);
  for (const f of [...files].sort()) h.update(f).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

function programHash(): string {
  return hashOf([path.join(JAVA_DIR, 'pom.xml'), ...filesUnder(path.join(JAVA_DIR, 'src'))]);
}

const run = promisify(execFile);

/** Builds the program unless it is built from these sources already; offline first, then online once. */
export async function ensureJavaProgram(): Promise<void> {
  const want = programHash();
  if (existsSync(JAR) && existsSync(BUILT_HASH) && readFileSync(BUILT_HASH, 'utf8') === want) return;
  try {
    await run('mvn', ['-q', '-o', 'package'], { cwd: JAVA_DIR, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    // the first build on a machine fetches Kafka Streams 4.4 and Maven's plugins from Maven Central
    try {
      await run('mvn', ['-q', 'package'], { cwd: JAVA_DIR, maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`building the Kafka Streams side failed (cd ${JAVA_DIR} && mvn package):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
    }
  }
  writeFileSync(BUILT_HASH, want);
}

/** Every result line of these scenario files from Kafka Streams, by scenario and variant (runKey). */
export async function runJava(scenarioFiles: readonly string[]): Promise<Map<string, ResultLine[]>> {
  await ensureJavaProgram();
  const cacheDir = path.join(TARGET, 'results');
  const cacheFile = path.join(cacheDir, `${hashOf(scenarioFiles, readFileSync(BUILT_HASH, 'utf8'))}.jsonl`);
  let text: string;
  if (existsSync(cacheFile)) {
    text = readFileSync(cacheFile, 'utf8');
  } else {
    const classpath = [JAR, path.join(TARGET, 'lib', '*')].join(path.delimiter);
    ({ stdout: text } = await run('java', ['-cp', classpath, 'dev.sluice.differential.Main', ...scenarioFiles], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, DIFFERENTIAL_ONLY: '' },
    }));
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, text);
  }
  const byRun = new Map<string, ResultLine[]>();
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = JSON.parse(raw) as ResultLine;
    const key = runKey(line.scenario, line.variant);
    let list = byRun.get(key);
    if (!list) byRun.set(key, (list = []));
    list.push(line);
  }
  return byRun;
}
