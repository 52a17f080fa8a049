// The leader's assignment for workers with several stream threads (members of one process): a
// worker's threads count as one client of that many threads' capacity, its tasks are shared among
// them, and what each thread reported is merged (tasks, offset sums) before tasks are placed.
import { describe, expect, it } from 'vitest';
import { noopLogger, systemClock } from '@sluice/common';
import type { SubtopologyDef } from '@sluice/core';
import { StreamsAssignor, type AssignmentInfo, type SubscriptionInfo } from '../../src/assignment/streams-assignor.js';
import { TopologyTasks } from '../../src/assignment/topology-tasks.js';
import type { AssignmentContext, PartitionReader } from '../../src/ports.js';

const sub = (id: number, topic: string): SubtopologyDef => ({ id, nodes: [], sourceTopics: [topic], sourcePatterns: [], repartitionSourceTopics: [], sinkTopics: [] }) as unknown as SubtopologyDef;

function assignor(): StreamsAssignor {
  return new StreamsAssignor({
    processId: 'p-leader',
    endpoint: undefined,
    topologyTasks: new TopologyTasks([sub(0, 'in')], new Map([[0, ['in']]])),
    topology: 'fp',
    changelogsOf: () => [],
    local: () => ({ active: [], standby: [], offsetSums: new Map() }),
    diskOffsetSums: async () => new Map(),
    numStandbyReplicas: 0,
    acceptableRecoveryLag: 10_000,
    maxWarmupReplicas: 2,
    probingRebalanceIntervalMs: 600_000,
    clock: systemClock,
    logger: noopLogger,
    shutdownRequested: () => undefined,
    onAssignment: () => undefined,
  });
}

const subscription = (processId: string, active: string[] = []): Buffer => Buffer.from(JSON.stringify({ processId, active, standby: [], offsetSums: {}, topology: 'fp' } satisfies SubscriptionInfo));
const ctx: AssignmentContext = { partitionCount: () => 9, reader: {} as PartitionReader };
const info = (b: Buffer): AssignmentInfo => JSON.parse(b.toString()) as AssignmentInfo;

describe('assignment for workers with several stream threads', () => {
  it('gives a worker with two threads twice the tasks of a worker with one, shared between its threads', async () => {
    const out = await assignor().assign(
      [
        { memberId: 'a-1', userData: subscription('A') },
        { memberId: 'a-2', userData: subscription('A') },
        { memberId: 'b-1', userData: subscription('B') },
      ],
      ctx,
    );
    const tasks = (m: string) => info(out.get(m)!.userData).active;
    expect(tasks('a-1').length + tasks('a-2').length).toBe(6);
    expect(tasks('a-1')).toHaveLength(3);
    expect(tasks('a-2')).toHaveLength(3);
    expect(tasks('b-1')).toHaveLength(3);
    expect([...tasks('a-1'), ...tasks('a-2'), ...tasks('b-1')].sort()).toEqual(Array.from({ length: 9 }, (_, p) => `0_${p}`).sort());
    // the partitions a thread consumes are its tasks' inputs
    expect(out.get('a-2')!.partitions.map((tp) => `0_${tp.partition}`)).toEqual(tasks('a-2'));
    // every member hears the same fleet: one client per process
    expect(info(out.get('b-1')!.userData).clients.map((c) => c.processId).sort()).toEqual(['A', 'B']);
  });

  it('keeps tasks on the thread and worker that ran them', async () => {
    const out = await assignor().assign(
      [
        { memberId: 'a-1', userData: subscription('A', ['0_0', '0_1', '0_2']) },
        { memberId: 'a-2', userData: subscription('A', ['0_3', '0_4', '0_5']) },
        { memberId: 'b-1', userData: subscription('B', ['0_6', '0_7', '0_8']) },
      ],
      ctx,
    );
    expect(info(out.get('a-1')!.userData).active).toEqual(['0_0', '0_1', '0_2']);
    expect(info(out.get('a-2')!.userData).active).toEqual(['0_3', '0_4', '0_5']);
    expect(info(out.get('b-1')!.userData).active).toEqual(['0_6', '0_7', '0_8']);
  });
});
