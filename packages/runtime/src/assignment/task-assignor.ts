// Owns where tasks run (Kafka's HighAvailabilityTaskAssignor, KIP-441), computed by the group leader
// over clients (worker processes): a stateful task stays with its previous owner, or goes to the
// client with the most caught-up copy of its state (lag within acceptableRecoveryLag) — never to a
// client that would first have to restore all of it while a caught-up one exists. Active counts are
// balanced; a stateful task that balance would move to a client that is not caught up stays where it
// is, and that client gets a warm-up replica instead (at most maxWarmupReplicas at once; a probing
// rebalance later moves the task once the copy is caught up). Stateful tasks are balanced among
// themselves first, stateless ones then even out the total. numStandbyReplicas standbys per
// stateful task go to clients other than its active one, those with state first. A client with
// several stream threads has that many times the capacity: balance is by tasks per thread.

export interface AssignableTask {
  readonly id: string;
  /** Has changelogged stores: moving it costs a restore. */
  readonly stateful: boolean;
}

export interface ClientState {
  readonly processId: string;
  readonly previousActive: ReadonlySet<string>;
  readonly previousStandby: ReadonlySet<string>;
  /** Records of changelog this client would have to restore per stateful task (0 = caught up). */
  readonly lag: (taskId: string) => number;
  /** Its stream threads (members of the group); 1 when not given. */
  readonly capacity?: number;
}

export interface AssignorConfig {
  readonly numStandbyReplicas: number;
  readonly acceptableRecoveryLag: number;
  readonly maxWarmupReplicas: number;
}

export interface ClientAssignment {
  readonly active: string[];
  readonly standby: string[];
}

export interface TaskAssignment {
  readonly clients: Map<string, ClientAssignment>;
  /** Warm-up replicas placed: the group should rebalance again once they may have caught up. */
  readonly warmups: number;
}

export function assignTasks(tasks: readonly AssignableTask[], clients: readonly ClientState[], cfg: AssignorConfig): TaskAssignment {
  const active = new Map<string, Set<string>>(clients.map((c) => [c.processId, new Set()]));
  const standby = new Map<string, Set<string>>(clients.map((c) => [c.processId, new Set()]));
  if (clients.length === 0) return { clients: new Map(), warmups: 0 };
  const ordered = [...clients].sort((a, b) => (a.processId < b.processId ? -1 : a.processId > b.processId ? 1 : 0));
  const owner = new Map<string, string>();
  const capacity = new Map(clients.map((c) => [c.processId, Math.max(1, c.capacity ?? 1)]));
  const cap = (p: string) => capacity.get(p)!;
  const load = (p: string) => active.get(p)!.size / cap(p);
  const caughtUp = (c: ClientState, t: string) => c.lag(t) <= cfg.acceptableRecoveryLag;
  const place = (t: string, p: string) => {
    const prev = owner.get(t);
    if (prev !== undefined) active.get(prev)!.delete(t);
    active.get(p)!.add(t);
    owner.set(t, p);
  };
  const sortedTasks = [...tasks].sort((a, b) => compareTaskIds(a.id, b.id));
  const stateful = sortedTasks.filter((t) => t.stateful);
  const stateless = sortedTasks.filter((t) => !t.stateful);

  // 1. stateful tasks: previous owner if caught up, else the most caught-up client
  for (const t of stateful) {
    const prev = ordered.find((c) => c.previousActive.has(t.id));
    const ups = ordered.filter((c) => caughtUp(c, t.id));
    let choice: ClientState;
    if (prev && caughtUp(prev, t.id)) choice = prev;
    else if (ups.length > 0) choice = minBy(ups, (c) => [load(c.processId), c.previousStandby.has(t.id) ? 0 : 1]);
    else choice = minBy(ordered, (c) => [c.lag(t.id), load(c.processId)]);
    place(t.id, choice.processId);
  }
  // 2. balance the stateful tasks among themselves (as Kafka does, so every client gets its share of
  //    the state work, not stateless tasks in place of it): a stateful task moves only to a caught-up
  //    client, else that client warms a copy up (the task stays where it is until a probing rebalance)
  const isStateful = new Set(stateful.map((t) => t.id));
  const warmups = new Map<string, { to: string; from: string }>();
  const statefulCount = (p: string) => {
    let n = 0;
    for (const t of active.get(p)!) if (isStateful.has(t)) n++;
    for (const w of warmups.values()) n += (w.to === p ? 1 : 0) - (w.from === p ? 1 : 0);
    return n;
  };
  for (let guard = 0; guard < stateful.length * clients.length + 10; guard++) {
    const over = maxBy(ordered, (c) => [statefulCount(c.processId) / cap(c.processId)]);
    const under = minBy(ordered, (c) => [statefulCount(c.processId) / cap(c.processId)]);
    // a move helps only while the receiver stays below the giver's present load
    if ((statefulCount(under.processId) + 1) / cap(under.processId) >= statefulCount(over.processId) / cap(over.processId)) break;
    const movable = [...active.get(over.processId)!].filter((t) => isStateful.has(t) && !warmups.has(t)).sort(compareTaskIds);
    const pick = movable.find((t) => under.previousStandby.has(t) && caughtUp(under, t)) ?? movable.find((t) => caughtUp(under, t));
    if (pick !== undefined) {
      place(pick, under.processId);
      continue;
    }
    // nothing can move without a full restore: warm a copy up on the under-loaded client instead
    const toWarm = movable[0];
    if (toWarm === undefined || warmups.size >= cfg.maxWarmupReplicas) break;
    warmups.set(toWarm, { to: under.processId, from: over.processId });
  }
  for (const [t, w] of warmups) standby.get(w.to)!.add(t);

  // 3. stateless tasks: sticky, then the least loaded; then moved until every client's load (per
  //    thread, warm-ups counted where they will run) is even
  const counted = (p: string) => active.get(p)!.size + [...warmups.values()].filter((w) => w.to === p).length - [...warmups.values()].filter((w) => w.from === p).length;
  const perThread = (p: string) => counted(p) / cap(p);
  for (const t of stateless) {
    const prev = ordered.find((c) => c.previousActive.has(t.id));
    place(t.id, (prev ?? minBy(ordered, (c) => [perThread(c.processId)])).processId);
  }
  for (let guard = 0; guard < stateless.length * clients.length + 10; guard++) {
    const over = maxBy(ordered, (c) => [perThread(c.processId)]);
    const under = minBy(ordered, (c) => [perThread(c.processId)]);
    if ((counted(under.processId) + 1) / cap(under.processId) >= perThread(over.processId)) break;
    const pick = [...active.get(over.processId)!].filter((t) => !isStateful.has(t)).sort(compareTaskIds)[0];
    if (pick === undefined) break;
    place(pick, under.processId);
  }

  // 4. standbys: other clients than the active one, those holding state first
  if (cfg.numStandbyReplicas > 0) {
    for (const t of stateful) {
      const have = ordered.filter((c) => standby.get(c.processId)!.has(t.id)).length;
      const candidates = ordered.filter((c) => c.processId !== owner.get(t.id) && !standby.get(c.processId)!.has(t.id));
      const chosen = [...candidates]
        .sort((a, b) => compareKeys(standbyRank(a, t.id, standby), standbyRank(b, t.id, standby)))
        .slice(0, Math.max(0, cfg.numStandbyReplicas - have));
      for (const c of chosen) standby.get(c.processId)!.add(t.id);
    }
  }

  const out = new Map<string, ClientAssignment>();
  for (const c of clients) {
    out.set(c.processId, { active: [...active.get(c.processId)!].sort(compareTaskIds), standby: [...standby.get(c.processId)!].filter((t) => !active.get(c.processId)!.has(t)).sort(compareTaskIds) });
  }
  return { clients: out, warmups: warmups.size };
}

function standbyRank(c: ClientState, t: string, standby: Map<string, Set<string>>): number[] {
  const hasState = c.previousStandby.has(t) || c.previousActive.has(t) ? 0 : 1;
  return [hasState, c.lag(t), standby.get(c.processId)!.size / Math.max(1, c.capacity ?? 1)];
}

/** Task ids `<subtopology>_<partition>` in numeric order. */
export function compareTaskIds(a: string, b: string): number {
  const [as, ap] = a.split('_').map(Number) as [number, number];
  const [bs, bp] = b.split('_').map(Number) as [number, number];
  return as - bs || ap - bp || (a < b ? -1 : a > b ? 1 : 0);
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function minBy<T>(xs: readonly T[], key: (x: T) => number[]): T {
  let best = xs[0] as T;
  let bestKey = key(best);
  for (const x of xs.slice(1)) {
    const k = key(x);
    if (compareKeys(k, bestKey) < 0) {
      best = x;
      bestKey = k;
    }
  }
  return best;
}

function maxBy<T>(xs: readonly T[], key: (x: T) => number[]): T {
  return minBy(xs, (x) => key(x).map((n) => -n));
}
