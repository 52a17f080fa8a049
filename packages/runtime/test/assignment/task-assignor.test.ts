// The group leader's task placement (KIP-441): balanced, sticky, never a standby beside its active,
// caught-up copies preferred, and warm-ups instead of moves that would need a full restore.
import { describe, expect, it } from 'vitest';
import { assignTasks, type AssignableTask, type ClientState } from '../../src/assignment/task-assignor.js';
import { distributeAmongThreads } from '../../src/assignment/thread-distribution.js';

const cfg = { numStandbyReplicas: 0, acceptableRecoveryLag: 100, maxWarmupReplicas: 2 };

function client(processId: string, o: { active?: string[]; standby?: string[]; lags?: Record<string, number>; defaultLag?: number } = {}): ClientState {
  return {
    processId,
    previousActive: new Set(o.active ?? []),
    previousStandby: new Set(o.standby ?? []),
    lag: (t) => o.lags?.[t] ?? (o.active?.includes(t) ? 0 : (o.defaultLag ?? 0)),
  };
}

const statefulTasks = (n: number, sub = 0): AssignableTask[] => Array.from({ length: n }, (_, p) => ({ id: `${sub}_${p}`, stateful: true }));
const statelessTasks = (n: number, sub = 1): AssignableTask[] => Array.from({ length: n }, (_, p) => ({ id: `${sub}_${p}`, stateful: false }));
const counts = (a: ReturnType<typeof assignTasks>) => [...a.clients.values()].map((c) => c.active.length);
const allActive = (a: ReturnType<typeof assignTasks>) => [...a.clients.values()].flatMap((c) => c.active).sort();

describe('task assignment', () => {
  it('gives every task exactly one owner and balances a fresh group', () => {
    const tasks = [...statefulTasks(6), ...statelessTasks(6)];
    const a = assignTasks(tasks, [client('a'), client('b'), client('c')], cfg);
    expect(allActive(a)).toEqual(tasks.map((t) => t.id).sort());
    expect(counts(a)).toEqual([4, 4, 4]);
  });

  it('keeps tasks where they ran (sticky) when the balance allows', () => {
    const tasks = statefulTasks(4);
    const a = assignTasks(tasks, [client('a', { active: ['0_0', '0_1'] }), client('b', { active: ['0_2', '0_3'] })], cfg);
    expect(a.clients.get('a')!.active).toEqual(['0_0', '0_1']);
    expect(a.clients.get('b')!.active).toEqual(['0_2', '0_3']);
  });

  it('moves a failed-over stateful task to the caught-up standby, not to a client that would restore it all', () => {
    const tasks = statefulTasks(2);
    // the owner of 0_0 died; b holds a standby 5 records behind, c has nothing (10 000 behind)
    const b = client('b', { active: ['0_1'], standby: ['0_0'], lags: { '0_0': 5 } });
    const c = client('c', { defaultLag: 10_000 });
    const a = assignTasks(tasks, [b, c], { ...cfg, numStandbyReplicas: 1 });
    expect(a.clients.get('b')!.active).toContain('0_0');
  });

  it('warms a copy up instead of moving a stateful task to a client that is not caught up', () => {
    // a scaled-out group: a new client with no state joins two that own everything
    const tasks = statefulTasks(6);
    const olds = [client('a', { active: ['0_0', '0_1', '0_2'] }), client('b', { active: ['0_3', '0_4', '0_5'] })];
    const fresh = client('c', { defaultLag: 50_000 });
    const a = assignTasks(tasks, [...olds, fresh], cfg);
    expect(a.clients.get('c')!.active).toEqual([]);
    expect(a.clients.get('c')!.standby.length).toBe(2); // maxWarmupReplicas
    expect(a.warmups).toBe(2);
    expect(counts(a).slice(0, 2)).toEqual([3, 3]);
    // once caught up (the probing rebalance), the warmed-up tasks move
    const caughtUp = client('c', { standby: a.clients.get('c')!.standby, lags: Object.fromEntries(a.clients.get('c')!.standby.map((t) => [t, 0])), defaultLag: 50_000 });
    const next = assignTasks(tasks, [...olds, caughtUp], cfg);
    expect(next.clients.get('c')!.active.length).toBe(2);
    expect(next.warmups).toBe(0);
  });

  it('balances stateful tasks among themselves (a client not caught up warms one up) and evens the total out with stateless ones', () => {
    const tasks = [...statefulTasks(2), ...statelessTasks(2)];
    const a = assignTasks(tasks, [client('a', { active: ['0_0', '0_1', '1_0', '1_1'] }), client('b', { defaultLag: 1_000_000 })], cfg);
    // b gets a warm-up copy of a stateful task (it moves at a probing rebalance) and a stateless task now
    expect(a.warmups).toBe(1);
    expect(a.clients.get('b')!.standby).toEqual(['0_0']);
    expect(a.clients.get('a')!.active).toEqual(['0_0', '0_1', '1_1']);
    expect(a.clients.get('b')!.active).toEqual(['1_0']);
    // once caught up, each client runs one task of each sub-topology, not all stateful ones on one
    const later = assignTasks(tasks, [client('a', { active: a.clients.get('a')!.active }), client('b', { active: ['1_0'], standby: ['0_0'] })], cfg);
    expect(later.clients.get('a')!.active).toEqual(['0_1', '1_1']);
    expect(later.clients.get('b')!.active).toEqual(['0_0', '1_0']);
  });

  it('a worker joining a caught-up group gets its share of the stateful tasks, not only stateless ones', () => {
    const tasks = [...statefulTasks(4), ...statelessTasks(4)];
    const a = assignTasks(tasks, [client('a', { active: tasks.map((t) => t.id) }), client('b')], cfg);
    expect(a.clients.get('a')!.active.filter((t) => t.startsWith('0_'))).toHaveLength(2);
    expect(a.clients.get('b')!.active.filter((t) => t.startsWith('0_'))).toHaveLength(2);
    expect(a.clients.get('a')!.active).toHaveLength(4);
    expect(a.clients.get('b')!.active).toHaveLength(4);
  });

  it('never puts a standby on the client of its active task, and prefers clients with state', () => {
    const tasks = statefulTasks(4);
    const cs = [client('a', { active: ['0_0', '0_1'], standby: ['0_2'] }), client('b', { active: ['0_2', '0_3'], standby: ['0_0'] }), client('c')];
    const a = assignTasks(tasks, cs, { ...cfg, numStandbyReplicas: 2 });
    for (const [p, c] of a.clients) for (const t of c.standby) expect([p, c.active.includes(t)]).toEqual([p, false]);
    for (const t of tasks) expect([...a.clients.values()].filter((c) => c.standby.includes(t.id)).length).toBe(2);
    expect(a.clients.get('a')!.standby).toContain('0_2');
    expect(a.clients.get('b')!.standby).toContain('0_0');
  });

  it('places as many standbys as there are other clients when asked for more', () => {
    const a = assignTasks(statefulTasks(2), [client('a'), client('b')], { ...cfg, numStandbyReplicas: 3 });
    for (const t of ['0_0', '0_1']) expect([...a.clients.values()].filter((c) => c.standby.includes(t)).length).toBe(1);
  });

  it('balances by tasks per stream thread: a worker with two threads gets twice the tasks of one with one', () => {
    const tasks = [...statefulTasks(3), ...statelessTasks(6)];
    const a = assignTasks(tasks, [{ ...client('a'), capacity: 2 }, client('b')], cfg);
    expect(allActive(a)).toEqual(tasks.map((t) => t.id).sort());
    expect(counts(a)).toEqual([6, 3]);
  });
});

describe('tasks shared among a worker\'s stream threads', () => {
  const member = (memberId: string, previous: string[] = []) => ({ memberId, previous: new Set(previous) });

  it('gives each thread an even share, every task once', () => {
    const out = distributeAmongThreads(['0_0', '0_1', '0_2', '1_0', '1_1'], [member('m1'), member('m2')]);
    expect([...out.values()].flat().sort()).toEqual(['0_0', '0_1', '0_2', '1_0', '1_1']);
    expect([...out.values()].map((l) => l.length).sort()).toEqual([2, 3]);
  });

  it('keeps a task on the thread that ran it while that thread is within its share', () => {
    const out = distributeAmongThreads(['0_0', '0_1', '0_2', '0_3'], [member('m1', ['0_2', '0_3']), member('m2', ['0_0', '0_1'])]);
    expect(out.get('m1')).toEqual(['0_2', '0_3']);
    expect(out.get('m2')).toEqual(['0_0', '0_1']);
  });

  it('moves tasks off a thread that had more than its share (a new thread joined)', () => {
    const out = distributeAmongThreads(['0_0', '0_1', '0_2', '0_3'], [member('m1', ['0_0', '0_1', '0_2', '0_3']), member('m2')]);
    expect(out.get('m1')).toEqual(['0_0', '0_1']);
    expect(out.get('m2')).toEqual(['0_2', '0_3']);
  });
});
