// The broker ceiling: Kafka's own perf tools from the kafka-tools jar, fetched with Maven into
// bench/java/target/perf-tools/lib (never committed). Three standalone systems measured under S1:
//   perf-produce  ProducerPerformance: N records of 100 bytes as fast as the producer goes;
//                 latency = its send → acknowledgement percentiles
//   perf-consume  ConsumerPerformance: reads S1's input; records/s over the fetch time
//   perf-e2e      EndToEndLatency: one record at a time, produce → consume; latency only
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, spawnSystemProcess } from '../lib/child.js';
import { ProcessMonitor } from '../lib/process-stats.js';
import { NotAvailable, type PrepareContext, type StandaloneAdapter, type StandaloneResult, type StandaloneSpec, type SystemInfo } from './types.js';

const DEP_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const JVM_OPTS = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];

let libDir = '';
let prepared: Promise<SystemInfo> | undefined;

function fetchTools(ctx: PrepareContext): Promise<SystemInfo> {
  prepared ??= (async () => {
    libDir = join(ctx.root, 'bench', 'java', 'target', 'perf-tools', 'lib');
    if (!existsSync(join(libDir, '.ok'))) {
      ctx.log('perf-tools: fetching kafka-tools and the dependencies its perf classes need with Maven ...');
      mkdirSync(libDir, { recursive: true });
      const logFile = join(ctx.logDir, 'perf-tools-fetch.log');
      const mvn = await runCommand(
        'mvn',
        ['-B', '-q', '-f', join(ctx.root, 'bench', 'java', 'perf-tools', 'pom.xml'), `${DEP_PLUGIN}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${libDir}`],
        { logFile, timeoutMs: 600_000 },
      );
      if (mvn.code !== 0) throw new NotAvailable(`fetching org.apache.kafka:kafka-tools with Maven failed (log: ${logFile})`);
      writeFileSync(join(libDir, '.ok'), '');
    }
    const jar = readdirSync(libDir).find((f) => /^kafka-tools-\d.*\.jar$/.test(f));
    if (!jar) throw new NotAvailable(`no kafka-tools jar in ${libDir}; delete the folder to fetch again`);
    const version = /^kafka-tools-(.+)\.jar$/.exec(jar)![1]!;
    return { version: `kafka-tools ${version}`, config: { 'jvm options': JVM_OPTS.slice(0, 3).join(' '), 'client configs': 'tool defaults (producer acks=all, linger.ms=5)' } };
  })();
  return prepared;
}

/** Run one tool class, sampling its JVM, and return its stdout lines. */
async function runTool(cls: string, args: string[], spec: StandaloneSpec): Promise<{ lines: string[]; cpuSeconds: number | null; peakRssBytes: number | null }> {
  const lines: string[] = [];
  const proc = spawnSystemProcess({
    command: 'java',
    args: [...JVM_OPTS, '-cp', `${libDir}/*`, cls, ...args],
    logFile: spec.logFile,
    onOutputLine: (l) => lines.push(l),
  });
  const monitor = new ProcessMonitor(proc.pid, 250).start();
  const timeout = setTimeout(() => void proc.stop(1_000), 600_000);
  // the last sample before exit is the best we get: sample often near the end
  const fast = setInterval(() => void monitor.sample(), 100);
  const { code } = await proc.exited;
  clearTimeout(timeout);
  clearInterval(fast);
  monitor.stop();
  if (code !== 0) throw new Error(`${cls} exited with ${code}; see ${spec.logFile}`);
  return { lines, cpuSeconds: monitor.last?.cpuSeconds ?? null, peakRssBytes: monitor.last?.peakRssBytes ?? null };
}

function standalone(id: string, label: string, measure: (spec: StandaloneSpec) => Promise<StandaloneResult>): StandaloneAdapter {
  return {
    kind: 'standalone',
    id,
    label,
    role: 'ceiling',
    supports: (s) => (s === 's1' ? true : 'scenario-independent broker ceiling: measured once, under S1'),
    prepare: fetchTools,
    measure,
  };
}

export const perfProduce = standalone('perf-produce', 'perf-tools: produce', async (spec) => {
  const r = await runTool(
    'org.apache.kafka.tools.ProducerPerformance',
    ['--bootstrap-server', spec.brokers.join(','), '--topic', spec.scratchTopic, '--num-records', String(spec.records), '--record-size', String(spec.valueBytes), '--throughput', '-1'],
    spec,
  );
  // "1000000 records sent, 250000.0 records/sec (23.84 MB/sec), 95.5 ms avg latency, 400.0 ms max
  //  latency, 90 ms 50th, 200 ms 95th, 300 ms 99th, 390 ms 99.9th."
  const last = r.lines.filter((l) => l.includes('records sent')).pop() ?? '';
  const m = /records sent, ([\d.]+) records\/sec.* (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th/.exec(last);
  if (!m) throw new Error(`ProducerPerformance printed no summary line (see ${spec.logFile})`);
  return {
    recordsPerSecond: Number(m[1]),
    latency: { p50: Number(m[2]), p99: Number(m[3]), samples: spec.records, what: 'producer send → ack' },
    peakRssBytes: r.peakRssBytes,
    cpuSeconds: r.cpuSeconds,
    notes: ['latency is send → acknowledgement under full load, not end to end'],
  };
});

export const perfConsume = standalone('perf-consume', 'perf-tools: consume', async (spec) => {
  const r = await runTool(
    'org.apache.kafka.tools.ConsumerPerformance',
    ['--bootstrap-server', spec.brokers.join(','), '--topic', spec.inputTopic, '--num-records', String(spec.records), '--timeout', '30000', '--hide-header'],
    spec,
  );
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
  // rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const row = r.lines.filter((l) => /^\d{4}-\d\d-\d\d/.test(l)).pop();
  const cols = row?.split(',').map((c) => c.trim());
  if (!cols || cols.length < 10) throw new Error(`ConsumerPerformance printed no result row (see ${spec.logFile})`);
  return {
    recordsPerSecond: Number(cols[9]),
    latency: null,
    peakRssBytes: r.peakRssBytes,
    cpuSeconds: r.cpuSeconds,
    notes: ['records/s over the fetch time, group join excluded'],
  };
});

export const perfE2e = standalone('perf-e2e', 'perf-tools: end-to-end', async (spec) => {
  const r = await runTool('org.apache.kafka.tools.EndToEndLatency', [spec.brokers.join(','), spec.scratchTopic, String(spec.latencySamples), '1', String(spec.valueBytes)], spec);
  // "Avg latency: 1.2345 ms" then "Percentiles: 50th = 1, 99th = 2, 99.9th = 3"
  const p = r.lines.map((l) => /50th = (\d+), 99th = (\d+)/.exec(l)).find((m) => m !== null);
  if (!p) throw new Error(`EndToEndLatency printed no percentiles (see ${spec.logFile})`);
  return {
    recordsPerSecond: null,
    latency: { p50: Number(p[1]), p99: Number(p[2]), samples: spec.latencySamples, what: 'one record at a time, produce (acks=1) → consume' },
    peakRssBytes: r.peakRssBytes,
    cpuSeconds: r.cpuSeconds,
    notes: ['sequential round trips of single records: the broker/client latency floor'],
  };
});
