import { type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { OrderApi } from '../yeastar/orders.js';
import { FINAL_ORDER_STATUSES, type OrderDetails } from '../yeastar/schemas/orders.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import { findPlacedOrder } from './reconcile.js';

/**
 * Following an order until its status is final: a BullMQ job per order (in Redis, so it survives a
 * restart), retried with exponential backoff while the order is pending. When the answer of the
 * order call was lost, the job asks the order list first. The outcome goes to `onFinal` (the thread
 * reply and the alert update).
 */

export const FOLLOW_QUEUE = 'renew-follow';
export const FOLLOW_FIRST_DELAY_MS = 5_000;
/** 5 s doubling: about 22 hours of following before giving up. */
export const FOLLOW_ATTEMPTS = 14;

export type FollowData = { alertKey: string; stage: string };

export type FinalOrder = { entry: LedgerEntry; status: string; details: OrderDetails | null };

export function followJobId(entry: Pick<LedgerEntry, 'alertKey' | 'stage' | 'attempt'>): string {
  // BullMQ refuses ':' in custom ids.
  return `follow-${Buffer.from(`${entry.alertKey}|${entry.stage}|${entry.attempt}`).toString('base64url')}`;
}

export function createFollowQueue(connection: Redis, prefix: string) {
  const queue = new Queue<FollowData>(FOLLOW_QUEUE, { connection, prefix });
  return {
    queue,
    async follow(entry: LedgerEntry, delayMs = FOLLOW_FIRST_DELAY_MS): Promise<void> {
      await queue.add(
        'follow',
        { alertKey: entry.alertKey, stage: entry.stage },
        {
          jobId: followJobId(entry),
          delay: delayMs,
          attempts: FOLLOW_ATTEMPTS,
          backoff: { type: 'exponential', delay: FOLLOW_FIRST_DELAY_MS },
          removeOnComplete: 1000,
          removeOnFail: 1000,
        },
      );
    },
    close: () => queue.close(),
  };
}

export class StillPending extends Error {
  override name = 'StillPending';
}

export type FollowDeps = {
  ledger: Ledger;
  orders: OrderApi;
  logger: Logger;
  onFinal: (final: FinalOrder) => Promise<void>;
};

/** One look at an order: final → told and recorded; otherwise StillPending (BullMQ tries again later). */
export async function followOnce(deps: FollowDeps, data: FollowData): Promise<string> {
  let entry = await deps.ledger.get(data.alertKey, data.stage);
  if (!entry || entry.state === 'awaiting_approval') return 'nothing to follow';
  if (!entry.orderId && !entry.orderNo) {
    const found = await findPlacedOrder(deps.orders, entry);
    if (!found) throw new StillPending(`order for ${entry.sn} not in the list yet`);
    entry = {
      ...entry,
      state: 'placed',
      orderId: found.id,
      orderNo: found.orderNo,
      status: found.orderStatus,
    };
    await deps.ledger.update(entry);
  }
  const details = await deps.orders.getOrder((entry.orderId ?? entry.orderNo)!);
  const status = details.status ?? 'pending';
  if (!FINAL_ORDER_STATUSES.has(status)) {
    if (status !== entry.status) await deps.ledger.update({ ...entry, status });
    throw new StillPending(`order ${entry.orderNo} is ${status}`);
  }
  const final: LedgerEntry = { ...entry, status, orderNo: entry.orderNo ?? details.orderNo };
  if (status === 'succeed') await deps.ledger.update(final);
  // Failed or cancelled: nothing was renewed, so the record goes and the alert may be ordered again.
  else await deps.ledger.release(final);
  await deps.onFinal({ entry: final, status, details });
  return status;
}

export function createFollowWorker(connection: Redis, prefix: string, deps: FollowDeps): Worker<FollowData> {
  const worker = new Worker<FollowData>(FOLLOW_QUEUE, (job: Job<FollowData>) => followOnce(deps, job.data), {
    connection,
    prefix,
    concurrency: 4,
  });
  worker.on('failed', (job, error) => {
    if (error instanceof StillPending) return;
    deps.logger.warn({ err: error.message, attempts: job?.attemptsMade }, 'following an order failed');
  });
  worker.on('error', (error) => deps.logger.error({ err: error.message }, 'renew follow worker error'));
  return worker;
}
