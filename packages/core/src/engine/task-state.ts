// Owns the states a task goes through and the moves allowed between them (Kafka's Task.State):
// a task is restored before it runs, and can be closed from any state but closed.
import { IllegalStateError } from '@sluice/common';

export type TaskState = 'CREATED' | 'RESTORING' | 'RUNNING' | 'CLOSED';

const transitions: { [S in TaskState]: readonly TaskState[] } = {
  CREATED: ['RESTORING', 'CLOSED'],
  RESTORING: ['RUNNING', 'CLOSED'],
  RUNNING: ['CLOSED'],
  CLOSED: [],
};

/** `next`, when task `taskId` may go there from `from`; otherwise an IllegalStateError naming both. */
export function checkTransition(taskId: string, from: TaskState, next: TaskState): TaskState {
  if (!transitions[from].includes(next)) throw new IllegalStateError(`task ${taskId} cannot go from ${from} to ${next}`);
  return next;
}
