/** Task queues per class of work; a worker polls the ones its configuration names. */
export const TaskQueues = {
  domainScans: 'perimeter-domain-scans',
} as const;

export type TaskQueue = (typeof TaskQueues)[keyof typeof TaskQueues];
