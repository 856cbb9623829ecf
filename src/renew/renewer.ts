import { randomBytes } from 'node:crypto';
import type { Logger } from '../logger.js';
import { YeastarApiError, YeastarAuthError } from '../yeastar/errors.js';
import { type CreateOrderRequest, type OrderApi, orderBody } from '../yeastar/orders.js';
import type { RenewAudit } from './audit.js';
import type { Ledger, LedgerEntry } from './ledger.js';
import { findPlacedOrder } from './reconcile.js';

/**
 * Placing a renewal order, exactly once per alert and stage (the ledger), in the mode configured:
 * `dry-run` returns the body that would be sent; with approvers, the order waits for a second person.
 * Independent of Slack: the listeners turn each outcome into a modal update and thread replies.
 */

export type RenewResult =
  | 'placed'
  | 'dry_run'
  | 'awaiting_approval'
  | 'already'
  | 'refused'
  | 'unknown'
  | 'error';

export type RenewOutcome =
  | { kind: 'placed'; entry: LedgerEntry }
  | { kind: 'dry_run'; body: string }
  | { kind: 'awaiting_approval'; entry: LedgerEntry }
  | { kind: 'already'; entry: LedgerEntry }
  | { kind: 'refused'; reason: string; code: string; requestId: string | null }
  | { kind: 'unknown'; entry: LedgerEntry }
  | { kind: 'error'; reason: string };

export type RenewRequest = {
  alertKey: string;
  stage: string;
  user: string;
  sn: string;
  productId: string;
  order: CreateOrderRequest;
  channel: string | null;
  ts: string | null;
  viewId: string | null;
};

export type RenewerDeps = {
  mode: 'off' | 'dry-run' | 'live';
  approvers: readonly string[];
  ledger: Ledger;
  orders: OrderApi;
  audit: RenewAudit;
  logger: Logger;
  clock: () => number;
  /** Counts each attempt's result (`yeastar_renew_orders_total{result}`). */
  count?: (result: RenewResult) => void;
  /** Starts following a placed order (the BullMQ job). */
  follow?: (entry: LedgerEntry) => Promise<void>;
};

/** A `sending` record older than this is a crashed or timed-out attempt: its outcome is unknown. */
export const SENDING_STALE_MS = 60_000;
/** How long a second attempt waits for the first one's answer (real time: the API's, not the app clock's). */
const SETTLE_WAIT_MS = 20_000;

export type ApprovalRefusal =
  | { kind: 'not_approver' }
  | { kind: 'own_order' }
  | { kind: 'nothing_to_approve' };

export type Renewer = {
  submit(request: RenewRequest): Promise<RenewOutcome>;
  approve(alertKey: string, stage: string, approver: string): Promise<RenewOutcome | ApprovalRefusal>;
};

export function createRenewer(deps: RenewerDeps): Renewer {
  const { ledger, orders, logger, clock } = deps;
  const newAttempt = () => randomBytes(8).toString('hex');

  async function finish(outcome: RenewOutcome, who: string, sn: string): Promise<RenewOutcome> {
    deps.count?.(outcome.kind);
    const orderNo = 'entry' in outcome ? (outcome.entry.orderNo ?? outcome.entry.orderId) : null;
    try {
      await deps.audit.record({ user: who, sn, result: outcome.kind, orderNo });
    } catch (error) {
      logger.warn({ err: (error as Error).message, sn }, 'renew audit write failed');
    }
    return outcome;
  }

  async function placed(entry: LedgerEntry, orderId: string | null, orderNo: string | null, status: string) {
    const next: LedgerEntry = { ...entry, state: 'placed', orderId, orderNo, status };
    await ledger.update(next);
    await deps.follow?.(next).catch((error: unknown) => {
      logger.error({ err: (error as Error).message, orderNo }, 'could not start following the order');
    });
    return next;
  }

  /** The order list decides what became of an attempt whose answer was lost. */
  async function settleUnknown(entry: LedgerEntry): Promise<RenewOutcome> {
    const found = await findPlacedOrder(orders, entry).catch((error: unknown) => {
      logger.warn({ err: (error as Error).message, sn: entry.sn }, 'order list unreadable');
      return undefined;
    });
    if (found) {
      return {
        kind: 'placed',
        entry: await placed(entry, found.id, found.orderNo, found.orderStatus ?? 'pending'),
      };
    }
    const unknown: LedgerEntry = { ...entry, state: 'unknown' };
    await ledger.update(unknown);
    // The follow job keeps asking the order list, so a late-showing order is still reported.
    await deps.follow?.(unknown).catch((error: unknown) => {
      logger.error({ err: (error as Error).message, sn: entry.sn }, 'could not start following the order');
    });
    return { kind: 'unknown', entry: unknown };
  }

  async function send(entry: LedgerEntry): Promise<RenewOutcome> {
    const sending: LedgerEntry = { ...entry, state: 'sending', at: clock() };
    await ledger.update(sending);
    try {
      const created = await orders.createOrder(JSON.parse(entry.request) as CreateOrderRequest);
      if (created.orderId === null && created.orderNo === null) return settleUnknown(sending);
      return { kind: 'placed', entry: await placed(sending, created.orderId, created.orderNo, 'pending') };
    } catch (error) {
      if (error instanceof YeastarApiError && !error.retryable) {
        await ledger.release(sending);
        return {
          kind: 'refused',
          reason: error.detailMessage || error.code,
          code: error.code,
          requestId: error.requestId ?? null,
        };
      }
      if (error instanceof YeastarAuthError) {
        await ledger.release(sending);
        return { kind: 'error', reason: 'the Partner API refused the bot’s credentials' };
      }
      logger.warn(
        { err: (error as Error).message, sn: entry.sn },
        'order answer lost; asking the order list',
      );
      return settleUnknown(sending);
    }
  }

  /** An attempt in flight: its outcome (the order number) is worth waiting a few seconds for. */
  async function settled(entry: LedgerEntry): Promise<LedgerEntry> {
    let current = entry;
    for (let waited = 0; current.state === 'sending' && waited < SETTLE_WAIT_MS; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = (await ledger.get(entry.alertKey, entry.stage)) ?? current;
    }
    return current;
  }

  /** A second attempt meets the first one's record. */
  async function meet(found: LedgerEntry, user: string): Promise<RenewOutcome> {
    const existing = clock() - found.at < SENDING_STALE_MS ? await settled(found) : found;
    const stale = existing.state === 'sending' && clock() - existing.at >= SENDING_STALE_MS;
    if (existing.state !== 'unknown' && !stale) return { kind: 'already', entry: existing };
    const decided = await findPlacedOrder(orders, existing).catch(() => undefined);
    if (decided) {
      return {
        kind: 'already',
        entry: await placed(existing, decided.id, decided.orderNo, decided.orderStatus ?? 'pending'),
      };
    }
    // Not in the list: nothing went through. This attempt takes the record over and sends.
    const takeover: LedgerEntry = { ...existing, by: user, attempt: newAttempt(), at: clock() };
    if (!(await ledger.update(takeover, existing.attempt))) {
      const now = await ledger.get(existing.alertKey, existing.stage);
      return now ? { kind: 'already', entry: now } : { kind: 'error', reason: 'the order record vanished' };
    }
    return send(takeover);
  }

  return {
    async submit(request) {
      const body = orderBody(request.order);
      if (deps.mode === 'dry-run') return finish({ kind: 'dry_run', body }, request.user, request.sn);
      const waiting = deps.approvers.length > 0;
      const entry: LedgerEntry = {
        state: waiting ? 'awaiting_approval' : 'sending',
        by: request.user,
        approvedBy: null,
        sn: request.sn,
        productId: request.productId,
        alertKey: request.alertKey,
        stage: request.stage,
        at: clock(),
        request: JSON.stringify(request.order),
        orderId: null,
        orderNo: null,
        status: waiting ? 'awaiting approval' : null,
        channel: request.channel,
        ts: request.ts,
        viewId: request.viewId,
        attempt: newAttempt(),
      };
      const claimed = await ledger.claim(entry);
      const outcome = !claimed.ok
        ? await meet(claimed.existing, request.user)
        : waiting
          ? ({ kind: 'awaiting_approval', entry } as const)
          : await send(entry);
      return finish(outcome, request.user, request.sn);
    },

    async approve(alertKey, stage, approver) {
      if (!deps.approvers.includes(approver)) return { kind: 'not_approver' };
      const entry = await ledger.get(alertKey, stage);
      if (entry?.state !== 'awaiting_approval') return { kind: 'nothing_to_approve' };
      if (entry.by === approver) return { kind: 'own_order' };
      // Taken by exactly one approver: the attempt token changes, so a second click finds it gone.
      const taken: LedgerEntry = {
        ...entry,
        state: 'sending',
        approvedBy: approver,
        attempt: newAttempt(),
        at: clock(),
      };
      if (!(await ledger.update(taken, entry.attempt))) return { kind: 'nothing_to_approve' };
      return finish(await send(taken), approver, entry.sn);
    },
  };
}
