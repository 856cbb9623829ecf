/**
 * Queue names and deterministic job ids. A job id is `cycleId|step|…`: the same work in the same cycle
 * always gets the same id, so BullMQ refuses a duplicate while the first exists and the cycle's finished
 * set (cycle-state.ts) skips it after. BullMQ rejects custom ids containing ':' (job.js: "Custom Id cannot
 * contain :"), so '|' separates the parts and ':' inside alertKeys and scheduler job ids becomes '.'.
 */

export const QUEUES = {
  /** The orchestrator; not named `cycle` so its job keys never meet `${prefix}:cycle:${cycleId}`. */
  poll: 'poll',
  scan: 'scan',
  enrich: 'enrich',
  notify: 'notify',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const SCHEDULER_ID = 'poll';

function safe(part: string): string {
  return part.replaceAll(':', '.').replaceAll('|', '/');
}

/** Stable across a retry of the same orchestrator job; scheduler ids (`repeat:poll:<ms>`) lose their ':'. */
export function cycleIdOf(jobId: string): string {
  return safe(jobId);
}

export const jobIds = {
  products: (cycleId: string) => `${cycleId}|poll|products`,
  sweep: (cycleId: string) => `${cycleId}|poll|sweep`,
  posts: (cycleId: string) => `${cycleId}|poll|posts`,
  digestPhase: (cycleId: string, channel: string) => `${cycleId}|poll|digest|${safe(channel)}`,
  scan: (cycleId: string, productId: string, pageNo: number) =>
    `${cycleId}|scan|${safe(productId)}|${pageNo}`,
  enrich: (cycleId: string, alertKey: string) => `${cycleId}|enrich|${safe(alertKey)}`,
  notify: (cycleId: string, alertKey: string, action: string) =>
    `${cycleId}|notify|${safe(alertKey)}|${action}`,
  digest: (cycleId: string, channel: string) => `${cycleId}|notify|digest|${safe(channel)}`,
  /** A digest put up while the scan ran, rewritten with the whole storm once the scan is over. */
  digestUpdate: (cycleId: string, channel: string) => `${cycleId}|notify|digest-update|${safe(channel)}`,
  reminders: (cycleId: string) => `${cycleId}|poll|reminders`,
  /**
   * A delivery held for quiet hours: keyed by when it goes out, not by cycle, so the cycles that run
   * while it waits find it already queued instead of queueing it again.
   */
  held: (alertKey: string, step: string, at: number) => `held|notify|${safe(alertKey)}|${safe(step)}|${at}`,
  /** A copy that failed for good in one channel, retried there alone (copy-repair.ts): one per copy. */
  repair: (alertKey: string, step: string) => `repair|notify|${safe(alertKey)}|${safe(step)}`,
};

/** The step of a notify job for one channel: `post.C123`. */
export function channelStep(action: string, channel: string): string {
  return `${action}.${safe(channel)}`;
}

/** The queue a job id belongs to (its second part). */
export function queueOfJobId(jobId: string): QueueName | undefined {
  const step = jobId.split('|')[1];
  return step === 'scan' || step === 'enrich' || step === 'notify' || step === 'poll' ? step : undefined;
}
