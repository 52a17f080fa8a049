// Child processes of the harness: spawned in their own process group, logged to a file, their
// "BENCH {json}" stdout lines parsed into events, and all of them killed when the harness exits
// or is interrupted (Ctrl-C), so no system under test outlives a run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BenchEvent, SystemProcess } from '../adapters/types.js';

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: a JVM's or a shell's children too
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Kill every child still running (SIGKILL: called on the way out, there is no time to wait). */
export function killAllChildren(): void {
  for (const c of live) killGroup(c, 'SIGKILL');
}

const interruptHooks: (() => Promise<void>)[] = [];

/** Work to do (within 20 s) after the children are killed on Ctrl-C, e.g. deleting topics. */
export function onInterrupt(hook: () => Promise<void>): void {
  hookExit();
  interruptHooks.push(hook);
}

let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllChildren);
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (interrupted) process.exit(130); // a second Ctrl-C: leave now
      interrupted = true;
      process.stderr.write(`\nbench: ${sig}: stopping ${live.size} child process(es) and deleting this run's topics\n`);
      killAllChildren();
      const timeout = new Promise((r) => setTimeout(r, 20_000).unref());
      void Promise.race([Promise.allSettled(interruptHooks.map((h) => h())), timeout]).then(() => process.exit(130));
    });
  }
}

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout lines that are not events and all of stderr go here */
  logFile: string;
  /** also hand each non-event stdout line to the caller (tools that print their results) */
  onOutputLine?: (line: string) => void;
}

/** Start a system process; see SystemProcess for what the handle offers. */
export function spawnSystemProcess(o: SpawnOptions): SystemProcess {
  hookExit();
  const log = createWriteStream(o.logFile, { flags: 'a' });
  log.write(`$ ${o.command} ${o.args.join(' ')}\n`);
  const child = spawn(o.command, o.args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so killGroup reaches grandchildren
  });
  live.add(child);
  const listeners = new Set<(e: BenchEvent) => void>();
  const history: BenchEvent[] = [];
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (line) => {
    if (!line.startsWith('BENCH ')) {
      log.write(line + '\n');
      o.onOutputLine?.(line);
      return;
    }
    let event: BenchEvent;
    try {
      event = JSON.parse(line.slice(6)) as BenchEvent;
    } catch {
      log.write(`(unparsable event) ${line}\n`);
      return;
    }
    if (event.event !== 'info' && event.event !== 'progress') log.write(line + '\n');
    if (event.event !== 'progress') history.push(event);
    for (const l of listeners) l(event);
  });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      live.delete(child);
      log.write(`spawn error: ${err.message}\n`);
      resolve({ code: -1, signal: null });
    });
  });
  void exited.then(() => setTimeout(() => log.end(), 100));

  return {
    pid: child.pid ?? -1,
    history,
    onEvent(listener) {
      for (const e of history) listener(e);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    exited,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Run a command to completion, capturing stdout (for builds, tool runs, version probes). */
export function runCommand(command: string, args: string[], options: { cwd?: string; logFile?: string; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  hookExit();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(child);
    const log = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : undefined;
    log?.write(`$ ${command} ${args.join(' ')}\n`);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      log?.write(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      log?.write(d);
    });
    const timer = options.timeoutMs ? setTimeout(() => killGroup(child, 'SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      stderr += err.message;
    });
    child.on('close', (code) => {
      live.delete(child);
      if (timer) clearTimeout(timer);
      log?.end();
      resolve({ code, stdout, stderr });
    });
  });
}
