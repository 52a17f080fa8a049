// Peak resident memory and CPU time of one process (the system under test), from Linux's /proc:
// VmHWM is the kernel's own high-water mark of the resident set, so no peak is missed between
// samples; utime + stime cover all threads (JIT, GC, RocksDB, libuv pool). Elsewhere pidusage.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ProcessSample {
  at: number;
  /** user + system CPU seconds since the process started */
  cpuSeconds: number;
  /** current resident set, bytes */
  rssBytes: number;
  /** peak resident set so far, bytes (VmHWM; the max of samples where /proc is missing) */
  peakRssBytes: number;
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

function procSample(pid: number): ProcessSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces and parentheses: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : null;
    };
    const rss = kb('VmRSS');
    const peak = kb('VmHWM');
    // a zombie (exited, not yet reaped) has no memory lines: its last real sample stands
    if (rss === null || peak === null) return null;
    return { at: Date.now(), cpuSeconds: (utime + stime) / clockTicks(), rssBytes: rss, peakRssBytes: peak };
  } catch {
    return null; // the process has exited
  }
}

type PidUsage = (pid: number) => Promise<{ cpu: number; memory: number; ctime: number }>;
let pidusage: PidUsage | undefined;

async function fallbackSample(pid: number, peak: number): Promise<ProcessSample | null> {
  pidusage ??= createRequire(import.meta.url)('pidusage') as PidUsage;
  try {
    const s = await pidusage(pid);
    return { at: Date.now(), cpuSeconds: s.ctime / 1000, rssBytes: s.memory, peakRssBytes: Math.max(peak, s.memory) };
  } catch {
    return null;
  }
}

/** Samples a process every `intervalMs` until stopped; `last` is the newest sample taken. */
export class ProcessMonitor {
  last: ProcessSample | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly pid: number,
    private readonly intervalMs = 500,
  ) {}

  start(): this {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Take a sample now (call right before stopping the process: /proc disappears with it). */
  async sample(): Promise<ProcessSample | null> {
    const s = hasProc ? procSample(this.pid) : await fallbackSample(this.pid, this.last?.peakRssBytes ?? 0);
    if (s) this.last = s;
    return s;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
